"""Reads of the big screen (大屏): the data of one refresh, and the display tokens that open it without a
sign-in (who reads through a token, whether a token still opens the screen, the office's list).

Every figure comes from `tuijin.figures.selectors.figures` (the headline tiles and the districts, in one
call), the lights from `tuijin.alerts.selectors.lights`, the overdue lists from `tuijin.problems.selectors`
and the board from the latest published run of `tuijin.scoring`: this module only chooses, orders and
words them for the screen.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.alerts.models import Alert
from tuijin.alerts.selectors import light_counts
from tuijin.core.templatetags.tuijin import yi
from tuijin.figures import selectors as figures
from tuijin.figures.registry import FIGURES, MONEY, RATE, display
from tuijin.org.choices import Role, Scope
from tuijin.org.models import Region
from tuijin.org.selectors import Access, Grant, office_regions, user_access
from tuijin.problems import selectors as problems
from tuijin.projects.choices import Light
from tuijin.scoring import schemes as scoring_schemes
from tuijin.scoring import selectors as scoring
from tuijin.scoring.choices import Board

from ..models import DisplayToken

REFRESH_SECONDS = 300  # the screen asks for its data every five minutes
ROWS = 60  # rows of each scrolling list (the count above it says how many there are in all)
# The headline tiles, in their order: (figure key, the figure shown under it as a note).
HEADLINE = ("projects", "total_investment", "annual_plan", "completed", "plan_rate", "deviation_points", "start_rate")
KEYS = (*HEADLINE, "time_progress", "planned_starts", "started", "completion_rate")
YI = Decimal(10000)  # 万元 in a 亿元: a screen's amounts read in 亿元 once its plan reaches 1亿元


# ------------------------------------------------------------------------------------ who reads


class ScreenViewer:
    """Whom a display token reads as: not a person, never a request's user, only what the scoped
    querysets ask of a reader — an active, signed-in user with one read-only grant (a leader's) over the
    token's region and its subtree, of no unit and no 联系领导. Every read of the screen goes through
    the one scoping rule with it, so a token sees exactly what a city leader of that region would.

    The scoping helpers keep what they read about a user on the user object (`org.selectors.user_access`
    its grants, `problems.models.leader_of` its Leader row): both are set here, so they never look a
    ScreenViewer up in the user tables."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    is_anonymous = False
    pk = id = None
    NO_UNIT = 0  # no unit has id 0: the grant's unit matches no lead, responsible or handling unit

    def __init__(self, region: Region):
        self.region = region
        grant = Grant(role=Role.LEADER, scope=Scope.REGION, region_path=region.path, region_id=region.pk,
                      unit_id=self.NO_UNIT)
        self._tuijin_access = Access(user_id=None, is_superuser=False, grants=(grant,))
        self._tuijin_leader = [None]

    def __str__(self) -> str:
        return _("大屏（%(region)s）") % {"region": self.region.name}


def token_viewer(token: DisplayToken) -> ScreenViewer:
    return ScreenViewer(token.region)


# ------------------------------------------------------------------------------------ the tokens


def managed_tokens(user):
    """The tokens the user sees and may revoke on the management page: those of their office regions."""
    return DisplayToken.objects.filter(region__in=office_regions(user).values("pk"))


def token_list(user):
    return managed_tokens(user).select_related("region", "issued_by", "revoked_by").order_by("-created_at", "-id")


def token_history(user, limit: int = 50):
    """Who issued and revoked which of the user's tokens, and when (the tokens' history), newest first."""
    ids = managed_tokens(user).values("pk")
    return (DisplayToken.history.filter(id__in=ids).select_related("history_user", "region")
            .order_by("-history_date", "-history_id")[:limit])


def token_by_secret(secret: str) -> DisplayToken | None:
    """The token whose secret this is (found by its hash), revoked or not; None for no token."""
    from ..services import secret_hash

    return DisplayToken.objects.select_related("region", "issued_by").filter(secret_hash=secret_hash(secret)).first()


@dataclass(frozen=True)
class TokenRefusal:
    reason: str  # revoked, expired, issuer
    message: str


def token_refusal(token: DisplayToken, today: date | None = None, issuers: dict | None = None) -> TokenRefusal | None:
    """Why `token` no longer opens its screen, or None when it does: revoked, expired (after its last
    day), or its issuer may no longer issue it (account disabled, or no office grant over the region any
    more): a token never reads more than its issuer now may hand out. `issuers` keeps each issuer's office
    regions for a list of tokens."""
    today = today or timezone.localdate()
    again = _("如需继续展示，请联系推进办重新签发。")
    if token.revoked_at is not None:
        when = timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")
        return TokenRefusal("revoked", _("该大屏链接已于%(when)s撤销。") % {"when": when} + again)
    if token.expires_on < today:
        return TokenRefusal("expired", _("该大屏链接已于%(day)s到期。") % {"day": token.expires_on.isoformat()} + again)
    if not _issuer_may(token, {} if issuers is None else issuers):
        return TokenRefusal("issuer", _("签发该链接的账号已停用或不再负责%(region)s，链接已失效。") % {
            "region": token.region.name} + again)
    return None


def _issuer_may(token: DisplayToken, issuers: dict) -> bool:
    """Whether the token's issuer may still issue it: active, and of the office over its region (their office
    regions read once per issuer, so a list of tokens costs the same whatever its length)."""
    issuer = token.issued_by
    if issuer is None or not issuer.is_active:
        return False
    if issuer.pk not in issuers:
        issuers[issuer.pk] = set(office_regions(issuer).values_list("pk", flat=True))
    return token.region_id in issuers[issuer.pk]


def token_state(token: DisplayToken, today: date | None = None, issuers: dict | None = None) -> tuple[str, str]:
    """(valid / revoked / expired / issuer, its words) for the management page."""
    refusal = token_refusal(token, today, issuers)
    if refusal is None:
        return "valid", _("有效")
    return refusal.reason, {"revoked": _("已撤销"), "expired": _("已过期"), "issuer": _("签发人已无权限")}[refusal.reason]


# ------------------------------------------------------------------------------------ the data


def screen_region(user) -> Region | None:
    """The region a screen is titled by: a token's own, else the region the user's grants have in common
    (the city for the city's office and leaders, the district for its clerk)."""
    if isinstance(user, ScreenViewer):
        return user.region
    access = user_access(user)
    paths = sorted({g.region_path for g in access.grants})
    if access.is_superuser or not paths:
        return Region.objects.filter(parent__isnull=True).order_by("path").first() if access.is_superuser else None
    common = paths[0]
    for path in paths[1:]:
        while not path.startswith(common):
            common = common[: common.rstrip("/").rfind("/") + 1]
    return Region.objects.filter(path=common).first() if common else None


def _money_unit(total) -> tuple[str, bool]:
    plan = total.get("annual_plan")
    in_yi = plan is not None and plan >= YI
    return (_("亿元") if in_yi else _("万元")), in_yi


def _value(figure, value, in_yi: bool) -> str:
    if value is None:
        return "—"
    if figure.kind == MONEY:
        return yi(value) if in_yi else f"{value:,.2f}"
    if figure.kind == RATE:
        return str(value)  # the tile prints its unit (%) apart
    return display(value, figure.kind)


def _tone(key: str, value) -> str:
    """good / bad for the figures whose sign says how the place is doing (the deviation from 序时)."""
    if key == "deviation_points" and value is not None:
        return "good" if value >= 0 else "bad"
    return ""


def _headline(total, label: str) -> list[dict]:
    money_unit, in_yi = _money_unit(total)
    notes = {
        "projects": _("已入库、列有本年度计划的重点项目"),
        "completed": label,
        "plan_rate": _("序时进度 %(v)s") % {"v": display(total.get("time_progress"), RATE)},
        "deviation_points": total.deviation_text,
        "start_rate": _("计划新开工%(p)s个，已开工%(s)s个") % {"s": display(total.get("started"), "count"),
                                                       "p": display(total.get("planned_starts"), "count")},
        "completion_rate": "",
    }
    tiles = []
    for key in HEADLINE:
        figure, value = FIGURES[key], total.get(key)
        unit = money_unit if figure.kind == MONEY else figure.unit
        tiles.append({"key": key, "label": str(figure.label), "value": _value(figure, value, in_yi), "unit": unit,
                      "raw": None if value is None else str(value), "note": notes.get(key, ""),
                      "tone": _tone(key, value)})
    return tiles


def _breakdown(viewer, table, period, today) -> dict:
    """The panel beside the headline (and under the map): the year's plan completion of each place one
    level below the screen's region (the city's 县区, the province's cities); for a screen of one 县区,
    of each 项目类别 instead (a list of one district says nothing)."""
    if len(table.groups) > 1:
        return {"by": "region", "title": _("各县区年计划完成率"), "rows": _rows(table)}
    by_category = figures.figures(viewer, period=period, group_by="category", keys=("projects", "plan_rate",
                                                                                     "deviation_points"), today=today)
    return {"by": "category", "title": _("各类别项目年计划完成率"), "rows": _rows(by_category)}


def _rows(table) -> list[dict]:
    rows = []
    for group in table.groups:
        rate, gap = group.get("plan_rate"), group.get("deviation_points")
        rows.append({"key": group.key, "name": group.name, "projects": group.get("projects"),
                     "plan_rate": None if rate is None else str(rate), "plan_rate_text": display(rate, RATE),
                     "deviation_points": None if gap is None else str(gap), "deviation_text": group.deviation_text,
                     "tone": _tone("deviation_points", gap)})
    return rows


def _lights(projects) -> dict:
    counts = light_counts(projects)
    return {"red": counts.get(Light.RED, 0), "yellow": counts.get(Light.YELLOW, 0), "green": counts.get(Light.GREEN, 0)}


def _red_projects(projects, count: int) -> dict:
    """The red-light projects (the figures' projects whose light is red), by place, with their red reasons."""
    found = list(projects.filter(light=Light.RED).order_by("region__path", "name", "pk")
                 .values_list("pk", "name", "region__name")[:ROWS])
    reasons: dict[int, list[str]] = {}
    for project_id, reason in (Alert.objects.active().filter(level=Light.RED, project_id__in=[p[0] for p in found])
                               .order_by("project_id", "first_seen", "id").values_list("project_id", "reason")):
        reasons.setdefault(project_id, []).append(reason)
    return {"count": count, "title": _("红灯项目"), "total_text": _("共%(n)s个") % {"n": count},
            "rows": [{"name": name, "place": region, "text": "；".join(reasons.get(pk, []))} for pk, name, region in found]}


def _overdue(viewer, today: date) -> dict:
    late_problems = problems.overdue_problems(viewer, today)
    late_orders = problems.overdue_orders(viewer, today)
    counts = {"problems": late_problems.count(), "orders": late_orders.count()}
    rows = []
    for problem in late_problems[:ROWS]:
        days = problems.days_overdue(problem.deadline, today)
        rows.append((problem.deadline, {
            "kind": "problem", "tag": _("问题"), "name": problem.project.name,
            "text": f"{problem.type.name}：{problem.description[:40]}",
            "place": problem.handling_unit.name if problem.handling_unit_id else _("待交办"),
            "days": days, "days_text": _("逾期%(n)s天") % {"n": days}}))
    for order in late_orders[:ROWS]:
        due = order.due
        days = problems.days_overdue(due, today)
        rows.append((due, {
            "kind": "order", "tag": _("督办"), "name": order.project.name if order.project_id else order.number,
            "text": f"{order.number}：{order.content[:40]}", "place": order.unit.name if order.unit_id else "",
            "days": days, "days_text": _("逾期%(n)s天") % {"n": days}}))
    rows.sort(key=lambda pair: (pair[0], pair[1]["kind"]))
    return {**counts, "title": _("逾期问题与督办"),
            "total_text": _("问题%(p)s个 · 督办单%(o)s件") % {"p": counts["problems"], "o": counts["orders"]},
            "rows": [row for _day, row in rows[:ROWS]]}


def latest_board(viewer) -> dict | None:
    """The board (红榜 and 黑榜 of each 序列) of the latest published run the viewer sees, or None."""
    from tuijin.scoring.choices import RunState

    run = (scoring.runs_visible_to(viewer).filter(state=RunState.PUBLISHED).select_related("scheme")
           .order_by("-period_end", "-published_at", "-id").first())
    if run is None:
        return None
    lines = scoring.results_visible_to(viewer, run).filter(board__in=[Board.RED, Board.BLACK]).order_by(
        "series_sort", "rank", "id")
    labels = scoring_schemes.board_labels(run.snapshot.get("config"))
    series = []
    for name, results in scoring.series_of(lines):
        def line(result):
            return {"rank": result.rank, "tied": result.tied, "name": result.subject_name,
                    "total": format(result.total, "f"), "movement": result.movement,
                    "rank_text": (_("并列") if result.tied else "") + _("第%(r)s名") % {"r": result.rank},
                    "note": _("一票否决") if result.vetoed else ""}
        series.append({"name": name, "red": [line(r) for r in results if r.board == Board.RED],
                       "black": [line(r) for r in results if r.board == Board.BLACK]})
    snapshot = run.snapshot
    return {"scheme": snapshot.get("scheme", {}).get("name") or run.scheme.name,
            "period": snapshot.get("period_label") or "", "number": scoring.run_label(run),
            "labels": labels, "series": series, "points": _("分")}


def screen_data(viewer, *, period=None, today: date | None = None) -> dict:
    """Everything one refresh of the big screen shows, for `viewer` (a signed-in user, or a token's
    ScreenViewer), as of `period` (default: the 统计分析 page's, the month of the latest reporting period
    begun): JSON-ready, every number already worded as the screen prints it."""
    from tuijin.figures.views import default_period

    today = today or timezone.localdate()
    period = period or default_period()
    table = figures.figures(viewer, period=period, group_by="region", keys=KEYS, today=today)
    projects = figures.projects_of(viewer, period=period)
    lights = _lights(projects)
    region = screen_region(viewer)
    place = region.name if region is not None else ""
    now = timezone.localtime()
    return {
        "title": _("%(place)s重点项目建设推进情况") % {"place": place} if place else _("重点项目建设推进情况"),
        "region": {"name": place, "code": region.code if region is not None else ""},
        "period": table.basis.period.key, "as_of": table.label,
        "generated_at": now.isoformat(timespec="seconds"),
        "generated_text": _("%(time)s 更新") % {"time": now.strftime("%H:%M")},
        "refresh_seconds": REFRESH_SECONDS,
        "headline": _headline(table.total, table.label),
        "lights": {**lights, "labels": {"red": str(Light.RED.label), "yellow": str(Light.YELLOW.label),
                                        "green": str(Light.GREEN.label)}},
        "breakdown": _breakdown(viewer, table, period, today),
        "board": latest_board(viewer),
        "red": _red_projects(projects, lights["red"]),
        "overdue": _overdue(viewer, today),
        "map": _map(viewer, table.basis.period),
    }


def _map(viewer, period) -> dict | None:
    """The 落地地图 of the viewer's city (selectors.map: districts by 年计划完成率, projects as points), which
    the screen's map panel draws (district_map.js); None when there is no city to show."""
    from .map import map_data

    found = map_data(viewer, period=period)
    return found.as_json() if found.city is not None else None
