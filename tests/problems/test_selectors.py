"""Reads of problems and orders (tuijin.problems.selectors): who sees what, the inboxes, overdue and
due-soon lists, closure statistics and the meeting rhythms.

Records are written straight into the state a list reads; dates are fixed (T = 2026-07-10, a Friday)
so nothing depends on when the suite runs, and every number is worked out by hand next to it.
"""

from datetime import date, timedelta

import pytest

from tuijin.problems import selectors
from tuijin.problems.choices import (
    InspectionKind,
    Interval,
    Ladder,
    MeetingKind,
    OrderStatus,
    ProblemStatus,
)
from tuijin.problems.models import Inspection, Meeting, MeetingCadence, Problem, SupervisionOrder
from tuijin.problems.workflow import ORDER_WORKFLOW, PROBLEM_WORKFLOW

from .. import factories as f
from .conftest import kind

T = date(2026, 7, 10)
S = ProblemStatus


def day(n: int) -> date:
    return T + timedelta(days=n)


def order(project, unit, *, status=OrderStatus.ISSUED, reply_by=T, rectify_by=None, seq=None) -> SupervisionOrder:
    seq = seq or SupervisionOrder.objects.count() + 1
    return SupervisionOrder.objects.create(year=2026, seq=seq, project=project, unit=unit, content=f"督办事项{seq}",
                                           reply_by=reply_by, rectify_by=rectify_by, status=status, issued_on=day(-20), version=1)


# ========================================================================================= who sees


@pytest.fixture
def scene(problem_at, other_project, units, contact_leader):
    """a: 兰山区 project, handled by 市自然资源和规划局.
    b: 罗庄区 project, handled by 市交通运输局.
    c: 罗庄区 project, handled by 罗庄区人民政府, 市交通运输局 cooperating.
    d: 罗庄区 project, handled by 罗庄区人民政府, escalated to 王建国 (coordinator).
    e: 罗庄区 project, handled by 兰山区人民政府."""
    none = {"coordinating_leader": None, "cooperating": []}
    return {
        "a": problem_at(S.HANDLING, **none),
        "b": problem_at(S.HANDLING, project=other_project, handling_unit=units.transport, **none),
        "c": problem_at(S.HANDLING, project=other_project, handling_unit=units.luozhuang_government, coordinating_leader=None,
                        cooperating=[units.transport]),
        "d": problem_at(S.HANDLING, project=other_project, handling_unit=units.luozhuang_government, cooperating=[],
                        coordinating_leader=contact_leader, level=Ladder.LEADER),
        "e": problem_at(S.HANDLING, project=other_project, handling_unit=units.lanshan_government, **none),
    }


@pytest.mark.parametrize(("principal", "seen"), [
    ("admin", "abcde"), ("dispatcher", "abcde"), ("leader", "abcde"), ("handler", "abcde"), ("inspector", "abcde"),
    ("reporter_a", "ae"),  # its district's project, and what its own unit handles elsewhere
    ("reporter_b", "bcde"),  # its district's project only
    ("dept_reporter", "bc"),  # sees no project: what its unit handles or helps with
    ("coordinator", "d"),  # no membership: only what was escalated to him
    ("outsider", ""), ("anonymous", ""),
])
def test_who_sees_which_problem(principal, seen, people, scene):
    visible = Problem.objects.visible_to(people[principal])
    names = {problem.pk: name for name, problem in scene.items()}
    assert sorted(names[pk] for pk in visible.values_list("pk", flat=True)) == list(seen)
    assert visible.count() == len(seen)  # never twice (a unit both handling and cooperating, say)


