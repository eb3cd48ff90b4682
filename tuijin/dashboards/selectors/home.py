"""Each role's first screen (首页, issue #17 §1): what the user has to do first, then the headline figures
of their scope.

- the leader's (分包市领导): his projects (the ledger's 联系领导 filter) with their lights and reasons,
  this year's completion against plan and 序时, the nodes due or overdue, the problems escalated to him
  and the 督办单 about his projects; then the headline figures of his scope (the city);
- the office's (推进办: dispatchers and admins): the month at a glance — the open reporting period (who
  has not reported, with 催报; what awaits review), new red lights, overdue problems and orders, the next
  meetings and what falls due by then, the nodes overdue;
- everyone else's (clerks, handlers, inspectors): their own to-do (reports to fill or correct, problems
  their unit handles, orders to answer, problems to verify), then their scope's headline figures.

Every number is a `Number`: its value and the URL of the list behind it. The value is counted with the
very selector or FilterSet the list reads, on the parameters the link carries (problems.selectors.
problem_filter, alerts.selectors.alert_filter, schedules.selectors.node_filter…), so the list shows the
same count; figures come from tuijin.figures.selectors (never computed here) and link to their drill-down
or to the ledger. The number of queries does not grow with the rows: every list is counted in the
database and shown only in its first few rows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.alerts import selectors as alerts
from tuijin.figures import selectors as figures
from tuijin.figures.periods import Period, month_of
from tuijin.figures.registry import COUNT, FIGURES, MONEY, POINTS, RATE, display
from tuijin.org.choices import Role, Scope
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import OFFICE_ROLES, SUPERVISOR_ROLES, is_editor, user_access
from tuijin.problems import selectors as problems
from tuijin.problems.models import leader_of
from tuijin.projects.choices import Light
from tuijin.projects.models import Project
from tuijin.projects.selectors import admission_queue_count
from tuijin.reports import selectors as reports
from tuijin.reports.choices import ReportState
from tuijin.schedules import selectors as schedules
from tuijin.schedules.choices import MilestoneStatus

OFFICE, LEADER, WORK = "office", "leader", "work"
SECURITY, AUDIT = "security", "audit"  # the security and audit administrators' (三权分立): their tools only
SCREEN_LABELS = {OFFICE: gettext_lazy("本月调度"), LEADER: gettext_lazy("我联系的项目"), WORK: gettext_lazy("我的待办"),
                 SECURITY: gettext_lazy("安全管理"), AUDIT: gettext_lazy("安全审计")}
# The audit trail's pages (the audit app, issue #18 §3) live at this path; linked as a path so that this
# screen does not depend on that app being installed.

ROWS = 8  # rows shown under a number (the list behind it holds them all)
# The headline figures of a scope and of a leader's projects: all from the ledger's one pass (序时 in it).
HEADLINE_KEYS = ("projects", "annual_plan", "completed", "plan_rate", "time_progress", "deviation_points", "start_rate")
LIGHT_FIGURES = ((Light.RED, "red_projects"), (Light.YELLOW, "yellow_projects"), (Light.GREEN, "green_projects"))
LIGHT_KEYS = tuple(key for _light, key in LIGHT_FIGURES)
PROJECT_KEYS = ("annual_plan", "completed", "plan_rate", "deviation_points")


@dataclass(frozen=True)
class Number:
    """A number on a first screen and the list behind it (`url`, with the parameters it was counted on)."""

    key: str
    label: str
    value: object
    url: str
    kind: str = COUNT
    tone: str = ""  # "danger", "warning", "success" or "" (how the number is coloured when not zero)
    hint: str = ""  # the rule in words (a tooltip)
    light: int | None = None  # a count of projects of one light (the tile shows its dot)

    @property
    def text(self) -> str:
        if self.kind == MONEY and self.value is not None:
            return f"{Decimal(self.value) / 10000:,.2f}"  # 亿元 on a tile; the hint and the list give 万元
        return display(self.value, self.kind)

    @property
    def unit(self) -> str:
        return {MONEY: _("亿元"), RATE: "", POINTS: _("个百分点")}.get(self.kind, "")


def _url(name: str, params: dict | None = None, *args) -> str:
    base = reverse(name, args=args)
    params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


# ------------------------------------------------------------------------------------------ which


def screens_for(user) -> list[str]:
    """The screens the user's roles call for, the first being theirs by default: the office's, the
    leader's (a leader grant, or a 联系领导 record linked to the account), everyone else's."""
    access = user_access(user)
    found = []
    if Role.SECURITY in access.administration:
        found.append(SECURITY)
    if Role.AUDITOR in access.administration:
        found.append(AUDIT)
    if found and not access.grants:  # an administrator with no business grant: no business screen either
        return found
    if access.has_role(*OFFICE_ROLES):
        found.append(OFFICE)
    if Role.LEADER in access.roles or leader_of(user) is not None:
        found.append(LEADER)
    if access.roles & {Role.REPORTER, Role.HANDLER, Role.INSPECTOR} or not found:
        found.append(WORK)
    return found


def figures_period(today: date) -> Period:
    """The month the figures are read as of: the latest reporting period already due (年初至上月底), as
    the warnings judge (reports.selectors.last_due_period), so the lights' reasons and the figures beside
    them speak of the same month; this month before any period is due."""
    due = reports.last_due_period(today)
    return month_of(due.ends_on if due is not None else today)


# ----------------------------------------------------------------------------------- the headline


@dataclass
class Headline:
    """The headline figures of a set of projects (a scope, a leader's): as of `label`, each a Number that
    opens the figure's drill-down (the ledger for the count), and the projects by light."""

    label: str
    numbers: list[Number]
    lights: list[Number]
    projects: int
    title: str = ""

    def get(self, key: str) -> Number | None:
        return next((n for n in self.numbers + self.lights if n.key == key), None)

    @property
    def shown(self) -> list[Number]:
        """The numbers the screen shows: none but a sentence when there is no project."""
        return self.numbers + self.lights if self.projects else []


def headline(user, period: Period, filters: dict | None = None, prefix: str = "", *, table=None,
             lights: dict | None = None) -> Headline:
    """The headline figures of the projects `user` sees that pass the ledger `filters`; `table` (their
    figures, when the caller already asked them) and `lights` ({light: projects}) spare asking again."""
    filters = filters or {}
    if table is None:
        # The lights in the same pass (the figures' light figures: for the month judged, the lights the
        # ledger's light filter shows).
        table = figures.figures(user, period=period, filters=filters, keys=(*HEADLINE_KEYS, *LIGHT_KEYS))
        if lights is None and table.total["red_projects"] is not None:
            lights = {int(light): table.total[key] for light, key in LIGHT_FIGURES}
    total = table.total
    ledger = table.ledger_params() or {}

    def explain(key: str) -> str:
        return _url("figures:explain", {**filters, "figure": key, "group": "total", "period": period.key})

    def number(key: str, url: str | None = None, tone: str = "") -> Number:
        figure = FIGURES[key]
        hint = str(figure.definition)
        if figure.kind == MONEY:  # the tile shows 亿元; the exact amount in 万元 on hover, as the list shows it
            hint = _("%(amount)s万元。%(rule)s") % {"amount": display(total[key], MONEY), "rule": hint}
        return Number(f"{prefix}{key}", str(figure.label), total[key], url or explain(key), figure.kind, tone, hint)

    deviation = total["deviation_points"]
    numbers = [
        number("projects", _url("projects:list", ledger)),
        number("annual_plan"), number("completed"), number("plan_rate"), number("time_progress"),
        number("deviation_points", tone="danger" if deviation is not None and deviation < 0 else "success"),
        number("start_rate"),
    ]
    if lights is None:
        lights = alerts.light_counts(figures.projects_of(user, period=period, filters=filters))
    light_numbers = [Number(f"{prefix}light_{int(light)}", str(light.label), lights.get(int(light), 0),
                            _url("projects:list", {**ledger, "light": int(light)}), COUNT, tone, light=int(light))
                     for light, tone in ((Light.RED, "danger"), (Light.YELLOW, "warning"), (Light.GREEN, "success"))]
    return Headline(table.label, numbers, light_numbers, total["projects"])


def scope_title(user) -> str:
    """What the user's headline figures cover, in words: 临沂市概况, 兰山区概况, 临沂市交通运输局的项目…"""
    access = user_access(user)
    if access.is_superuser or not access.grants:
        return _("全部项目概况")
    names = []
    for grant in access.grants:
        if grant.scope == Scope.UNIT:
            name = _("%(unit)s的项目") % {"unit": Unit.objects.filter(pk=grant.unit_id).values_list("name", flat=True).first()}
        else:
            name = _("%(region)s概况") % {"region": Region.objects.filter(pk=grant.region_id).values_list("name", flat=True).first()}
        if name not in names:
            names.append(name)
    return "、".join(names[:2]) + ("…" if len(names) > 2 else "")


# ------------------------------------------------------------------------------------- the leader


@dataclass
class ProjectRow:
    """A red or yellow project on a first screen: its light and the reason, and its figures of the year."""

    pk: int
    name: str
    region: str
    light: int
    reason: str
    figures: dict

    @property
    def plan_rate(self) -> str:
        return display(self.figures.get("plan_rate"), RATE)

    @property
    def deviation(self):
        return self.figures.get("deviation_points")

    @property
    def deviation_text(self) -> str:
        return display(self.deviation, POINTS)

    @property
    def completed(self) -> str:
        return display(self.figures.get("completed"), MONEY)

    @property
    def annual_plan(self) -> str:
        return display(self.figures.get("annual_plan"), MONEY)


@dataclass
class LeaderScreen:
    leader: Leader | None
    mine: Headline | None = None
    attention: list[ProjectRow] = field(default_factory=list)
    todo: list[Number] = field(default_factory=list)
    escalated: list = field(default_factory=list)
    nodes: list = field(default_factory=list)
    orders: list = field(default_factory=list)
    scope: Headline | None = None

    def numbers(self) -> list[Number]:
        found = list(self.todo)
        for head in (self.mine, self.scope):
            if head is not None:
                found += head.shown
        return found


def _rows(groups, facts: dict) -> list[ProjectRow]:
    """The red, then yellow projects among figures grouped by project (`facts`: id → (light, reason,
    region)), the furthest behind 序时 first; at most ROWS."""
    rows = []
    for group in groups:
        light, reason, region = facts.get(int(group.key), (Light.GREEN, "", ""))
        if light != Light.GREEN:
            rows.append(ProjectRow(int(group.key), group.name, region, light, reason, group.values))
    rows.sort(key=lambda r: (-r.light, r.deviation is None, r.deviation or 0, r.name))
    return rows[:ROWS]


def attention(user, period: Period, filters: dict | None = None) -> list[ProjectRow]:
    """The red, then yellow projects of the ledger `filters` (a leader's, or the whole scope), each with
    its light's reason and its figures (grouped by project), the furthest behind 序时 first; at most ROWS."""
    rows: list[ProjectRow] = []
    for light in (Light.RED, Light.YELLOW):  # both asked, whatever the red ones: as many queries every time
        table = figures.figures(user, period=period, group_by="project", keys=PROJECT_KEYS,
                                filters={**(filters or {}), "light": int(light)})
        ordered = sorted(table.groups, key=lambda g: (g["deviation_points"] is None, g["deviation_points"] or 0, g.name))
        rows += [ProjectRow(int(g.key), g.name, "", int(light), "", g.values) for g in ordered[:max(0, ROWS - len(rows))]]
    facts = {pk: (region, reason) for pk, region, reason in
             Project.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", "region__name", "light_reason")}
    for row in rows:
        row.region, row.reason = facts.get(row.pk, ("", ""))
    return rows


def leader_screen(user, today: date) -> LeaderScreen:
    period = figures_period(today)
    leader = leader_of(user)
    screen = LeaderScreen(leader)
    if leader is not None:
        mine = {"leader": leader.pk}
        # His projects' figures grouped by project (the total is their sum): the headline and the rows of
        # his red and yellow projects from one call, their lights and reasons from one read of them.
        table = figures.figures(user, period=period, filters=mine, keys=HEADLINE_KEYS, group_by="project")
        facts = {pk: (light, reason, region) for pk, light, reason, region in figures.projects_of(
            user, period=period, filters=mine).values_list("pk", "light", "light_reason", "region__name")}
        screen.mine = headline(user, period, mine, prefix="mine_", table=table,
                               lights=Counter(light for light, _r, _g in facts.values()))
        screen.mine.title = _("我联系的项目")
        screen.attention = _rows(table.groups, facts)
        escalated = problems.problem_filter(user, {**mine, "status": "active"}, today).qs
        overdue_nodes = schedules.node_filter(user, {**mine, "status": MilestoneStatus.OVERDUE}, today).qs
        soon_nodes = schedules.node_filter(user, {**mine, "status": MilestoneStatus.DUE_SOON}, today).qs
        open_orders = problems.order_filter(user, {**mine, "status": "open"}, today).qs
        overdue_orders = problems.order_filter(user, {**mine, "status": "overdue"}, today).qs
        gantt = "schedules:gantt"
        screen.todo = [
            Number("escalated", _("提请我协调的问题"), escalated.count(),
                   _url("problems:list", {**mine, "status": "active"}), tone="danger"),
            Number("nodes_overdue", _("逾期节点"), overdue_nodes.count(),
                   _url(gantt, {**mine, "status": MilestoneStatus.OVERDUE}), tone="danger"),
            Number("nodes_soon", _("7天内到期节点"), soon_nodes.count(),
                   _url(gantt, {**mine, "status": MilestoneStatus.DUE_SOON}), tone="warning"),
            Number("orders_open", _("督办中的督办单"), open_orders.count(),
                   _url("problems:orders", {**mine, "status": "open"}), tone="warning"),
            Number("orders_overdue", _("逾期督办单"), overdue_orders.count(),
                   _url("problems:orders", {**mine, "status": "overdue"}), tone="danger"),
        ]
        screen.escalated = list(problems.with_instruction(escalated, user).order_by(*problems.deadline_order())[:ROWS])
        screen.nodes = _node_rows(overdue_nodes, soon_nodes)
        screen.orders = list(open_orders.order_by("reply_by", "id")[:ROWS])
    screen.scope = headline(user, period)
    screen.scope.title = scope_title(user)
    return screen


def _node_rows(overdue, soon) -> list:
    """The overdue nodes, then those due within a week, earliest first (at most ROWS), with their project."""
    def first(nodes):
        return list(nodes.select_related("project").only("id", "name", "planned_date", "project__name")
                    .order_by("planned_date", "id")[:ROWS])

    return (first(overdue) + first(soon))[:ROWS]


def _overdue_problems(user, today: date) -> Number:
    found = problems.problem_filter(user, {"due": "overdue"}, today).qs
    return Number("problems_overdue", _("逾期问题"), found.count(), _url("problems:overdue"), tone="danger")


# ------------------------------------------------------------------------------------- the office


@dataclass
class MeetingDue:
    """A standing meeting (or inspection) rhythm, its next date and what falls due by then."""

    cadence: object
    next_on: date
    is_late: bool
    last: object
    numbers: list[Number]


@dataclass
class OfficeScreen:
    period: object = None  # the reporting period open (the latest), or None
    dispatch: list[Number] = field(default_factory=list)
    units: list = field(default_factory=list)  # (reports.selectors.Tally, Number) of the units with reports missing
    can_remind: bool = False
    warnings: list[Number] = field(default_factory=list)
    problems: list[Number] = field(default_factory=list)
    meetings: list[MeetingDue] = field(default_factory=list)
    nodes: list[Number] = field(default_factory=list)
    scope: Headline | None = None

    def numbers(self) -> list[Number]:
        found = self.dispatch + self.warnings + self.problems + self.nodes
        found += [n for m in self.meetings for n in m.numbers] + [n for _t, n in self.units]
        if self.scope is not None:
            found += self.scope.shown
        return found


def office_screen(user, today: date) -> OfficeScreen:
    period = figures_period(today)
    screen = OfficeScreen()
    current = reports.open_periods().first()
    if current is not None:
        overview = reports.period_overview(user, current)
        total, page = overview.total, _url("reports:period", None, current.pk)
        screen.period, screen.can_remind = current, current.is_open
        screen.dispatch = [
            Number("reports_required", _("应报项目"), total.required, page),
            Number("reports_handed_in", _("已上报"), total.handed_in, page, tone="success"),
            Number("reports_missing", _("未上报"), total.missing, page, tone="danger"),
            Number("reports_submitted", _("待审核"), reports.review_queue(user, current).count(),
                   _url("reports:review", None, current.pk), tone="warning"),
            Number("reports_returned", _("退回待改"), total.counts[ReportState.RETURNED], page, tone="warning"),
        ]
        # The units with the most reports missing; each count opens the period page's list of them.
        screen.units = [(t, Number(f"unit_{'none' if t.key is None else t.key}", t.name, t.missing, _url(
            "reports:period", {"unit": "none" if t.key is None else t.key}, current.pk) + "#missing", tone="danger"))
            for t in overview.by_unit if t.missing > 0][:ROWS]
    month_start = today.replace(day=1)
    red_new = alerts.alert_filter(user, {"light": str(int(Light.RED)), "since": month_start.isoformat()})[1].qs
    screen.warnings = [
        Number("red_new", _("本月新亮红灯"), red_new.count(),
               _url("alerts:list", {"light": int(Light.RED), "since": month_start.isoformat()}), tone="danger",
               hint=_("本月1日以来转为红灯的预警（条）")),
    ]
    screen.problems = [
        Number("assign", _("待交办问题"), problems.unassigned(user).count(), _url("problems:inbox", {"tab": "assign"}),
               tone="warning"),
        Number("verify", _("待核实销号"), problems.awaiting_verification(user).count(),
               _url("problems:inbox", {"tab": "verify"}), tone="warning"),
        _overdue_problems(user, today),
        Number("orders_overdue", _("逾期督办单"), problems.order_filter(user, {"status": "overdue"}, today).qs.count(),
               _url("problems:orders", {"status": "overdue"}), tone="danger"),
        Number("admissions", _("项目申报待审核"), admission_queue_count(user), _url("projects:admissions"),
               tone="warning"),
    ]
    screen.meetings = _meetings(user, today)
    screen.nodes = _nodes(user, today)
    screen.scope = headline(user, period)
    screen.scope.title = scope_title(user)
    return screen


def _meetings(user, today: date, kinds=("meeting", "inspection")) -> list[MeetingDue]:
    """The standing rhythms (半月一例会, 一月一督导…) with their next date and the problems and orders that
    fall due by then (problems.selectors.cadences), each count linking to its list."""
    found = []
    for due in problems.cadences(user, today, limit=0):
        kind = "meeting" if due.cadence.meeting_kind else "inspection"
        if kind not in kinds:
            continue
        day = due.next_on.isoformat()
        found.append(MeetingDue(due.cadence, due.next_on, due.is_late, due.last, [
            Number(f"cadence_{due.cadence.pk}_problems", _("届时到期问题"), due.problem_count,
                   _url("problems:list", {"due_by": day}), tone="warning"),
            Number(f"cadence_{due.cadence.pk}_orders", _("届时到期督办单"), due.order_count,
                   _url("problems:orders", {"due_by": day}), tone="warning"),
        ]))
    return found


def _nodes(user, today: date) -> list[Number]:
    return [
        Number("nodes_overdue", _("逾期节点"),
               schedules.node_filter(user, {"status": MilestoneStatus.OVERDUE}, today).qs.count(),
               _url("schedules:gantt", {"status": MilestoneStatus.OVERDUE}), tone="danger"),
        Number("nodes_soon", _("7天内到期节点"),
               schedules.node_filter(user, {"status": MilestoneStatus.DUE_SOON}, today).qs.count(),
               _url("schedules:gantt", {"status": MilestoneStatus.DUE_SOON}), tone="warning"),
    ]


# --------------------------------------------------------------------- clerks, handlers, inspectors


@dataclass
class PeriodTodo:
    period: object
    numbers: list[Number]
    total: int


@dataclass
class WorkScreen:
    has_place: bool = True  # False: an account without any unit or role yet
    reports: list[PeriodTodo] = field(default_factory=list)
    problems: list[Number] = field(default_factory=list)
    rows: list = field(default_factory=list)  # the unit's problems to handle, most pressing first
    orders: list = field(default_factory=list)  # the unit's orders to answer
    verify: list = field(default_factory=list)  # problems solved, awaiting an inspector's verification
    nodes: list[Number] = field(default_factory=list)
    meetings: list[MeetingDue] = field(default_factory=list)
    attention: list[ProjectRow] = field(default_factory=list)  # the scope's red and yellow projects
    scope: Headline | None = None

    @property
    def has_todo(self) -> bool:
        return any(n.value for p in self.reports for n in p.numbers) or any(n.value for n in self.problems)

    def numbers(self) -> list[Number]:
        found = [n for p in self.reports for n in p.numbers] + self.problems + self.nodes
        found += [n for m in self.meetings for n in m.numbers]
        if self.scope is not None:
            found += self.scope.shown
        return found


def work_screen(user, today: date) -> WorkScreen:
    access = user_access(user)
    screen = WorkScreen(has_place=bool(access.grants) or access.is_superuser)
    if not screen.has_place:
        return screen
    inbox = "problems:inbox"
    if is_editor(user):
        for period in reports.open_periods():
            mine = reports.inbox(user, period)
            counts = reports.state_counts(mine)
            total = sum(counts.values())
            if not total:
                continue
            url = _url("reports:inbox")
            screen.reports.append(PeriodTodo(period, [
                Number(f"reports_{period.pk}_{state}", label, counts[state], url, tone=tone)
                for state, label, tone in ((ReportState.PENDING, _("未填报"), "danger"),
                                           (ReportState.DRAFT, _("草稿未上报"), "warning"),
                                           (ReportState.RETURNED, _("退回待改"), "danger"))], total))
        screen.nodes = _nodes(user, today)[:1]
    unit_rows, orders = problems.unit_inbox(user), problems.order_inbox(user)
    unit_numbers = [
        Number("unit", _("本单位办理的问题"), unit_rows.count(), _url(inbox, {"tab": "unit"}), tone="warning"),
        Number("cooperate", _("配合办理的问题"), problems.cooperating_inbox(user).count(),
               _url(inbox, {"tab": "cooperate"})),
        Number("orders", _("本单位督办单"), orders.count(), _url(inbox, {"tab": "orders"}), tone="danger"),
    ]
    # A clerk's or a handler's unit handles problems and answers orders; an inspector's only when it has some.
    if access.roles & {Role.REPORTER, Role.HANDLER} or any(n.value for n in unit_numbers):
        screen.problems = unit_numbers
        screen.rows, screen.orders = list(unit_rows[:ROWS]), list(orders[:ROWS])
    if access.has_role(*SUPERVISOR_ROLES):
        verify = problems.awaiting_verification(user)
        screen.problems += [
            Number("verify", _("待核实销号"), verify.count(), _url(inbox, {"tab": "verify"}), tone="warning"),
            Number("orders_overdue", _("逾期督办单"), problems.order_filter(user, {"status": "overdue"}, today).qs.count(),
                   _url("problems:orders", {"status": "overdue"}), tone="danger"),
        ]
        screen.verify = list(verify[:ROWS])
        screen.meetings = _meetings(user, today, kinds=("inspection",))
    period = figures_period(today)
    screen.attention = attention(user, period)
    screen.scope = headline(user, period)
    screen.scope.title = scope_title(user)
    return screen


# ------------------------------------------------------------------------ the administrators' screens


@dataclass(frozen=True)
class Tool:
    """A tool on an administrator's first screen: its page, what it is for, and a count where one helps."""

    key: str
    label: str
    url: str
    text: str
    count: int | None = None


@dataclass
class AdminScreen:
    title: str
    duty: str  # what this administrator does, in a sentence
    tools: list[Tool]
    cannot: str  # what they do not do (三权分立), so nobody looks for it here


def security_screen(user, today: date) -> AdminScreen:
    """The security administrator's: grants, unlocks and the login records, with the accounts locked now."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.utils import timezone

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    locked = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
                                          attempt_time__gte=since).count()
    return AdminScreen(
        title=_("安全管理员"),
        duty=_("您负责用户的角色授权与数据范围、双因素认证的重置、登录锁定的解除，并查看登录记录。"),
        tools=[
            Tool("grants", _("角色授权"), reverse("admin:org_membership_changelist"),
                 _("为用户授予或撤销角色，设定其所属单位和数据范围。不能为自己授权。")),
            Tool("factors", _("双因素认证重置"), reverse("accounts:users"),
                 _("用户丢失验证器时，重置其双因素认证；用户下次登录时重新绑定。")),
            Tool("unlock", _("解锁"), _url("admin:axes_accessattempt_changelist", {"locked_out": "yes"}),
                 _("连续登录失败被锁定的账号和地址，删除其失败记录即解锁。"), locked),
            Tool("logins", _("登录记录"), reverse("admin:axes_accesslog_changelist"), _("成功登录与退出的记录（只读）。")),
            Tool("failures", _("登录失败记录"), reverse("admin:axes_accessfailurelog_changelist"),
                 _("每一次登录失败的记录（只读）。")),
        ],
        cannot=_("用户账号、字典和系统设置由系统管理员维护；审计记录由审计管理员查阅。您的账号不能查看项目等业务数据。"),
    )


def audit_screen(user, today: date) -> AdminScreen:
    """The audit administrator's: the audit trail, searched and exported, and nothing else."""
    return AdminScreen(
        title=_("审计管理员"),
        duty=_("您负责查阅和导出安全审计记录：谁在何时从何处做了什么、结果如何。"),
        tools=[Tool("audit", _("审计日志"), reverse("audit:list"), _("按用户、事件类型、时间和结果查询审计记录，导出查询结果。"))],
        cannot=_("您不能修改任何设置、账号或授权，也不能查看项目等业务数据；审计记录任何人都不能修改或删除。"),
    )


SCREENS = {OFFICE: office_screen, LEADER: leader_screen, WORK: work_screen, SECURITY: security_screen,
           AUDIT: audit_screen}


def screen_for(user, kind: str, today: date):
    return SCREENS[kind](user, today)
