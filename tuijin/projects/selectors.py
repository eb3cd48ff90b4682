"""Every read of the ledger, always through the scoped queryset."""

from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, F, FilteredRelation, Q, Sum, Window
from django.utils import timezone
from django.utils.functional import cached_property

from tuijin.core.history import describe
from tuijin.core.masking import mask_name, mask_phone
from tuijin.org.selectors import sees_contacts

from . import completion
from .choices import Admission
from .models import AnnualPlan, Project, ProjectLeader, ProjectResponsibleUnit


def current_year() -> int:
    return timezone.localdate().year


def ledger_queryset(user, include_archived: bool = False):
    qs = Project.objects.visible_to(user)
    return qs if include_archived else qs.filter(is_archived=False)


@dataclass
class LedgerTotals:
    count: int
    total_investment: Decimal
    annual_plan: Decimal
    not_admitted: int = 0  # listed projects left out of the figures (申报中, 已退回): see admitted_totals
    completed: Decimal | None = None  # 本年累计完成 as of the chosen period (completion.figure), when asked


# The year's plan of each project, joined under one name everywhere (the year filter, the totals and
# the sort by plan), so that Django reuses one join instead of reading the plans two or three times.
YEAR_PLAN = "year_plan"


def with_year_plan(queryset, year: int, done: completion.Figure | None = None):
    """The queryset with the year's annual plan joined as `year_plan`, and what the figure `done` reads
    (completion.figure) when given.

    (project, year) is unique, so the join adds at most one row per project. Alone it is a LEFT JOIN;
    after the year filter (`year_plan__isnull=False`) Django reuses that filter's INNER JOIN.
    """
    queryset = queryset.alias(**{YEAR_PLAN: FilteredRelation("annual_plans", condition=Q(annual_plans__year=year))})
    if done is None or not done.relations:
        return queryset
    # A fresh copy each time: the ORM rewrites the condition of the FilteredRelation it is given.
    return queryset.alias(**{name: FilteredRelation(relation.relation_name, condition=relation.condition)
                             for name, relation in done.relations.items()})


def ledger_sums(done=None) -> dict:
    """The totals row's aggregates on projects joined to the year's plan (with_year_plan): 项目数 `n`, 总投资
    `total`, 年度计划投资 `plan` and, with `done` (completion.figure), 本年累计完成 `done`; integer sums, exact
    on both databases. The ledger's totals and the figures (tuijin.figures, per group) sum these."""
    sums = {"n": Count("id"), "total": Sum("total_investment"), "plan": Sum(f"{YEAR_PLAN}__planned_investment")}
    if done is not None:
        sums["done"] = Sum(done.expression)
    return sums


def ledger_totals(filtered, year: int, done=None) -> LedgerTotals:
    """项目数, 总投资 and 年度计划投资 of a filtered set in one query (ledger_sums); with `done`
    (completion.figure: an expression on the plan join and the relations it reads), 本年累计完成 summed in
    the same pass."""
    row = with_year_plan(filtered.order_by(), year, done).aggregate(**ledger_sums(done))
    zero = Decimal("0.00")
    completed = None if done is None else (row["done"] or zero)
    return LedgerTotals(row["n"], row["total"] or zero, row["plan"] or zero, completed=completed)