@pytest.mark.parametrize(("principal", "editable"), [
    ("admin", "abcde"), ("dispatcher", "abcde"), ("leader", "abcde"), ("inspector", "abcde"),  # a step on every one
    ("handler", "a"),  # what its unit handles; the others it only sees
    ("reporter_a", "ae"),  # a raised by her (附件), e handled by her unit
    ("reporter_b", "cd"),  # handled by its unit; b is only its district's project
    ("dept_reporter", "bc"),  # b handled, c helped with by its unit
    ("coordinator", "d"),  # escalated to him
    ("outsider", ""), ("anonymous", ""),
])
def test_who_may_act_on_which_problem(principal, editable, people, scene):
    """editable_by: the visible problems on which the workflow table gives the user some step from some status."""
    user = people[principal]
    names = {problem.pk: name for name, problem in scene.items()}
    assert sorted(names[pk] for pk in Problem.objects.editable_by(user).values_list("pk", flat=True)) == list(editable)
    visible = set(Problem.objects.visible_to(user).values_list("pk", flat=True))
    acts = set()
    for problem in scene.values():
        for status in S:
            problem.status = status  # in memory only: the table reads the instance
            if problem.pk in visible and any(PROBLEM_WORKFLOW.allows(action, problem.status, user, problem) for action in PROBLEM_WORKFLOW.names):
                acts.add(names[problem.pk])
    assert sorted(acts) == list(editable)


def test_the_scoped_querysets_chain_after_other_filters(people, scene):
    assert list(Problem.objects.filter(status=S.HANDLING, handling_unit__isnull=False).order_by("pk")
                .visible_to(people["dept_reporter"]).editable_by(people["dept_reporter"])) == [scene["b"], scene["c"]]
    assert list(Problem.objects.filter(pk=scene["a"].pk).visible_to(people["dept_reporter"])) == []


def test_a_problem_out_of_sight_is_not_found(people, scene):
    from tuijin.core.exceptions import NotFound

    assert selectors.problem_for_user(people["dept_reporter"], scene["b"].pk) == scene["b"]
    with pytest.raises(NotFound) as exc:
        selectors.problem_for_user(people["dept_reporter"], scene["a"].pk)
    assert str(exc.value) == "问题不存在或不在您的范围内"
    with pytest.raises(NotFound) as missing:
        selectors.problem_for_user(people["dept_reporter"], 10**9)
    assert str(missing.value) == str(exc.value)  # the same words whether or not it exists
    with pytest.raises(NotFound):
        selectors.problem_for_user(people["outsider"], scene["a"].pk)


@pytest.mark.parametrize(("principal", "seen"), [
    ("dispatcher", [1, 2]), ("reporter_a", [1]), ("reporter_b", [2]), ("handler", [1, 2]),
    ("dept_reporter", [1]),  # issued to its unit, on a project it does not see
    ("coordinator", []), ("outsider", []), ("anonymous", []),
])
def test_who_sees_which_order(principal, seen, people, project, other_project, units):
    order(project, units.transport, seq=1)
    order(other_project, units.luozhuang_government, seq=2)
    assert sorted(SupervisionOrder.objects.visible_to(people[principal]).values_list("seq", flat=True)) == seen


@pytest.mark.parametrize(("principal", "editable"), [
    ("admin", [1, 2, 3]), ("dispatcher", [1, 2, 3]), ("inspector", [1, 2, 3]),  # issue and verify
    ("reporter_b", [2, 3]),  # issued to its unit
    ("dept_reporter", [1]),
    ("handler", [3]),  # issued by this user (in an earlier role): the issuer verifies it still
    ("reporter_a", []), ("leader", []), ("coordinator", []), ("outsider", []), ("anonymous", []),
])
def test_who_may_act_on_which_order(principal, editable, people, project, other_project, units):
    """editable_by: the visible orders on which the workflow table gives the user some step from some status."""
    user = people[principal]
    orders = [order(project, units.transport, seq=1), order(other_project, units.luozhuang_government, seq=2),
              order(other_project, units.luozhuang_government, seq=3)]
    SupervisionOrder.objects.filter(seq=3).update(issued_by=people["handler"])
    orders[2].issued_by_id = people["handler"].pk
    assert sorted(SupervisionOrder.objects.editable_by(user).values_list("seq", flat=True)) == editable
    visible = set(SupervisionOrder.objects.visible_to(user).values_list("pk", flat=True))
    acts = set()
    for one in orders:
        for status in OrderStatus:
            one.status = status
            if one.pk in visible and any(ORDER_WORKFLOW.allows(action, one.status, user, one) for action in ORDER_WORKFLOW.names):
                acts.add(one.seq)
    assert sorted(acts) == editable


