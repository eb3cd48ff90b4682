"""A report's workflow, defined once: 未填报/草稿/已退回 → 已上报 → 已审核 or back to 已退回.

The clerk saves (→ 草稿) or hands in (→ 已上报) a report while it may still change; the office approves
or returns a handed-in one. Whoever handed a report in does not approve it (separation of duties;
settings.TUIJIN_REVIEW_SELF_APPROVAL allows it for an office of one). The services check every step
against this table, the pages draw their buttons and messages from it, and the tests run over it.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.workflow import Step, Workflow
from tuijin.org.selectors import is_editor, is_office

from .choices import EDITABLE_STATES, ReportAction, ReportState


def submitter_approving(user, report) -> str:
    """Why `user` may not approve `report`: they handed it in themselves ("" when they may)."""
    if getattr(settings, "TUIJIN_REVIEW_SELF_APPROVAL", False):
        return ""
    if user is not None and user.pk is not None and report.submitted_by_id == user.pk:
        return _("“%(project)s”是您本人上报的，不能由您审核通过，请由其他调度员审核") % {"project": report.project.name}
    return ""


_CHANGE_REFUSED = gettext_lazy("该填报%(state)s，不能修改")
_REVIEW_REFUSED = gettext_lazy("只有已上报的填报才能审核（当前：%(state)s）")

REPORT_WORKFLOW = Workflow(states=ReportState, steps=(
    Step(ReportAction.SAVE, EDITABLE_STATES, ReportState.DRAFT, label=gettext_lazy("保存草稿"),
         done=gettext_lazy("草稿已保存"), done_many=gettext_lazy("草稿已保存（%(n)s个项目有改动）"),
         who=is_editor, refused=_CHANGE_REFUSED),
    Step(ReportAction.SUBMIT, EDITABLE_STATES, ReportState.SUBMITTED, label=gettext_lazy("上报"),
         done=gettext_lazy("已上报，等待审核"), done_many=gettext_lazy("已上报%(n)s个项目，等待审核"),
         who=is_editor, refused=_CHANGE_REFUSED),
    Step(ReportAction.APPROVE, {ReportState.SUBMITTED}, ReportState.APPROVED, label=gettext_lazy("审核通过"),
         done=gettext_lazy("已审核通过：%(name)s"), done_many=gettext_lazy("已审核通过%(n)s个填报"),
         who=is_office, refused=_REVIEW_REFUSED, check=submitter_approving),
    Step(ReportAction.RETURN, {ReportState.SUBMITTED}, ReportState.RETURNED, label=gettext_lazy("退回修改"),
         done=gettext_lazy("已退回：%(name)s，已通知填报单位"),
         who=is_office, refused=_REVIEW_REFUSED),
))

# The clerk's steps (the report form and the grid) and the office's (the review form and queue).
FILL_STEPS = (ReportAction.SAVE, ReportAction.SUBMIT)
REVIEW_STEPS = (ReportAction.APPROVE, ReportAction.RETURN)
