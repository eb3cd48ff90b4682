"""Reads of schedules and approvals, always through the user's scope: a project's nodes with their
status, its baselines and checklist, and the Gantt rows (挂图作战) of any filtered set of projects."""

from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.exceptions import get_or_not_found
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project
from tuijin.projects.selectors import ledger_queryset

from . import scheduling
from .choices import ApprovalStatus, DoneBasis, MilestoneStatus
from .filtersets import MilestoneFilterSet
from .models import Approval, Baseline, Milestone, MilestoneTemplate, Schedule

GANTT_LIMIT = 500


def milestone_for_user(user, pk: int) -> Milestone:
    return get_or_not_found(Milestone.objects.visible_to(user).select_related("project"), pk=pk)


def approval_for_user(user, pk: int) -> Approval:
    return get_or_not_found(Approval.objects.visible_to(user).select_related("project", "type"), pk=pk)


def project_milestones(project: Project, today: date) -> list[Milestone]:
    """The project's nodes in order, each with `status`, `days_late` and the previous node's dates
    (`starts`, `baseline_starts`) so a Gantt bar spans from one node to the next. A node done by
    inference (Milestone.objects.with_inference) shows as "已完成（据…推定）", never as its own
    actual date."""
    milestones = list(Milestone.objects.filter(project=project).with_inference().order_by("sort", "id"))
    _annotate(milestones, today)
    return milestones


def _annotate(milestones: list[Milestone], today: date) -> None:
    previous: Milestone | None = None
    for m in milestones:
        if previous is not None and previous.project_id != m.project_id:
            previous = None
        basis = getattr(m, "done_basis", "")
        inferred = basis not in ("", DoneBasis.RECORDED)
        m.status = scheduling.milestone_status(m.planned_date, m.actual_date, today, inferred=inferred)
        m.status_label = inferred_label(basis, getattr(m, "inferred_date", None)) if inferred else MilestoneStatus(m.status).label
        m.days_late = 0 if inferred else scheduling.days_late(m.planned_date, m.actual_date, today)
        m.starts = previous.planned_date if previous else None
        m.baseline_starts = previous.baseline_date if previous else None
        m.actual_starts = previous.actual_date if previous else None
        m.drift = (m.planned_date - m.baseline_date).days if m.planned_date and m.baseline_date else 0
        previous = m


def inferred_label(basis: str, on: date | None = None) -> str:
    """How an inferred node's status reads: 已完成（据实际开工推定，2025-11-03）, 已完成（据后续节点推定）."""
    if basis == DoneBasis.STARTED:
        return _("已完成（据实际开工%(d)s推定）") % {"d": on} if on else _("已完成（据实际开工推定）")
    if basis == DoneBasis.COMPLETED:
        return _("已完成（据实际竣工%(d)s推定）") % {"d": on} if on else _("已完成（据实际竣工推定）")
    return _("已完成（据后续节点已完成推定）")


def schedule_of(project: Project) -> Schedule | None:
    return Schedule.objects.filter(project=project).select_related("template", "approved_by").first()


def baseline_number(project: Project) -> int:
    """The schedule's current baseline (0: none approved yet)."""
    return Schedule.objects.filter(project=project).values_list("baseline_number", flat=True).first() or 0


def baselines(project: Project) -> list[Baseline]:
    return list(Baseline.objects.filter(project=project).select_related("created_by").prefetch_related("items"))


def templates():
    return MilestoneTemplate.objects.filter(is_active=True).prefetch_related("steps")


@dataclass
class ApprovalSummary:
    required: int
    done: int
    overdue: int


def project_approvals(project: Project, today: date) -> tuple[list[Approval], ApprovalSummary]:
    approvals = list(Approval.objects.filter(project=project).select_related("type").order_by("type__sort", "type_id"))
    overdue = 0
    for a in approvals:
        a.is_overdue = (a.required and a.status in (ApprovalStatus.NOT_STARTED, ApprovalStatus.IN_PROGRESS)
                        and a.target_date is not None and a.target_date < today)
        a.days_overdue = (today - a.target_date).days if a.is_overdue else 0
        overdue += a.is_overdue
    required = [a for a in approvals if a.required]
    return approvals, ApprovalSummary(len(required), sum(a.status == ApprovalStatus.DONE for a in required), overdue)


