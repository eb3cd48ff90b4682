"""A schedule's baseline workflow, defined once: the office approves the planned dates as baseline V1,
then re-baselines (V2, V3…, each with a reason; earlier baselines are kept).

Milestones have no steps (their status is read from their dates, scheduling.milestone_status) and the
approvals checklist's 办理状态 is a field any editor sets within approval_rules; only the baseline moves
a schedule from one state to another. The service checks each step against this table, the schedule
page draws its form and message from it, and the tests run over it.
"""

from django.utils.translation import gettext_lazy as _

from tuijin.core.workflow import Step, Workflow
from tuijin.org.selectors import is_office

from .choices import BaselineState, BaselineStep

_DONE = _("已批准进度计划基线V%(n)s，此后节点计划日期的调整都将与基线对照")

BASELINE_WORKFLOW = Workflow(states=BaselineState, steps=(
    Step(BaselineStep.APPROVE, {BaselineState.UNAPPROVED}, BaselineState.APPROVED,
         label=BaselineStep.APPROVE.label, done=_DONE, who=is_office),
    # A re-baselining needs a reason (services.baseline_approve; the form asks for it).
    Step(BaselineStep.REBASELINE, {BaselineState.APPROVED}, BaselineState.APPROVED,
         label=BaselineStep.REBASELINE.label, done=_DONE, who=is_office),
))


def baseline_state(baseline_number: int) -> str:
    return BaselineState.APPROVED if baseline_number else BaselineState.UNAPPROVED


def baseline_step(baseline_number: int) -> Step:
    """The one step a schedule's baseline can take from where it stands (the first approval or a re-baselining)."""
    state = baseline_state(baseline_number)
    return next(step for step in BASELINE_WORKFLOW.steps if state in step.sources)