class _CountedPaginator(Paginator):
    """A paginator told the row count (already known from the totals) instead of running COUNT(*)."""

    def __init__(self, object_list, per_page, *, count: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


# Up to this many matches, ledger_page reads the matching ids before sorting them (see there).
FEW_ROWS = 1000

def _index_prefix_ids(filtered, ordering: list[str], first: int, last: int) -> list[int] | None:
    """Matches first..last (0-based, end excluded) in total-investment order, looked for among the
    first 8 × last projects of that index; None when that prefix held fewer.

    The matches among a prefix of the global order are a prefix of the matches' order, so a prefix
    holding the whole page gives exactly the page.
    """
    prefix = Project.objects.order_by(*ordering, "-id").values("pk")[: 8 * last]
    ids = list(filtered.filter(pk__in=prefix).order_by(*ordering, "-id").values_list("id", flat=True)[first:last])
    return ids if len(ids) == last - first else None


# How deep a page may lie for the total-investment index to serve it: SQLite is shown a prefix of the
# index (the first five pages); PostgreSQL's walk costs about as much as one full pass at 2,500 rows.
PREFIX_PAGE_ROWS = 250
WALK_PAGE_ROWS = 2500

class _Named:
    """A related object as a ledger row shows it: its name."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class LedgerRow:
    """What one ledger row shows (tables.render_rows), read as plain values: 50 projects built as model
    instances with five related objects each cost more than their query (docs/benchmarks.md).
    `completed` and `completion_rate` are set by ledger_completion."""

    __slots__ = ("id", "name", "code", "is_archived", "is_paused", "total_investment", "start_year", "end_year",
                 "light", "light_reason", "admission", "requested_level_id", "region", "level", "category", "stage",
                 "lead_unit_id", "lead_unit", "plan_investment", "as_of_done", "leader_names", "completed",
                 "completion_rate")

    def __init__(self, values, leader_names):
        (self.id, self.name, self.code, self.is_archived, self.is_paused, self.total_investment, self.start_year,
         self.end_year, self.light, self.light_reason, self.admission, self.requested_level_id, region, level,
         category, stage, self.lead_unit_id, lead_unit, self.plan_investment, *done) = values
        self.region, self.level, self.category, self.stage = _Named(region), _Named(level), _Named(category), _Named(stage)
        self.lead_unit = _Named(lead_unit) if self.lead_unit_id is not None else None
        if done:
            self.as_of_done = done[0]
        self.leader_names = leader_names

    @property
    def pk(self) -> int:
        return self.id


LEDGER_ROW_VALUES = (
    "id", "name", "code", "is_archived", "is_paused", "total_investment", "start_year", "end_year", "light", "light_reason",
    "admission", "requested_level_id", "region__name", "level__name", "category__name", "stage__name", "lead_unit_id",
    "lead_unit__name", "plan_investment",
)


def ledger_page(filtered, *, year: int, ordering: list[str], page: int, per_page: int = 50, count: int | None = None,
                done: completion.Figure | None = None):
    """One page of rows: pick the page's ids first, then load only those rows with what they show.

    Rows are LedgerRows: the shown fields, `plan_investment` (the year's plan), `leader_names` and, with
    `done` (completion.figure), `as_of_done`: 本年累计完成 read in the same query. Ordering
    all joined rows costs SQLite tens of milliseconds at province scale; picking 50 ids on the narrow
    query first and joining afterwards keeps the page constant (docs/benchmarks.md). Pass `count` when
    the caller already knows it (ledger_totals) to spare the COUNT(*) over the whole set.
    """
    ids_qs = filtered
    if count is not None and count <= FEW_ROWS:
        # A few hundred matches scattered over the whole table (a district's reporter): PostgreSQL
        # would walk the sort index from the top and test the scope on every project it passes
        # (55 ms at province scale). Reading the matches first is one plain pass, then a small sort.
        ids_qs = Project.objects.filter(pk__in=filtered.values("pk"))
    ids_qs, ordering = _plan_ordering(ids_qs, ordering, year)
    ids_qs = ids_qs.order_by(*ordering, "-id").values_list("id", flat=True)
    paginator = Paginator(ids_qs, per_page) if count is None else _CountedPaginator(ids_qs, per_page, count=count)
    page_obj = paginator.get_page(page)
    page_obj.object_list = list(page_obj.object_list)
    return page_obj, _ledger_rows(page_obj.object_list, year, done)


def ledger_page_and_totals(filtered, *, year: int, ordering: list[str], page, per_page: int = 50, done=None):
    """(page, rows, totals) of the ledger list, in as few passes over the filtered set as possible; with
    `done` (completion.figure), the totals carry 本年累计完成 summed in the same pass.

    A page near the top in total-investment order comes from that column's index, and the totals get
    one query of their own. Everything else reads every match anyway, so the totals ride along on that
    pass as window aggregates (COUNT/SUM ... OVER ()): one pass instead of two. Where the index serves,
    PostgreSQL walks it by itself (about 1 ms a page); SQLite, without statistics, would read the year's
    plans and sort every match (15-20 ms at province scale), so it is shown the index's first projects
    and, when they do not hold the page (a district's few hundred projects), takes the single pass.
    Pages past the end and below 1 take the long way, as Paginator does.
    """
    number = _page_number(page)
    if number is not None:
        first, last = (number - 1) * per_page, number * per_page
        sqlite = connections[filtered.db].vendor == "sqlite"
        indexed = _sorts_by_index(ordering) and last <= (PREFIX_PAGE_ROWS if sqlite else WALK_PAGE_ROWS)
        if indexed and sqlite:
            ids = _index_prefix_ids(filtered, ordering, first, last)
            if ids is not None:
                totals = ledger_totals(filtered, year, done)
                return (*_page_of(ids, number, per_page, totals.count, year, done), totals)
        if not indexed or sqlite:
            ids_qs, window_ordering = _plan_ordering(with_year_plan(filtered, year, done), ordering, year)
            windows = {
                "ledger_n": Window(Count("id")),
                "ledger_total": Window(Sum("total_investment")),
                "ledger_plan": Window(Sum(f"{YEAR_PLAN}__planned_investment")),
            }
            if done is not None:
                windows["ledger_done"] = Window(Sum(done.expression))
            ids_qs = ids_qs.annotate(**windows)
            if not sqlite and {o.lstrip("-") for o in ordering} & _INDEXED_SORTS:
                # PostgreSQL costs a window aggregate under a LIMIT as if it could stop early, so for a
                # sort by an indexed column it walks that index and looks up every project and plan in
                # a nested loop (35-55 ms at province scale). A filter on the window moves the window
                # into a subquery (Django's QUALIFY), planned for all its rows: hash joins, 15-20 ms.
                ids_qs = ids_qs.filter(ledger_n__gt=0)
            found = list(
                ids_qs.order_by(*window_ordering, "-id")
                .values_list("id", *windows)[first:last]
            )
            if found or number == 1:
                zero = Decimal("0.00")
                n, total, plan, *completed = found[0][1:] if found else (0, zero, zero, zero)
                totals = LedgerTotals(n, total or zero, plan or zero,
                                      completed=(completed[0] or zero) if done is not None else None)
                return (*_page_of([row[0] for row in found], number, per_page, n, year, done), totals)
    totals = ledger_totals(filtered, year, done)
    page_obj, rows = ledger_page(filtered, year=year, ordering=ordering, page=page, per_page=per_page, count=totals.count,
                                 done=done)
    return page_obj, rows, totals


def _page_of(ids: list[int], number: int, per_page: int, count: int, year: int, done=None):
    """(page, rows) for ids already picked for page `number` of a result of `count` rows."""
    page_obj = _CountedPaginator([], per_page, count=count).get_page(number)
    page_obj.object_list = ids
    return page_obj, _ledger_rows(ids, year, done)


MAX_PAGE = 10**9  # far past any ledger's last page; (MAX_PAGE * per_page) fits in BIGINT


def _page_number(page) -> int | None:
    """The page number as Paginator.get_page reads it (not a whole number: 1); None below 1."""
    try:
        if isinstance(page, float) and not page.is_integer():
            raise ValueError
        number = int(page)
    except (TypeError, ValueError):
        return 1
    # Below 1, or so far past the end that its offset overflows the database's integer: the long way.
    return number if 1 <= number <= MAX_PAGE else None


def _sorts_by_index(ordering: list[str]) -> bool:
    """Ordered by total investment: the one sortable column with an index of its own."""
    return [o.lstrip("-") for o in ordering] == ["total_investment"]


def _plan_ordering(queryset, ordering: list[str], year: int):
    """Sorting by the year's plan orders by the joined `year_plan` (see with_year_plan)."""
    if not any(o.lstrip("-") == "plan_investment" for o in ordering):
        return queryset, ordering
    ordering = [o.replace("plan_investment", f"{YEAR_PLAN}__planned_investment") for o in ordering]
    return with_year_plan(queryset, year), ordering


# Sorts by an indexed column, which PostgreSQL 15 misplans under a window aggregate (see below).
_INDEXED_SORTS = {"total_investment", "plan_investment", "region__path"}


def _ledger_rows(ids: list[int], year: int, done: completion.Figure | None = None) -> list[LedgerRow]:
    """The rows of projects `ids`, in that order, with what a ledger row shows (with `done`, its figure)."""
    rows = (
        with_year_plan(Project.objects.filter(id__in=ids), year, done)
        .annotate(plan_investment=F(f"{YEAR_PLAN}__planned_investment"))
        .order_by()
    )
    if done is not None:
        rows = rows.annotate(as_of_done=done.expression)
    # The leaders' names in one query, without prefetch_related's per-row querysets.
    leader_names: dict[int, list[str]] = {}
    links = ProjectLeader.objects.filter(project_id__in=ids).order_by("id").values_list("project_id", "leader__name")
    for project_id, name in links:
        leader_names.setdefault(project_id, []).append(name)
    by_id = {}
    for values in rows.values_list(*LEDGER_ROW_VALUES, *(("as_of_done",) if done is not None else ())):
        by_id[values[0]] = LedgerRow(values, leader_names.get(values[0], []))
    return [by_id[pk] for pk in ids]


# ------------------------------------------------------- 本年累计完成 as of one period (issue #13 §3)


@dataclass
class LedgerCompletion:
    """本年累计完成 of the ledger's rows and its 合计 row, as of one period (`as_of`, stated in the header);
    None throughout when the year has no period yet."""

    as_of: completion.AsOf | None
    total: Decimal | None
    rate: Decimal | None  # 完成率 of the 合计 row: total ÷ the totals' 年度计划投资


def ledger_completion(filtered, rows: list[LedgerRow], totals: LedgerTotals, *, as_of: completion.AsOf | None):
    """Set `completed` and `completion_rate` on the page's rows and answer the totals' figures, through
    the one provider the reports app registers (projects/completion.py): the page's figures as the rows
    carry them (`as_of_done`, read with the rows: ledger_page's `done`), else in one query; the 合计 from
    the totals when they summed it (completion.figure), else one more."""
    zero = Decimal("0.00")
    if as_of is not None and rows and hasattr(rows[0], "as_of_done"):
        done = {p.pk: p.as_of_done for p in rows if p.as_of_done is not None}
    else:
        done = completion.amounts(as_of, [p.pk for p in rows])
    for p in rows:
        p.completed = done.get(p.pk, zero) if as_of is not None else None
        p.completion_rate = completion.rate(p.completed, p.plan_investment)
    total = totals.completed if totals.completed is not None or as_of is None else completion.total(as_of, filtered)
    return LedgerCompletion(as_of, total, completion.rate(total, totals.annual_plan))


def project_for_user(user, pk: int) -> Project:
    """The project if the user may see it; otherwise NotFound (never 403, which would confirm it exists)."""
    from tuijin.core.exceptions import get_or_not_found

    return get_or_not_found(
        Project.objects.visible_to(user).select_related(
            "region", "level", "category", "nature", "stage", "owner", "lead_unit", "parent", "created_by",
            "requested_level",
        ),
        pk=pk,
    )


def project_editable(user, project: Project) -> bool:
    return Project.objects.editable_by(user).filter(pk=project.pk).exists()


def owner_contacts_visible(user, projects) -> set[int] | None:
    """Of `projects` (a Project queryset), the ids whose 业主联系人 and 联系电话 `user` sees in full: None
    for all of them (the office, the system: org.selectors.sees_contacts), else those the user edits (the
    project's own editors, who keep them). The rest are shown masked (core.masking). One query."""
    if sees_contacts(user):
        return None
    return set(Project.objects.editable_by(user).filter(pk__in=projects.order_by().values("pk"))
               .values_list("pk", flat=True))


def sees_owner_contact(user, project: Project) -> bool:
    visible = owner_contacts_visible(user, Project.objects.filter(pk=project.pk))
    return visible is None or project.pk in visible


def owner_contact(user, project: Project) -> tuple[str, str]:
    """The project's 业主联系人 and 联系电话 as `user` may see them: in full or masked."""
    if sees_owner_contact(user, project):
        return project.owner_contact, project.owner_phone
    return mask_name(project.owner_contact), mask_phone(project.owner_phone)


# How the history shows the personal fields to whoever may not see them in full.
PERSONAL_FIELDS = {"owner_contact": mask_name, "owner_phone": mask_phone}


def project_history(project: Project, user=None):
    """Changes to the project, its annual plans, units and leaders, newest first, in human words; the
    owner's contact masked unless `user` sees it in full (owner_contact; `None`: the system, in full)."""
    entries = describe(project.history.select_related("history_user").all(), Project,
                       mask=None if sees_owner_contact(user, project) else PERSONAL_FIELDS)
    plans = AnnualPlan.history.filter(project_id=project.pk).select_related("history_user")
    entries += describe(plans, AnnualPlan, subject=lambda r: f"{r.year}年度计划", skip=("version", "id", "project_id"))
    links = ProjectLeader.history.filter(project_id=project.pk).select_related("history_user", "leader")
    entries += [
        _link_entry(r, "联系领导", f"{r.leader}（{dict(ProjectLeader._meta.get_field('role').flatchoices)[r.role]}）")
        for r in links
    ]
    units = ProjectResponsibleUnit.history.filter(project_id=project.pk).select_related("history_user", "unit")
    entries += [_link_entry(r, "责任单位", str(r.unit)) for r in units]
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _link_entry(record, label: str, value: str):
    from tuijin.core.history import ACTIONS, Change, HistoryEntry

    verb = {"+": "增加", "-": "移除", "~": "修改"}[record.history_type]
    user = record.history_user
    return HistoryEntry(
        when=record.history_date,
        who=(user.get_full_name() or user.username) if user else "系统",
        action=ACTIONS.get(record.history_type, ""),
        subject=label,
        changes=[Change(label, label, "", f"{verb}：{value}")],
        reason=record.history_change_reason or "",
    )


# ------------------------------------------------------------------------------ 申报入库 (admission)


def admitted_totals(totals: LedgerTotals, filtered, year: int, done=None) -> LedgerTotals:
    """The totals row of the listed projects counting only those in the ledger (Project.objects.admitted):
    `totals` (of every listed project, which paging needs) less those awaiting admission or returned.
    Those are few and found through their partial index, so the common pass over the rest stays one."""
    from dataclasses import replace

    # Their ids first, from the partial index alone (a city has a handful): without them, nothing more
    # to read; with them, the totals of those few rows by primary key. Asked as one filtered query,
    # SQLite would start from the year's plans and pass over every project again.
    outside = list(Project.objects.not_admitted().order_by().values_list("pk", flat=True))
    if not outside:
        return totals
    waiting = ledger_totals(filtered.filter(pk__in=outside), year, done)
    if not waiting.count:
        return totals
    return replace(
        totals, count=totals.count - waiting.count, total_investment=totals.total_investment - waiting.total_investment,
        annual_plan=totals.annual_plan - waiting.annual_plan, not_admitted=waiting.count,
        completed=None if totals.completed is None else totals.completed - (waiting.completed or 0),
    )


def admission_queue(user):
    """The office's queue (项目申报审核): new projects awaiting admission and level changes awaiting
    approval, in the user's office scope, oldest application first."""
    return (
        Project.objects.reviewable_by(user).applications().filter(is_archived=False)
        .select_related("region", "level", "requested_level", "category", "applied_by", "created_by")
        .order_by(F("applied_at").asc(nulls_first=True), "id")  # the same order on both databases
    )


def admission_queue_count(user) -> int:
    """How many applications the user's queue holds (the office's navbar badge, on every page).

    The applications' ids first, each kind through its partial index (a city has a handful): asked as
    one query with OR, SQLite reads every project of the user's scope (15 ms at province scale)."""
    pending = Project.objects.not_admitted().filter(admission=Admission.PENDING).order_by().values_list("pk", flat=True)
    level = Project.objects.filter(requested_level__isnull=False).order_by().values_list("pk", flat=True)
    waiting = {*pending, *level}
    if not waiting:
        return 0
    return Project.objects.reviewable_by(user).applications().filter(is_archived=False, pk__in=waiting).count()
