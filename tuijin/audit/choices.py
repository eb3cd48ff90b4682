"""The audit trail's words: what happened (Action) and how it ended (Result)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("锁定")
    UNLOCK = "unlock", _("解锁")
    LOGOUT = "logout", _("退出")
    PASSWORD = "password", _("密码修改")
    SECOND_FACTOR = "second_factor", _("双因素变更")
    GRANT = "grant", _("角色授权变更")
    EXPORT = "export", _("导出")
    IMPORT = "import", _("导入")
    PUBLISH = "publish", _("发布")
    DENIED = "denied", _("拒绝访问")
    DATA_CHANGE = "data_change", _("数据变更")
    ADMIN = "admin", _("后台操作")
    ARCHIVE = "archive", _("审计归档")


class Result(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")
    REFUSED = "refused", _("拒绝")
