"""Reads of the audit trail: the audit administrator's search, each entry's detail in words, and the
chain's status."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tuijin.org.selectors import is_audit_admin

from .filtersets import AuditFilterSet
from .models import AuditEntry, ChainHead


def require_auditor(user) -> None:
    """Only the audit administrator reads the trail (三权分立); everyone else: 403."""
    if not is_audit_admin(user):
        raise PermissionDenied


def search(user, params) -> AuditFilterSet:
    require_auditor(user)
    return AuditFilterSet(params, queryset=AuditEntry.objects.order_by("-at", "-id"))


# The detail's keys in words (the keys the subscribers and services write).
LABELS = {
    "username": "用户名", "ip_address": "地址", "failures": "失败次数", "minutes": "锁定分钟", "locked_at": "锁定时间",
    "superuser": "超级用户", "note": "说明", "model": "数据", "history_id": "历史记录", "object_id": "对象编号",
    "history_type": "变更", "reason": "原因", "count": "条数", "object_ids": "对象编号", "history_date": "历史时间",
    "what": "内容", "user": "用户", "fields": "字段", "change": "变更", "membership_id": "授权编号",
    "content_type": "类型", "object": "对象", "operation": "操作", "message": "说明", "filter": "筛选条件",
    "rows": "行数", "format": "格式", "filename": "文件名", "query": "参数", "path": "路径", "method": "方法",
    "status": "状态码", "kind": "类别", "bulletin_id": "通报编号", "title": "标题", "number": "期号",
    "region": "区域", "issued_on": "印发日期", "run_id": "考核编号", "scheme": "方案", "year": "年度",
    "results": "结果条数", "file": "文件", "sha256": "SHA-256", "first_seq": "起始序号", "last_seq": "截止序号",
    "tail_hash": "末条哈希", "cutoff": "早于", "retention_days": "保存天数", "created": "新增", "updated": "更新",
    "errors": "错误", "error": "错误", "size": "大小（字节）", "source": "来源", "event": "事件", "by": "操作人",
    "user_id": "用户编号", "by_id": "操作人编号", "role": "角色", "scope": "数据范围", "unit": "单位",
    "is_active": "启用", "is_staff": "可登录后台", "is_superuser": "超级用户", "groups": "用户组",
    "user_permissions": "权限", "rejected": "拒绝原因", "dry_run": "试导入", "valid_only": "仅导入有效行",
}
HISTORY_TYPES = {"+": "新建", "~": "修改", "-": "删除"}
EVENTS = {"PasswordChanged": "修改密码", "PasswordReset": "重置密码", "FactorEnrolled": "绑定双因素",
          "FactorRemoved": "解绑双因素", "FactorReset": "重置双因素", "RecoveryCodeUsed": "使用恢复码",
          "SecondFactorFailed": "双因素验证失败"}
KINDS = {"bulletin": "通报", "ranking": "考核排名"}
PASSWORD_REASONS = {"self": "本人修改", "reset": "管理员重置后修改", "expired": "密码过期", "first": "首次登录"}
WHAT = {"membership": "角色授权", "user": "用户权限", "groups": "用户组", "user_permissions": "用户权限"}


def _value(key: str, value) -> str:
    if value is None or value == "":
        return "（无）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "history_type":
        return HISTORY_TYPES.get(value, str(value))
    if key == "what":
        return WHAT.get(value, str(value))
    if key == "model" and isinstance(value, str) and "." in value:
        return _model_name(value)
    if key == "kind":
        return KINDS.get(value, str(value))
    if key == "event":
        return EVENTS.get(value, str(value))
    if key == "reason" and value in PASSWORD_REASONS:
        return PASSWORD_REASONS[value]
    if key == "object_ids" and isinstance(value, list):
        return "、".join(f"{a}–{b}" if a != b else str(a) for a, b in value)
    if key == "fields" and isinstance(value, list):
        return "、".join(LABELS.get(v, v) for v in value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "（无）"
    if isinstance(value, dict):
        return "；".join(f"{LABELS.get(k, k)}：{_value(k, v)}" for k, v in value.items())
    return str(value)


def _model_name(label: str) -> str:
    """"projects.project" → 项目 (the model's verbose name), the label itself for a model gone."""
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def detail_lines(entry: AuditEntry) -> list[str]:
    """The entry's detail in Chinese, one line per item; a before/after pair as “字段：旧 → 新”."""
    detail = entry.detail or {}
    lines = []
    for key, value in detail.items():
        if key in {"before", "after"}:
            continue
        lines.append(f"{LABELS.get(key, key)}：{_value(key, value)}")
    if "before" in detail or "after" in detail:
        before, after = detail.get("before"), detail.get("after")
        if isinstance(before, dict) or isinstance(after, dict):
            keys = list(dict.fromkeys([*(before or {}), *(after or {})]))
            for key in keys:
                old = _value(key, (before or {}).get(key)) if before is not None else "（无）"
                new = _value(key, (after or {}).get(key)) if after is not None else "（无）"
                lines.append(f"{LABELS.get(key, key)}：{old} → {new}")
        else:
            lines.append(f"{_value('', before)} → {_value('', after)}")
    return lines


def chain_status() -> dict:
    """The status line of the audit page: the chain's length and the last verification's outcome."""
    head = ChainHead.objects.filter(pk=1).first()
    pending = AuditEntry.objects.filter(seq__isnull=True).count()
    if head is None:
        return {"seq": 0, "anchor_seq": 0, "verified": None, "pending": pending, "text": _("审计链尚无记录")}
    if head.verified_at is None:
        text = _("审计链共%(n)s条，尚未校验（运行 tuijin audit verify）") % {"n": head.seq}
    elif head.verified_ok:
        text = _("审计链完好：已校验至第%(seq)s条（%(at)s）") % {"seq": head.verified_seq, "at": _local(head.verified_at)}
    else:
        text = _("审计链断裂（%(at)s 校验）：%(message)s") % {"at": _local(head.verified_at), "message": head.verified_message}
    if head.anchor_seq:
        text += _("；第%(n)s条及以前已归档") % {"n": head.anchor_seq}
    return {"seq": head.seq, "anchor_seq": head.anchor_seq, "verified": head.verified_ok, "pending": pending,
            "text": text}


def _local(value) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