# --------------------------------------------------------------------------------------------- Gantt


def gantt_nodes(projects):
    """The nodes of `projects` (a scoped, filtered queryset), for filtersets.MilestoneFilterSet."""
    return Milestone.objects.filter(project__in=projects.values("pk"))


def node_filter(user, params, today: date):
    """The nodes of the Gantt chart (挂图作战) of these parameters as its data reads them: the ledger's
    filters over the user's unarchived projects of every year, then MilestoneFilterSet (its `status`).
    A first screen counts `.qs` and links to the chart with the same parameters (its data's `total`)."""
    data = params.copy()
    data.setdefault("year", "")  # nodes of every project, not only those with this year's plan
    projects = LedgerFilterSet(data, queryset=ledger_queryset(user), user=user, archived=False)
    return MilestoneFilterSet(params, queryset=gantt_nodes(projects.qs), today=today)


@dataclass
class GanttNodes:
    """The nodes a Gantt chart shows (the first `limit` of the filtered ones, by project then node), each
    annotated (_annotate: status, days late, the previous node's dates); `projects`: id → (name, region)."""

    nodes: list[Milestone]
    projects: dict[int, tuple[str, str]]
    total: int  # how many matched


def gantt_milestones(nodes, today: date, *, limit: int = GANTT_LIMIT) -> GanttNodes:
    """The Gantt chart's nodes of `nodes` (gantt_nodes, filtered): what the page's chart, its export and
    its wall chart all show. Four queries whatever their number."""
    total = nodes.count()
    picked = list(nodes.order_by("project__region__path", "project_id", "sort", "id")
                  .values_list("pk", "project_id", "sort")[:limit])
    project_ids = {p for _pk, p, _s in picked}
    # Each bar starts at the previous node of the same project (over all its nodes, not only the
    # filtered ones), so whole projects are read for the picked rows.
    full = list(Milestone.objects.filter(project_id__in=project_ids).with_inference().order_by("project_id", "sort", "id")
                .only("id", "project_id", "name", "sort", "marks", "planned_date", "baseline_date", "actual_date"))
    _annotate(full, today)
    by_pk = {m.pk: m for m in full}
    projects = {pk: (name, region) for pk, name, region in
                Project.objects.filter(pk__in=project_ids).values_list("pk", "name", "region__name")}
    return GanttNodes([by_pk[pk] for pk, _p, _s in picked if pk in by_pk], projects, total)


def gantt_rows(nodes, today: date, *, limit: int = GANTT_LIMIT) -> tuple[list[dict], int]:
    """(rows, total) of `nodes` (gantt_nodes, filtered), ordered by project then node: one dict per
    node with planned, baseline and actual spans, for the Gantt chart's JSON. At most `limit` rows;
    `total` says how many matched."""
    found = gantt_milestones(nodes, today, limit=limit)
    head, tail = reverse("projects:detail", args=[918273645]).split("918273645")
    rows = [gantt_row(m, found.projects.get(m.project_id, ("", ""))[0], f"{head}{m.project_id}{tail}")
            for m in found.nodes]
    return rows, found.total


def gantt_row(m: Milestone, project_name: str, project_url: str = "") -> dict:
    """One Gantt row (gantt.js) of an annotated milestone (see _annotate)."""
    return {
        "id": m.pk, "project": project_name, "project_url": project_url, "name": m.name,
        "start": _iso(m.starts or m.planned_date), "end": _iso(m.planned_date),
        "baseline_start": _iso(m.baseline_starts or m.baseline_date), "baseline_end": _iso(m.baseline_date),
        "actual": _iso(m.actual_date), "status": str(m.status), "status_label": str(m.status_label),
        "days_late": m.days_late,
    }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def gantt_payload(rows: list[dict], total: int, today: date) -> dict:
    return {"today": today.isoformat(), "rows": rows, "total": total, "truncated": total > len(rows),
            "statuses": {s.value: str(s.label) for s in MilestoneStatus}}
