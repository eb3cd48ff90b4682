"""Reads of schedules and approvals, always through the user's scope: a project's nodes with their
status, its baselines and checklist, and 挂图作战 (the wall chart: one row per project of any filtered
set of projects, its nodes on one time axis; its .xlsx lists the nodes)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, OuterRef, Subquery
from django.utils.translation import gettext as _

from tuijin.core.exceptions import get_or_not_found
from tuijin.org.models import Leader, Region, Unit
from tuijin.projects.choices import Admission, LeaderRole, Light
from tuijin.projects.filtersets import LedgerFilterSet
from tuijin.projects.models import Project, ProjectLeader
from tuijin.projects.selectors import ledger_queryset

from . import scheduling
from .choices import ApprovalStatus, DoneBasis, MilestoneStatus, WallGrouping
from .filtersets import MilestoneFilterSet
from .models import Approval, Baseline, Milestone, MilestoneTemplate, Schedule


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


def _annotate(milestones: list, today: date) -> None:
    """Each node (a Milestone, or a WallNode) with its status and the previous node's dates, in order."""
    previous = None
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
    A first screen counts `.qs` and links to the chart with the same parameters."""
    data = params.copy()
    data.setdefault("year", "")  # nodes of every project, not only those with this year's plan
    projects = LedgerFilterSet(data, queryset=ledger_queryset(user), user=user, archived=False)
    return MilestoneFilterSet(params, queryset=gantt_nodes(projects.qs), today=today)


def gantt_row(m: Milestone) -> dict:
    """One row of a project's Gantt chart (gantt.js) of an annotated milestone (see _annotate)."""
    return {
        "id": m.pk, "name": m.name,
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


# ---------------------------------------------------------------------------------- the wall chart

WALL_PAGE = 500  # projects on one page of 挂图作战


@dataclass
class WallGroup:
    """A group of the wall chart's rows: `projects` of it match the filters (on every page), `shown` of
    them are on this page; `red` and `yellow`: how many of its projects show that light."""

    key: str
    name: str
    projects: int = 0
    red: int = 0
    yellow: int = 0
    shown: int = 0


class WallNode:
    """A node of the wall chart as plain values, annotated as a Milestone is (_annotate): a model instance
    costs more than its row when a page holds 500 projects' nodes."""

    READ = ("pk", "project_id", "name", "planned_date", "baseline_date", "actual_date", "done_basis", "inferred_date")
    __slots__ = (*READ, "status", "status_label", "days_late", "starts", "baseline_starts", "actual_starts", "drift")

    def __init__(self, pk, project_id, name, planned_date, baseline_date, actual_date, done_basis, inferred_date):
        self.pk, self.project_id, self.name = pk, project_id, name
        self.planned_date, self.baseline_date, self.actual_date = planned_date, baseline_date, actual_date
        self.done_basis, self.inferred_date = done_basis, inferred_date


@dataclass
class WallProject:
    """One row of the wall chart: a project and the nodes it draws (those the node filter lets through,
    annotated as by _annotate), with the span of its whole plan (`first` to `last`, over all its
    nodes) and how far it is done (`done_to`: the planned date of its last node done)."""

    id: int
    name: str
    region: str
    group: str
    leaders: list[str]  # its 分包领导 (the other leaders when it has none)
    leader_roles: list[tuple[str, str]]  # (role, name) of every leader, 分包领导 first
    light: int | None  # None: not admitted (申报中, 已退回), no light
    light_reason: str
    nodes: list[WallNode]
    first: date | None = None
    last: date | None = None
    done_to: date | None = None

    @property
    def done(self) -> int:
        return sum(m.status in DONE_STATES for m in self.nodes)

    @property
    def overdue(self) -> int:
        return sum(m.status == MilestoneStatus.OVERDUE for m in self.nodes)


@dataclass
class WallData:
    projects: list[WallProject]
    groups: list[WallGroup]  # the groups of this page's rows, in order (one unnamed group when not grouped)
    total: int  # projects matched, on every page
    page: int
    pages: int
    per_page: int
    without_plan: int | None  # projects of the filters without any node (None under a node filter)


DONE_STATES = (MilestoneStatus.DONE, MilestoneStatus.DONE_LATE, MilestoneStatus.INFERRED)


def wall_projects(projects, nodes, today: date, *, group: str = "", page: int = 1, per_page: int = WALL_PAGE,
                  node_filtered: bool = False) -> WallData:
    """挂图作战: one row per project of `projects` (scoped and filtered) that has a node in `nodes`
    (gantt_nodes of them, filtered by the node filter; `node_filtered` says whether a node filter is
    in force), ordered by `group` (choices.WallGrouping) then region and id, `per_page` rows a page.
    The same number of queries whatever the number of projects and nodes."""
    matched = projects.filter(pk__in=nodes.values("project_id"))
    if group == WallGrouping.LEADER:
        first_leader = (ProjectLeader.objects.filter(project_id=OuterRef("pk"), role=LeaderRole.CONTRACTED)
                        .order_by("leader__sort", "leader_id"))
        matched = matched.annotate(wall_leader=Subquery(first_leader.values("leader_id")[:1]),
                                   wall_leader_sort=Subquery(first_leader.values("leader__sort")[:1]))
    groups = _wall_groups(matched, group)
    total = sum(g.projects for g in groups.values())
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)

    order = {
        WallGrouping.UNIT: [F("lead_unit__region__path").asc(nulls_last=True), F("lead_unit__name").asc(nulls_last=True),
                            F("lead_unit_id").asc(nulls_last=True)],
        WallGrouping.LEADER: [F("wall_leader_sort").asc(nulls_last=True), F("wall_leader").asc(nulls_last=True)],
    }.get(group, [])
    fields = ["pk", "name", "region__name", "region__path", "lead_unit_id", "light", "light_reason", "admission"]
    if group == WallGrouping.LEADER:
        fields.append("wall_leader")
    picked = list(matched.order_by(*order, "region__path", "pk").values_list(*fields)
                  [(page - 1) * per_page: page * per_page])
    ids = [row[0] for row in picked]

    every = [WallNode(*values) for values in Milestone.objects.filter(project_id__in=ids).with_inference()
             .order_by("project_id", "sort", "id").values_list(*WallNode.READ)]
    _annotate(every, today)
    drawn = set(nodes.filter(project_id__in=ids).values_list("pk", flat=True)) if node_filtered else None
    by_project: dict[int, list[WallNode]] = {}
    for m in every:
        by_project.setdefault(m.project_id, []).append(m)
    leaders: dict[int, list[tuple[str, str]]] = {}
    for project_id, name, role in (ProjectLeader.objects.filter(project_id__in=ids)
                                   .order_by("leader__sort", "leader_id").values_list("project_id", "leader__name", "role")):
        leaders.setdefault(project_id, []).append((role, name))

    rows = []
    for pk, name, region, path, unit_id, light, reason, admission, *leader in picked:
        links = sorted(leaders.get(pk, []), key=lambda link: link[0] != LeaderRole.CONTRACTED)
        contracted = [n for role, n in links if role == LeaderRole.CONTRACTED]
        all_nodes = by_project.get(pk, [])
        shown = [m for m in all_nodes if drawn is None or m.pk in drawn]
        planned = [m.planned_date for m in all_nodes if m.planned_date]
        done = [m.planned_date for m in all_nodes if m.status in DONE_STATES and m.planned_date]
        key = _wall_group_key(group, {WallGrouping.REGION: path, WallGrouping.UNIT: unit_id}.get(
            group, leader[0] if leader else None))
        rows.append(WallProject(
            pk, name, region, key, contracted or [n for _r, n in links],
            [(str(LeaderRole(role).label), n) for role, n in links],
            light if admission == Admission.ADMITTED else None, reason if admission == Admission.ADMITTED else "",
            shown, min(planned, default=None), max(planned, default=None), max(done, default=None)))
        if key in groups:
            groups[key].shown += 1
    on_page = []
    for row in rows:
        if row.group in groups and groups[row.group] not in on_page:
            on_page.append(groups[row.group])
    without_plan = None if node_filtered else projects.count() - total
    return WallData(rows, on_page, total, page, pages, per_page, without_plan)


