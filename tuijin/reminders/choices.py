from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The outside channels a message can leave through (the in-app 消息 is always stored)."""

    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信")
    DINGTALK = "dingtalk", _("钉钉")
    FILE = "file", _("文件（部署检查）")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


class Trigger(models.TextChoices):
    """What the scan (triggers.py) reminds of; with the thing's id and the day it keys a reminder sent once."""

    REPORT_DUE = "report_due", _("填报临近截止")
    REPORT_OVERDUE = "report_overdue", _("填报逾期")
    PROBLEM_OVERDUE = "problem_overdue", _("问题逾期")
    ORDER_DUE = "order_due", _("督办单临近时限")
    ORDER_OVERDUE = "order_overdue", _("督办单逾期")
    SCHEDULE_PENDING = "schedule_pending", _("进度计划待批准基线")