# ========================================================================================== inboxes


def test_a_units_inbox_holds_its_unfinished_problems_most_pressing_first(people, problem_at, units):
    handling = problem_at(S.HANDLING, deadline=day(2))
    pending = problem_at(S.PENDING, deadline=day(5))
    resolved = problem_at(S.RESOLVED, deadline=None)
    problem_at(S.CLOSED)
    problem_at(S.UNSOLVABLE)
    problem_at(S.PENDING, handling_unit=units.transport)
    assert list(selectors.unit_inbox(people["handler"])) == [handling, pending, resolved]
    assert list(selectors.unit_inbox(people["outsider"])) == []


def test_the_cooperating_inbox_leaves_out_what_the_unit_handles_itself(people, problem_at, units):
    helping = problem_at(S.HANDLING, cooperating=[units.transport])
    problem_at(S.HANDLING, handling_unit=units.transport, cooperating=[units.transport, units.land])
    problem_at(S.CLOSED, cooperating=[units.transport])
    assert list(selectors.cooperating_inbox(people["dept_reporter"])) == [helping]


def test_a_leaders_inbox_holds_what_was_escalated_to_him_and_everything_at_the_committee(people, problem_at, contact_leader):
    other = f.LeaderFactory(name="李副市长")
    mine = problem_at(S.HANDLING, level=Ladder.LEADER, deadline=day(3))
    committee_other = problem_at(S.HANDLING, level=Ladder.COMMITTEE, coordinating_leader=other, deadline=day(1))
    committee_mine = problem_at(S.RESOLVED, level=Ladder.COMMITTEE, deadline=day(2))
    problem_at(S.HANDLING, level=Ladder.COUNTY)  # escalated only to the county: not yet for a leader
    problem_at(S.CLOSED, level=Ladder.LEADER)  # finished
    # 王建国: his own, at the leader level and above (he does not see the other leader's committee problem)
    assert list(selectors.leader_inbox(people["coordinator"])) == [committee_mine, mine]
    # 王领导 (leader role, whole city): everything at the committee level
    assert list(selectors.leader_inbox(people["leader"])) == [committee_other, committee_mine]
    assert list(selectors.leader_inbox(people["dispatcher"])) == []


def test_the_office_desk_lists_what_waits_for_assignment_and_verification(people, problem_at):
    later = problem_at(S.PENDING, handling_unit=None, raised_on=day(-2))
    earlier = problem_at(S.PENDING, handling_unit=None, raised_on=day(-5))
    problem_at(S.PENDING)  # already handed to a unit
    resolved = problem_at(S.RESOLVED)
    assert list(selectors.unassigned(people["dispatcher"])) == [earlier, later]
    assert list(selectors.awaiting_verification(people["dispatcher"])) == [resolved]
    assert list(selectors.unassigned(people["outsider"])) == []


def test_a_units_order_inbox_holds_its_open_orders(people, project, units):
    first = order(project, units.land, reply_by=day(1))
    rectifying = order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-3), rectify_by=day(9))
    order(project, units.land, status=OrderStatus.CLOSED)
    order(project, units.transport)
    assert list(selectors.order_inbox(people["handler"])) == [rectifying, first]


# ============================================================================= overdue and due soon


def test_overdue_problems_are_open_ones_past_their_deadline_most_overdue_first(people, problem_at):
    two = problem_at(S.HANDLING, deadline=day(-2))
    nine = problem_at(S.PENDING, deadline=day(-9))
    problem_at(S.HANDLING, deadline=T)  # due today: not overdue yet
    problem_at(S.RESOLVED, deadline=day(-5))  # solved, waiting to be verified: not overdue
    problem_at(S.CLOSED, deadline=day(-5))
    problem_at(S.UNSOLVABLE, deadline=day(-5))
    problem_at(S.HANDLING, deadline=None)
    assert list(selectors.overdue_problems(people["dispatcher"], T)) == [nine, two]
    assert list(selectors.overdue_problems(people["outsider"], T)) == []
    assert [selectors.days_overdue(p.deadline, T) for p in (nine, two)] == [9, 2]
    assert (selectors.days_overdue(T, T), selectors.days_overdue(None, T), selectors.days_overdue(day(3), T)) == (0, 0, 0)