def _district(path: str) -> tuple[str, bool]:
    """The 县区 a region path belongs to: (its code, True), or (the region's own code, False) for a region
    above the 县区 (a city's or the province's own projects: 本级)."""
    codes = [c for c in path.split("/") if c]
    return (codes[2], True) if len(codes) >= 3 else (codes[-1] if codes else "", False)


def _wall_group_key(group: str, value) -> str:
    """The key of the group a project falls in, from the grouping's column: its region's path (the 县区's
    code, or the region's own with "-self" above the 县区), its lead unit's id, its first 分包领导's id
    ("none" without one)."""
    if group == WallGrouping.REGION:
        code, district = _district(value or "")
        return code if district else f"{code}-self"
    if group in (WallGrouping.UNIT, WallGrouping.LEADER):
        return str(value) if value is not None else "none"
    return ""


def _wall_groups(matched, group: str) -> dict[str, WallGroup]:
    """{key: WallGroup} of every group of the matched projects, in the rows' order, counted in one
    grouped query (and one for the groups' names)."""
    column = {WallGrouping.REGION: "region__path", WallGrouping.UNIT: "lead_unit_id",
              WallGrouping.LEADER: "wall_leader"}.get(group)
    values = [column] if column else []
    counted = matched.order_by().values(*values, "light", "admission").annotate(n=Count("pk"))
    found: dict[str, WallGroup] = {}
    raw: dict[str, object] = {}
    for row in counted:
        value = row[column] if column else None
        key = _wall_group_key(group, value)
        entry = found.setdefault(key, WallGroup(key, ""))
        raw.setdefault(key, value)
        entry.projects += row["n"]
        if row["admission"] == Admission.ADMITTED:
            entry.red += row["n"] if row["light"] == Light.RED else 0
            entry.yellow += row["n"] if row["light"] == Light.YELLOW else 0
    names, order = _wall_group_names(group, found, raw)
    for key, entry in found.items():
        entry.name = names.get(key, "")
    return {key: found[key] for key in sorted(found, key=lambda k: order.get(k, (1,)))}


