"""The audit page's list as it leaves the screen (core.listexport): the filtered entries, newest first,
each with its detail in words. The export itself is an audit entry (core.listexport tells the trail)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.listexport import ListExport, Section, filter_terms
from tuijin.core.sheets.writer import INTEGER, Column

from .selectors import detail_lines


def audit_export(filterset) -> ListExport:
    columns = [
        Column("seq", _("序号"), kind=INTEGER, width=8),
        Column("at", _("时间"), width=19),
        Column("user", _("操作人"), width=14),
        Column("action", _("事件类型"), width=12),
        Column("target", _("对象"), width=30, wrap=True),
        Column("result", _("结果"), width=6),
        Column("address", _("地址"), width=16),
        Column("detail", _("详情"), width=60, wrap=True),
    ]
    rows = [
        (e.seq, f"{timezone.localtime(e.at):%Y-%m-%d %H:%M:%S}", e.username, e.get_action_display(), e.target,
         e.get_result_display(), e.address, "\n".join(detail_lines(e)))
        for e in filterset.qs.iterator(chunk_size=2000)
    ]
    return ListExport(name=_("审计记录"), terms=filter_terms(filterset), slug="audit",
                      sections=[Section(columns, rows, heading=_("审计记录"), unit=_("条"), freeze_columns=2)])