def test_due_soon_means_within_a_week_from_today(people, problem_at):
    today_ = problem_at(S.PENDING, deadline=T)
    week = problem_at(S.HANDLING, deadline=day(7))
    problem_at(S.HANDLING, deadline=day(8))
    problem_at(S.HANDLING, deadline=day(-1))
    problem_at(S.RESOLVED, deadline=day(3))
    assert list(selectors.due_soon_problems(people["dispatcher"], T)) == [today_, week]


def test_an_order_is_overdue_by_the_deadline_of_its_stage(people, project, units):
    unanswered = order(project, units.land, reply_by=day(-1))
    order(project, units.land, reply_by=T)  # reply due today
    late_rectifying = order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-10), rectify_by=day(-1))
    order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-10), rectify_by=day(5))  # answered in time
    order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-10), rectify_by=None)
    order(project, units.land, status=OrderStatus.CLOSED, reply_by=day(-10), rectify_by=day(-5))
    assert list(selectors.overdue_orders(people["dispatcher"], T)) == [late_rectifying, unanswered]  # by reply deadline
    assert list(selectors.overdue_orders(people["outsider"], T)) == []
    assert (unanswered.due, late_rectifying.due) == (day(-1), day(-1))


def test_orders_due_soon(people, project, units):
    reply = order(project, units.land, reply_by=day(7))
    order(project, units.land, reply_by=day(8))
    rectify = order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=day(-10), rectify_by=T)
    assert list(selectors.due_soon_orders(people["dispatcher"], T)) == [rectify, reply]


# ======================================================================================= statistics


@pytest.fixture
def closures(problem_at, units):
    """Seven problems, raised in March and April 2026 (numbers in the tests are worked from these):

    unit       type  raised      status       days  deadline
    自然资源   资金  03-02       closed        10
    自然资源   用地  03-15       closed        21
    自然资源   资金  04-01       handling            07-01 (overdue on T)
    自然资源   用地  04-20       unsolvable
    交通运输   资金  03-05       closed         3
    交通运输   资金  04-10       pending             08-01
    （未交办） 其他  04-25       pending             —
    """
    money, land, other = kind("资金"), kind("用地"), kind("其他")
    common = {"cooperating": [], "coordinating_leader": None}

    def add(unit, type_, raised, status, days=None, deadline=None):
        return problem_at(status, handling_unit=unit, type=type_, raised_on=raised, days_to_close=days, deadline=deadline,
                          closed_on=raised + timedelta(days=days) if days is not None else None, **common)

    add(units.land, money, date(2026, 3, 2), S.CLOSED, 10)
    add(units.land, land, date(2026, 3, 15), S.CLOSED, 21)
    add(units.land, money, date(2026, 4, 1), S.HANDLING, deadline=date(2026, 7, 1))
    add(units.land, land, date(2026, 4, 20), S.UNSOLVABLE)
    add(units.transport, money, date(2026, 3, 5), S.CLOSED, 3)
    add(units.transport, money, date(2026, 4, 10), S.PENDING, deadline=date(2026, 8, 1))
    add(None, other, date(2026, 4, 25), S.PENDING)


def row(stat) -> tuple:
    return (stat.label, stat.total, stat.closed, stat.unsolvable, stat.open, stat.overdue, stat.avg_days, stat.rate)


def test_closure_by_unit(people, closures):
    rows = selectors.closure_stats(people["dispatcher"], "unit", T)
    assert [row(r) for r in rows] == [
        # label                       total closed unsolv open overdue avg (10+21)/2  rate 2/4
        ("临沂市自然资源和规划局", 4, 2, 1, 1, 1, 15.5, 50.0),
        ("临沂市交通运输局", 2, 1, 0, 1, 0, 3.0, 50.0),  # same rate, fewer problems: after
        ("（未交办）", 1, 0, 0, 1, 0, None, 0.0),
    ]
    total = selectors.stat_total(rows)
    # 3 of 7 closed = 42.857 → 42.9 %; days (10 + 21 + 3) / 3 = 11.33 → 11.3
    assert row(total) == ("合计", 7, 3, 1, 3, 1, 11.3, 42.9)