def _wall_group_names(group: str, found: dict, raw: dict) -> tuple[dict[str, str], dict[str, tuple]]:
    """({key: name}, {key: sort}) of the groups found: the rows' order (see wall_projects)."""
    names, order = {}, {}
    if group == WallGrouping.REGION:
        paths = {key: str(raw[key]) for key in found}
        codes = {c for p in paths.values() for c in p.split("/") if c}
        regions = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        # Across cities a 县区 is named with its city (市中区 is in several).
        several = len({codes[1] for codes in ([c for c in p.split("/") if c] for p in paths.values()) if len(codes) >= 3}) > 1
        for key, path in paths.items():
            codes_of = [c for c in path.split("/") if c]
            code, district = _district(path)
            name = regions.get(code, code)
            if not district:
                name = _("%(name)s本级") % {"name": name}
            elif several and len(codes_of) >= 2:
                name = f"{regions.get(codes_of[1], '')} {name}".strip()
            names[key] = name
            # A region's own projects sort before its 县区 (its path is their prefix), as the rows do.
            order[key] = (0, "/".join(codes_of[:3]) + "/")
    elif group == WallGrouping.UNIT:
        units = {str(pk): (name, path) for pk, name, path in
                 Unit.objects.filter(pk__in=[v for v in raw.values() if v is not None])
                 .values_list("pk", "name", "region__path")}
        for key in found:
            name, path = units.get(key, (str(_("（未指定牵头单位）")), None))
            names[key] = name
            order[key] = (0, path, name, int(key)) if key in units else (1,)
    elif group == WallGrouping.LEADER:
        leaders = {str(pk): (str(Leader(name=name, title=title)), sort) for pk, name, title, sort in
                   Leader.objects.filter(pk__in=[v for v in raw.values() if v is not None])
                   .values_list("pk", "name", "title", "sort")}
        for key in found:
            name, sort = leaders.get(key, (str(_("（未明确分包领导）")), None))
            names[key] = name
            order[key] = (0, sort, int(key)) if key in leaders else (1,)
    return names, order