def test_closure_by_type(people, closures):
    rows = selectors.closure_stats(people["dispatcher"], "type", T)
    assert [row(r) for r in rows] == [
        ("资金", 4, 2, 0, 2, 1, 6.5, 50.0),  # (10 + 3) / 2
        ("用地", 2, 1, 1, 0, 0, 21.0, 50.0),
        ("其他", 1, 0, 0, 1, 0, None, 0.0),
    ]


def test_closure_by_month_raised(people, closures):
    rows = selectors.closure_stats(people["dispatcher"], "month", T)
    assert [row(r) for r in rows] == [
        ("2026年3月", 3, 3, 0, 0, 0, 11.3, 100.0),  # (10 + 21 + 3) / 3 = 11.33
        ("2026年4月", 4, 0, 1, 3, 1, None, 0.0),
    ]
    assert [r.key for r in rows] == [date(2026, 3, 1), date(2026, 4, 1)]


def test_closure_within_dates_and_scope(people, closures):
    april = selectors.closure_stats(people["dispatcher"], "unit", T, start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert row(april[0]) == ("临沂市自然资源和规划局", 2, 0, 1, 1, 1, None, 0.0)  # same rate (0 %), more problems
    # A tie (same rate, same total) keeps the database's order, which puts the unassigned row (no unit id)
    # first on SQLite and last on PostgreSQL: only the rows are asserted here.
    assert sorted(row(r) for r in april[1:]) == [
        ("临沂市交通运输局", 1, 0, 0, 1, 0, None, 0.0),
        ("（未交办）", 1, 0, 0, 1, 0, None, 0.0),
    ]
    assert selectors.closure_stats(people["outsider"], "unit", T) == []
    # 市交通运输局's own view: the two problems it handles (it sees no project)
    assert [row(r) for r in selectors.closure_stats(people["dept_reporter"], "type", T)] == [("资金", 2, 1, 0, 1, 0, 3.0, 50.0)]
    assert row(selectors.stat_total([])) == ("合计", 0, 0, 0, 0, 0, None, None)


# ========================================================================================= cadences


@pytest.mark.parametrize(("start", "interval", "expected"), [
    (date(2026, 1, 31), Interval.MONTH, date(2026, 2, 28)),  # no Feb 31: the month's last day
    (date(2028, 1, 31), Interval.MONTH, date(2028, 2, 29)),  # a leap year
    (date(2026, 3, 31), Interval.MONTH, date(2026, 4, 30)),
    (date(2026, 5, 31), Interval.MONTH, date(2026, 6, 30)),
    (date(2026, 12, 15), Interval.MONTH, date(2027, 1, 15)),  # over the year end
    (date(2026, 12, 31), Interval.TWO_MONTHS, date(2027, 2, 28)),
    (date(2026, 11, 30), Interval.QUARTER, date(2027, 2, 28)),
    (date(2026, 10, 31), Interval.QUARTER, date(2027, 1, 31)),
    (date(2026, 1, 5), Interval.QUARTER, date(2026, 4, 5)),
    (date(2026, 1, 1), Interval.WEEK, date(2026, 1, 8)),
    (date(2026, 2, 20), Interval.HALF_MONTH, date(2026, 3, 7)),  # 15 days, whatever the month
])
def test_add_interval(start, interval, expected):
    assert selectors.add_interval(start, interval) == expected


def test_a_rhythm_without_any_record_is_due_on_its_first_date_rolled_forward(db):
    monthly = MeetingCadence(name="每月例会", meeting_kind=MeetingKind.REGULAR, interval=Interval.MONTH, first_on=date(2026, 1, 31))
    assert selectors.next_due(monthly, None, date(2026, 1, 20)) == date(2026, 1, 31)  # not yet begun
    assert selectors.next_due(monthly, None, date(2026, 1, 31)) == date(2026, 1, 31)
    assert selectors.next_due(monthly, None, date(2026, 2, 10)) == date(2026, 2, 28)  # no Feb 31
    assert selectors.next_due(monthly, date(2026, 5, 31), T) == date(2026, 6, 30)


@pytest.fixture
def rhythms(city, problem_at, project, units):
    """The seeded rhythms (半月一例会, 一月一督导, 一季一观摩; first date 2026-01-05) with meetings held,
    problems and orders due around T."""
    city_region = city.regions.city
    Meeting.objects.create(kind=MeetingKind.REGULAR, title="第13次例会", held_on=date(2026, 7, 1), region=city_region, version=1)
    Meeting.objects.create(kind=MeetingKind.REGULAR, title="第14次例会（预排）", held_on=date(2026, 7, 20), region=city_region, version=1)
    Inspection.objects.create(kind=InspectionKind.SUPERVISION, title="5月督导", held_on=date(2026, 5, 31), region=city_region, version=1)
    return {
        "jun20": problem_at(S.HANDLING, deadline=date(2026, 6, 20)),
        "jul15": problem_at(S.PENDING, deadline=date(2026, 7, 15)),
        "jul17": problem_at(S.HANDLING, deadline=date(2026, 7, 17)),
        "closed": problem_at(S.CLOSED, deadline=date(2026, 7, 1)),
        "reply": order(project, units.land, reply_by=date(2026, 7, 14)),
        "rectify": order(project, units.land, status=OrderStatus.RECTIFYING, reply_by=date(2026, 6, 1), rectify_by=date(2026, 7, 20)),
        "done": order(project, units.land, status=OrderStatus.CLOSED, reply_by=date(2026, 6, 1)),
    }


def test_each_rhythm_shows_its_next_date_and_what_is_due_by_then(people, rhythms):
    due = {c.cadence.name: c for c in selectors.cadences(people["dispatcher"], T)}
    assert list(due) == ["半月一例会", "一月一督导", "一季一观摩"]
    r = rhythms

    regular = due["半月一例会"]  # last held 07-01 (07-20 is not held yet) → 07-16
    assert (regular.last.title, regular.next_on, regular.is_late) == ("第13次例会", date(2026, 7, 16), False)
    assert (regular.problems, regular.orders) == ([r["jun20"], r["jul15"]], [r["reply"]])
    assert (regular.problem_count, regular.order_count) == (2, 1)

    supervision = due["一月一督导"]  # last held 05-31 → 06-30, already past: late
    assert (supervision.last.title, supervision.next_on, supervision.is_late) == ("5月督导", date(2026, 6, 30), True)
    assert (supervision.problems, supervision.orders) == ([r["jun20"]], [])

    observation = due["一季一观摩"]  # none held: 01-05 → 04-05 → 07-05 → 10-05, the first not before T
    assert (observation.last, observation.next_on, observation.is_late) == (None, date(2026, 10, 5), False)
    assert observation.problems == [r["jun20"], r["jul15"], r["jul17"]]
    assert observation.orders == [r["rectify"], r["reply"]]  # by reply deadline


def test_a_rhythm_lists_at_most_the_limit_but_counts_everything(people, rhythms):
    observation = {c.cadence.name: c for c in selectors.cadences(people["dispatcher"], T, limit=1)}["一季一观摩"]
    assert (len(observation.problems), observation.problem_count, len(observation.orders), observation.order_count) == (1, 3, 1, 2)


def test_a_switched_off_rhythm_is_not_shown(people, rhythms):
    MeetingCadence.objects.filter(name="一季一观摩").update(is_active=False)
    assert [c.cadence.name for c in selectors.cadences(people["dispatcher"], T)] == ["半月一例会", "一月一督导"]


def test_a_rhythm_counts_only_what_the_user_sees(people, rhythms):
    due = {c.cadence.name: c for c in selectors.cadences(people["outsider"], T)}
    assert all(c.last is None and c.problems == [] and c.orders == [] for c in due.values())
    assert Problem.objects.count() == 4
