"""A problem's workflow (tuijin.problems.services): raising, 交办, and every step of the workflow table
(tuijin/problems/workflow.py), with its timeline (Event), history (who and why), notifications and
version checks.

Read MATRIX as the workflow rules: every step × every principal, from the problem status the step
starts in. `ok` means the step is taken, `403` that the user sees the problem but may not take the
step (PermissionDenied), `404` that the user does not see it at all (NotFound, never revealing it).
Whatever is refused writes nothing (the `problem_state` snapshot).

The problem under test (conftest.problem_at) is on the 兰山区 project, handled by 市自然资源和规划局
(handler), with 市交通运输局 (dept_reporter) cooperating and 王建国 (coordinator) as its coordinating
leader, so each arm of the visibility rule has a principal.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.models import Notification
from tuijin.org.models import Leader
from tuijin.problems import selectors, services
from tuijin.problems.choices import Ladder, ProblemAction, ProblemStatus, Source
from tuijin.problems.events import ProblemChanged
from tuijin.problems.models import Event, Problem
from tuijin.problems.workflow import PROBLEM_WORKFLOW
from tuijin.projects.choices import LeaderRole
from tuijin.projects.models import ProjectLeader

from .. import factories as f
from ..events import heard
from .conftest import DESCRIPTION, kind, today
from .test_attachments import PDF

A = ProblemAction
S = ProblemStatus
PRINCIPALS = ("anonymous", "admin", "dispatcher", "leader", "reporter_a", "reporter_b", "handler", "inspector",
              "dept_reporter", "outsider", "coordinator")

#  step        from        anonymous admin dispatcher leader reporter_a reporter_b handler inspector dept_reporter outsider coordinator
MATRIX = """
raise          -           404       ok    ok         ok     ok         404        403     ok        404           404      404
assign         pending     404       ok    ok         403    403        404        403     403       403           404      403
accept         pending     404       ok    ok         403    403        404        ok      403       403           404      403
reply          handling    404       ok    ok         403    403        404        ok      403       ok            404      403
extend         handling    404       ok    ok         403    403        404        403     403       403           404      ok
escalate       handling    404       ok    ok         403    403        404        ok      403       403           404      ok
instruct       handling    404       ok    403        ok     403        404        403     403       403           404      ok
resolve        handling    404       ok    ok         403    403        404        ok      403       403           404      403
close          resolved    404       ok    ok         403    403        404        403     ok        403           404      403
return         resolved    404       ok    ok         403    403        404        403     ok        403           404      403
unsolvable     handling    404       ok    ok         403    403        404        403     403       403           404      403
reopen         closed      404       ok    ok         403    403        404        403     403       403           404      403
"""

# What each step leaves: the status after it.
AFTER = {
    A.ASSIGN: S.PENDING, A.ACCEPT: S.HANDLING, A.REPLY: S.HANDLING, A.EXTEND: S.HANDLING, A.ESCALATE: S.HANDLING,
    A.INSTRUCT: S.HANDLING, A.RESOLVE: S.RESOLVED, A.CLOSE: S.CLOSED, A.RETURN: S.HANDLING,
    A.UNSOLVABLE: S.UNSOLVABLE, A.REOPEN: S.HANDLING, A.ATTACH: S.HANDLING,
}

# The statuses a step may start from (the "problem status" column of the services docstring).
FROM = {
    A.ASSIGN: {S.PENDING, S.HANDLING},
    A.ACCEPT: {S.PENDING},
    A.REPLY: {S.PENDING, S.HANDLING},
    A.EXTEND: {S.PENDING, S.HANDLING},
    A.ESCALATE: {S.PENDING, S.HANDLING},
    A.INSTRUCT: {S.PENDING, S.HANDLING, S.RESOLVED},
    A.RESOLVE: {S.HANDLING},
    A.CLOSE: {S.RESOLVED},
    A.RETURN: {S.RESOLVED},
    A.UNSOLVABLE: {S.PENDING, S.HANDLING, S.RESOLVED},
    A.REOPEN: {S.CLOSED, S.UNSOLVABLE},
    A.ATTACH: {S.PENDING, S.HANDLING, S.RESOLVED},
}

# The reason each step leaves in the history (what 操作记录 shows), written out rather than read back from the labels.
REASONS = {A.ASSIGN: "交办", A.ACCEPT: "受理", A.REPLY: "办理回复", A.EXTEND: "延期", A.ESCALATE: "提级协调",
           A.INSTRUCT: "领导批示", A.RESOLVE: "办结申请", A.CLOSE: "核实销号", A.RETURN: "核实退回",
           A.UNSOLVABLE: "确认无法解决", A.REOPEN: "重新打开"}


def matrix() -> list[tuple[str, str, str, str]]:
    cases = []
    for line in MATRIX.strip().splitlines():
        step, status, *answers = line.split()
        assert len(answers) == len(PRINCIPALS), line
        cases += [(step, status, principal, answer) for principal, answer in zip(PRINCIPALS, answers, strict=True)]
    return cases


def step_kwargs(action: str) -> dict:
    """What a user fills in for each step."""
    return {
        A.ACCEPT: {},
        A.REPLY: {"text": "已约谈3户，正在协商补偿方案"},
        A.EXTEND: {"text": "补偿标准需区政府研究", "deadline": today() + timedelta(days=40)},
        A.ESCALATE: {"text": "单位协调未果", "level": Ladder.COUNTY},
        A.INSTRUCT: {"text": "请区政府一周内解决"},
        A.RESOLVE: {"text": "3户已签协议，完成交地"},
        A.CLOSE: {"text": "经现场核实，已交地"},
        A.RETURN: {"text": "现场仍有1户未搬迁"},
        A.UNSOLVABLE: {"text": "规划调整，线位变更"},
        A.REOPEN: {"text": "线位恢复，重新办理"},
    }[action]


def assign_data(units, **overrides) -> dict:
    data = {"type": kind("征地拆迁/民事纠纷"), "description": DESCRIPTION, "handling_unit": units.land,
            "cooperating_units": [units.transport], "deadline": today() + timedelta(days=30)}
    data.update(overrides)
    return data


def take(user, problem: Problem, action: str, units=None, **kwargs) -> Problem:
    """Take a step on the problem as it is stored now (the page's current version), through its service."""
    version = Problem.objects.get(pk=problem.pk).version
    if action == A.ASSIGN:
        return services.problem_assign(user, problem, assign_data(units), version=version)
    if action == A.ATTACH:
        services.attachment_add(user, SimpleUploadedFile("整改报告.pdf", PDF), problem=problem)
        return Problem.objects.get(pk=problem.pk)
    return services.problem_step(user, problem, action, version=version, **{**step_kwargs(action), **kwargs})


def raise_data(units, **overrides) -> dict:
    data = {"type": kind("征地拆迁/民事纠纷"), "description": DESCRIPTION, "handling_unit": units.land,
            "cooperating_units": [units.transport], "deadline": today() + timedelta(days=15)}
    data.update(overrides)
    return data


def notices(user) -> list[tuple[str, str]]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", "url"))


def newest_history(problem: Problem):
    return Problem.history.filter(id=problem.pk).order_by("-history_id").first()


def events(problem: Problem) -> list[tuple]:
    return list(Event.objects.filter(problem=problem).order_by("at", "id").values_list(
        "action", "status_before", "status_after", "level_before", "level_after", "deadline_before", "deadline_after"))


# ======================================================================================= who may act


@pytest.mark.parametrize(("step", "status", "principal", "answer"), matrix())
def test_the_workflow_table(step, status, principal, answer, people, project, units, problem_at, problem_state):
    user = people[principal]
    problem = None if step == "raise" else problem_at(status)
    before = problem_state()

    def act():
        if step == "raise":
            return services.problem_raise(user, project, raise_data(units))
        return take(user, problem, step, units)

    if answer == "ok":
        done = act()
        done.refresh_from_db()
        if step == "raise":
            assert (done.status, done.raised_by, done.project) == (S.PENDING, user if user.pk else None, project)
            assert (newest_history(done).history_user, newest_history(done).history_change_reason) == (user, "提出问题")
            return
        assert done.status == AFTER[step]
        assert done.version == 2
        assert Event.objects.filter(problem=problem, action=step, actor=user).count() == 1
        record = newest_history(done)
        assert (record.history_user, record.history_change_reason) == (user, REASONS[step])
    else:
        with pytest.raises(NotFound if answer == "404" else PermissionDenied):
            act()
        assert problem_state() == before


def test_the_tests_know_every_step_of_the_table():
    """A step added to problems/workflow.py fails here until its expectations are written down."""
    assert set(PROBLEM_WORKFLOW.names) == set(FROM) == set(AFTER) == set(WRONG)
    assert set(PROBLEM_WORKFLOW.names) - {A.ATTACH} == {line.split()[0] for line in MATRIX.strip().splitlines()} - {"raise"}


@pytest.mark.parametrize("action", PROBLEM_WORKFLOW.names)
@pytest.mark.parametrize("status", list(S))
def test_a_step_is_offered_only_from_its_statuses(action, status, people, problem_at):
    """admin passes every role check, so only the status decides."""
    problem = problem_at(status)
    assert PROBLEM_WORKFLOW.allows(action, problem.status, people["admin"], problem) is (status in FROM[action])


@pytest.mark.parametrize(("action", "status"), [(a, s) for a in PROBLEM_WORKFLOW.names for s in S if s not in FROM[a]])
def test_a_step_from_a_wrong_status_is_refused_and_writes_nothing(action, status, people, units, problem_at, problem_state):
    problem = problem_at(status)
    before = problem_state()
    with pytest.raises(PermissionDenied) as refused:
        take(people["admin"], problem, action, units)
    assert str(refused.value) == f"问题当前为“{STATUS_WORDS[status]}”，不能进行“{STEP_WORDS[action]}”"
    assert problem_state() == before


# Each step of the table: someone it is for, someone who sees the problem but may not take it, and what
# the refusal says (written out here, not taken from the implementation's labels).
WRONG = {
    A.ASSIGN: ("dispatcher", "handler", "您不能对此问题进行“交办”"),
    A.ACCEPT: ("handler", "inspector", "您不能对此问题进行“受理”"),
    A.REPLY: ("dept_reporter", "inspector", "您不能对此问题进行“办理回复”"),
    A.EXTEND: ("coordinator", "handler", "您不能对此问题进行“延期”"),
    A.ESCALATE: ("handler", "reporter_a", "您不能对此问题进行“提级协调”"),
    A.INSTRUCT: ("leader", "dispatcher", "您不能对此问题进行“领导批示”"),
    A.RESOLVE: ("handler", "leader", "您不能对此问题进行“办结申请”"),
    A.CLOSE: ("inspector", "handler", "您不能对此问题进行“核实销号”"),
    A.RETURN: ("inspector", "coordinator", "您不能对此问题进行“核实退回”"),
    A.UNSOLVABLE: ("dispatcher", "inspector", "您不能对此问题进行“确认无法解决”"),
    A.REOPEN: ("dispatcher", "leader", "您不能对此问题进行“重新打开”"),
    A.ATTACH: ("reporter_a", "leader", "您不能对此问题进行“上传附件”"),  # reporter_a raised it
}
START = {**{line.split()[0]: line.split()[1] for line in MATRIX.strip().splitlines()}, A.ATTACH: S.HANDLING}
STATUS_WORDS = {S.PENDING: "待受理", S.HANDLING: "办理中", S.RESOLVED: "已解决待销号", S.CLOSED: "已销号", S.UNSOLVABLE: "无法解决"}
STEP_WORDS = {A.ASSIGN: "交办", A.ACCEPT: "受理", A.REPLY: "办理回复", A.EXTEND: "延期", A.ESCALATE: "提级协调",
              A.INSTRUCT: "领导批示", A.RESOLVE: "办结申请", A.CLOSE: "核实销号", A.RETURN: "核实退回",
              A.UNSOLVABLE: "确认无法解决", A.REOPEN: "重新打开", A.ATTACH: "上传附件"}


@pytest.mark.parametrize("step", PROBLEM_WORKFLOW.steps, ids=lambda step: step.name)
def test_every_step_of_the_table_is_taken_through_its_service_and_refused_to_a_wrong_role(
        step, people, units, problem_at, problem_state):
    """From a status the step starts from: refused to a role it is not for (the reason in Chinese, nothing
    written), then taken by one it is for, leaving the status the table says, on the timeline."""
    right, wrong, message = WRONG[step.name]
    problem = problem_at(START[step.name])
    before = problem_state()
    with pytest.raises(PermissionDenied) as refused:
        take(people[wrong], problem, step.name, units)
    assert str(refused.value) == message
    assert problem_state() == before

    take(people[right], problem, step.name, units)
    assert Problem.objects.get(pk=problem.pk).status == AFTER[step.name]
    assert Event.objects.filter(problem=problem, action=step.name, actor=people[right]).count() == 1


def test_nobody_escalates_past_the_committee(people, problem_at, problem_state):
    problem = problem_at(S.HANDLING, level=Ladder.COMMITTEE)
    before = problem_state()
    assert not PROBLEM_WORKFLOW.allows(A.ESCALATE, problem.status, people["admin"], problem)
    with pytest.raises(PermissionDenied):
        take(people["dispatcher"], problem, A.ESCALATE, level=Ladder.COMMITTEE)
    assert problem_state() == before


def test_an_inactive_membership_no_longer_makes_a_handler(people, units, problem_at):
    problem = problem_at(S.PENDING, handling_unit=units.transport, cooperating=[])
    dept_reporter = people["dept_reporter"]
    dept_reporter.memberships.update(is_active=False)
    with pytest.raises(NotFound):  # nor does it let them see the problem
        take(dept_reporter, problem, A.ACCEPT)


# ============================================================================================ raise


def test_raising_a_problem_with_a_unit_hands_it_over_at_once(people, project, units):
    reporter = people["reporter_a"]
    problem = services.problem_raise(reporter, project, raise_data(units, description="  征地拆迁进度慢  "))

    problem = Problem.objects.get(pk=problem.pk)
    deadline = today() + timedelta(days=15)
    assert (problem.status, problem.level, problem.source, problem.description) == (S.PENDING, Ladder.UNIT, Source.PATROL, "征地拆迁进度慢")
    assert (problem.raised_by, problem.raised_on, problem.deadline, problem.version) == (reporter, today(), deadline, 1)
    assert (problem.handling_unit, list(problem.cooperating_units.all())) == (units.land, [units.transport])
    event = problem.events.get()
    assert (event.action, event.actor, event.actor_unit, event.unit, event.text) == (
        A.RAISE, reporter, units.lanshan_government, units.land, "征地拆迁进度慢")
    assert events(problem) == [(A.RAISE, "", S.PENDING, None, Ladder.UNIT, None, deadline)]
    assert list(Problem.history.filter(id=problem.pk).values_list("history_type", "history_user", "history_change_reason")) == [
        ("+", reporter.pk, "提出问题")]
    url = reverse("problems:detail", args=[problem.pk])
    assert notices(people["handler"]) == [(f"交办问题：“兰山区北城新区道路改造工程”征地拆迁进度慢，请于{deadline}前解决", url)]
    assert notices(people["dept_reporter"]) == [("请配合办理问题：“兰山区北城新区道路改造工程”征地拆迁进度慢", url)]
    assert Notification.objects.count() == 2


def test_a_problem_raised_without_a_unit_waits_for_the_office_and_tells_nobody(people, project, units):
    problem = services.problem_raise(people["inspector"], project, raise_data(units, handling_unit=None, cooperating_units=[],
                                                                                deadline=None), source=Source.INSPECTION)
    assert (problem.status, problem.handling_unit, problem.deadline, problem.source) == (S.PENDING, None, None, Source.INSPECTION)
    assert Notification.objects.count() == 0


def test_a_problem_can_be_raised_on_an_earlier_day(people, project, units):
    raised_on = today() - timedelta(days=30)
    problem = services.problem_raise(people["dispatcher"], project,
                                     raise_data(units, deadline=raised_on + timedelta(days=5)), raised_on=raised_on)
    assert (problem.raised_on, problem.deadline) == (raised_on, raised_on + timedelta(days=5))


BAD_RAISES = [
    ("no type", {"type": None}, {"type": ["请选择问题类型"]}),
    ("blank description", {"description": "   "}, {"description": ["请填写问题描述"]}),
    ("long description", {"description": "慢" * 2001}, {"description": ["问题描述过长（不超过2000字）"]}),
    ("unit also cooperating", {"cooperating_units": "land"}, {"cooperating_units": ["配合单位不能与责任单位相同"]}),
    ("deadline before raising", {"deadline": -1}, {"deadline": ["解决时限不能早于提出日期（{today}）"]}),
    ("deadline after 2100", {"deadline": "2101-01-01"}, {"deadline": ["解决时限应在2000年至2100年之间"]}),
    ("everything wrong", {"type": None, "description": ""}, {"type": ["请选择问题类型"], "description": ["请填写问题描述"]}),
]


@pytest.mark.parametrize(("case", "change", "expected"), BAD_RAISES, ids=[case[0] for case in BAD_RAISES])
def test_a_bad_problem_is_refused_with_its_message_and_nothing_is_written(case, change, expected, people, project, units, problem_state):
    values = dict(change)
    if values.get("cooperating_units") == "land":
        values["cooperating_units"] = [units.transport, units.land]
    if values.get("deadline") == -1:
        values["deadline"] = today() - timedelta(days=1)
    elif isinstance(values.get("deadline"), str):
        values["deadline"] = date.fromisoformat(values["deadline"])
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_raise(people["reporter_a"], project, raise_data(units, **values))
    assert exc.value.message_dict == {k: [m.format(today=today()) for m in v] for k, v in expected.items()}
    assert problem_state() == before


def test_an_inactive_type_or_unit_is_refused(people, project, units, problem_state):
    retired = kind("资金")
    retired.is_active = False
    retired.save()
    closed = f.UnitFactory(name="临沂市已撤销局", region=units.land.region, is_active=False)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_raise(people["reporter_a"], project, raise_data(units, type=retired, handling_unit=closed))
    assert exc.value.message_dict == {"type": ["请选择问题类型"], "handling_unit": ["责任单位“临沂市已撤销局”已停用"]}
    assert problem_state() == before


def test_an_archived_project_takes_no_new_problems(people, project, units, problem_state):
    project.is_archived = True
    project.save()
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_raise(people["dispatcher"], project, raise_data(units))
    assert exc.value.messages == ["已归档的项目不能再提出问题"]
    assert problem_state() == before


def test_an_unknown_source_is_refused(people, project, units, problem_state):
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_raise(people["dispatcher"], project, raise_data(units), source="rumour")
    assert exc.value.message_dict == {"source": ["请选择问题来源"]}
    assert problem_state() == before


# ================================================================================== assign (交办)


def test_the_office_assigns_a_unit_cooperators_type_and_deadline(people, project, units):
    problem = services.problem_raise(people["reporter_a"], project, raise_data(units, handling_unit=None, cooperating_units=[],
                                                                                 deadline=None))
    deadline = today() + timedelta(days=30)
    data = assign_data(units, type=kind("用地"), deadline=deadline)
    done = services.problem_assign(people["dispatcher"], problem, data, version=1)

    done = Problem.objects.get(pk=problem.pk)
    assert (done.handling_unit, done.type.name, done.deadline, done.status, done.version) == (units.land, "用地", deadline, S.PENDING, 2)
    assert list(done.cooperating_units.all()) == [units.transport]
    event = done.events.get(action=A.ASSIGN)
    assert event.text == "责任单位：临沂市自然资源和规划局；配合单位：临沂市交通运输局；问题类型：用地"
    assert (event.deadline_before, event.deadline_after, event.unit, event.actor) == (None, deadline, units.land, people["dispatcher"])
    assert (newest_history(done).history_user, newest_history(done).history_change_reason) == (people["dispatcher"], "交办")
    assert [text for text, _url in notices(people["handler"])] == [
        f"交办问题：“兰山区北城新区道路改造工程”{DESCRIPTION}，请于{deadline}前解决"]
    assert [text for text, _url in notices(people["dept_reporter"])] == [f"请配合办理问题：“兰山区北城新区道路改造工程”{DESCRIPTION}"]


def test_moving_the_deadline_tells_the_unit_but_not_the_cooperators_again(people, units, problem_at):
    problem = problem_at(S.PENDING)
    deadline = today() + timedelta(days=25)
    services.problem_assign(people["dispatcher"], problem, assign_data(units, deadline=deadline), version=1)
    event = problem.events.get(action=A.ASSIGN)
    assert (event.text, event.deadline_before, event.deadline_after) == ("", today() + timedelta(days=20), deadline)
    assert len(notices(people["handler"])) == 1
    assert notices(people["dept_reporter"]) == []


def test_an_assignment_that_changes_nothing_is_refused(people, units, problem_at, problem_state):
    problem = problem_at(S.PENDING)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_assign(people["dispatcher"], problem, assign_data(units, deadline=problem.deadline), version=1)
    assert exc.value.messages == ["没有修改任何内容"]
    assert problem_state() == before


def test_an_assignment_is_validated_like_a_new_problem(people, units, problem_at, problem_state):
    problem = problem_at(S.PENDING)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_assign(people["dispatcher"], problem, assign_data(units, description="",
                                                                         deadline=problem.raised_on - timedelta(days=1)), version=1)
    assert exc.value.message_dict == {"description": ["请填写问题描述"],
                                      "deadline": [f"解决时限不能早于提出日期（{problem.raised_on}）"]}
    assert problem_state() == before


def test_a_stale_assignment_is_refused_and_writes_nothing(people, units, problem_at, problem_state):
    problem = problem_at(S.PENDING)
    take(people["handler"], problem, A.REPLY)  # version 1 → 2 meanwhile
    before = problem_state()
    with pytest.raises(ConflictError) as exc:
        services.problem_assign(people["dispatcher"], problem, assign_data(units), version=1)
    assert exc.value.current.version == 2
    assert problem_state() == before


# ============================================================================================ steps


def test_accepting_needs_a_unit_and_a_deadline(people, problem_at, problem_state):
    problem = problem_at(S.PENDING, handling_unit=None, deadline=None)
    before = problem_state()
    assert not PROBLEM_WORKFLOW.allows(A.ACCEPT, problem.status, people["dispatcher"], problem)  # the page offers 交办 instead
    with pytest.raises(PermissionDenied):
        services.problem_step(people["dispatcher"], problem, A.ACCEPT, version=1)
    assert problem_state() == before


def test_the_unit_accepts_and_the_problem_is_in_hand(people, problem_at):
    problem = problem_at(S.PENDING)
    done = services.problem_step(people["handler"], problem, A.ACCEPT, version=1, text="  已受理  ")
    assert (done.status, done.version) == (S.HANDLING, 2)
    event = Event.objects.get(problem=problem, action=A.ACCEPT)
    assert (event.text, event.status_before, event.status_after, event.actor_unit) == ("已受理", S.PENDING, S.HANDLING, people["handler"].memberships.get().unit)


@pytest.mark.parametrize(("action", "label"), [
    (A.REPLY, "办理情况"), (A.EXTEND, "延期理由"), (A.ESCALATE, "提级理由"), (A.INSTRUCT, "批示内容"),
    (A.RESOLVE, "解决情况"), (A.UNSOLVABLE, "无法解决的原因"),
])
def test_a_step_that_needs_words_says_which(action, label, people, problem_at, problem_state):
    problem = problem_at(S.HANDLING)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["admin"], problem, action, text="  ")
    assert exc.value.message_dict == {"text": [f"请填写{label}"]}
    with pytest.raises(ValidationError) as exc:
        take(people["admin"], problem, action, text="字" * 2001)
    assert exc.value.message_dict == {"text": [f"{label}过长（不超过2000字）"]}
    assert problem_state() == before


def test_returning_needs_a_reason(people, problem_at, problem_state):
    problem = problem_at(S.RESOLVED)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["inspector"], problem, A.RETURN, text="")
    assert exc.value.message_dict == {"text": ["请填写退回理由"]}
    assert problem_state() == before


def test_a_reply_is_recorded_on_the_timeline_and_keeps_the_status(people, problem_at):
    problem = problem_at(S.HANDLING)
    take(people["dept_reporter"], problem, A.REPLY, text="已配合完成交通导改方案")
    event = Event.objects.get(problem=problem, action=A.REPLY)
    assert (event.text, event.status_before, event.status_after, event.actor_unit.name) == (
        "已配合完成交通导改方案", S.HANDLING, S.HANDLING, "临沂市交通运输局")


def test_an_extension_moves_the_deadline_and_tells_the_unit(people, problem_at):
    problem = problem_at(S.HANDLING)
    old, new = problem.deadline, today() + timedelta(days=40)
    done = take(people["coordinator"], problem, A.EXTEND, deadline=new, text="补偿标准需区政府研究")
    assert done.deadline == new
    event = Event.objects.get(problem=problem, action=A.EXTEND)
    assert (event.deadline_before, event.deadline_after, event.text) == (old, new, "补偿标准需区政府研究")
    assert [t for t, _u in notices(people["handler"])] == [f"问题“兰山区北城新区道路改造工程”的解决时限延至{new}：补偿标准需区政府研究"]


def test_an_overdue_problem_may_be_extended_from_today(people, problem_at):
    problem = problem_at(S.HANDLING, deadline=today() - timedelta(days=5))
    assert take(people["dispatcher"], problem, A.EXTEND, deadline=today()).deadline == today()


@pytest.mark.parametrize(("deadline", "message"), [
    (None, "请填写新的解决时限"),
    (19, "新的解决时限不能早于今天和原时限（{old}）"),
    (20, "新的解决时限与原时限相同"),
    (-1, "新的解决时限不能早于今天和原时限（{old}）"),
])
def test_a_bad_extension_is_refused(deadline, message, people, problem_at, problem_state):
    problem = problem_at(S.HANDLING)  # due in 20 days
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.EXTEND, deadline=None if deadline is None else today() + timedelta(days=deadline))
    assert exc.value.message_dict == {"deadline": [message.format(old=problem.deadline)]}
    assert problem_state() == before


def test_escalating_to_the_county_names_no_leader(people, problem_at):
    problem = problem_at(S.HANDLING, coordinating_leader=None)
    done = take(people["handler"], problem, A.ESCALATE, level=Ladder.COUNTY)
    assert (done.level, done.coordinating_leader) == (Ladder.COUNTY, None)
    event = Event.objects.get(problem=problem, action=A.ESCALATE)
    assert (event.level_before, event.level_after, event.leader) == (Ladder.UNIT, Ladder.COUNTY, None)
    # The office over the project arranges a county's coordination: its dispatcher is told, nobody else.
    assert notices(people["dispatcher"]) == [(f"问题提级至{Ladder.COUNTY.label}：“兰山区北城新区道路改造工程”{DESCRIPTION}",
                                              reverse("problems:detail", args=[problem.pk]))]
    assert set(Notification.objects.values_list("user", flat=True)) == {people["dispatcher"].pk}


def test_escalating_to_the_leader_goes_to_the_projects_contracted_leader_and_tells_him(people, project, contact_leader, problem_at):
    other = f.LeaderFactory(name="李副市长")
    ProjectLeader.objects.create(project=project, leader=other, role=LeaderRole.LINKED)  # linked, not contracted
    problem = problem_at(S.HANDLING, coordinating_leader=None)
    done = take(people["handler"], problem, A.ESCALATE, level=Ladder.LEADER, text="用地指标需市里统筹")

    assert (done.level, done.coordinating_leader) == (Ladder.LEADER, contact_leader)
    event = Event.objects.get(problem=problem, action=A.ESCALATE)
    assert (event.level_before, event.level_after, event.leader, event.text) == (Ladder.UNIT, Ladder.LEADER, contact_leader, "用地指标需市里统筹")
    assert notices(people["coordinator"]) == [(f"提请协调：“兰山区北城新区道路改造工程”{DESCRIPTION}（分包市领导协调）",
                                               reverse("problems:detail", args=[problem.pk]))]
    assert problem in selectors.leader_inbox(people["coordinator"])


def test_without_a_contracted_leader_the_first_linked_leader_is_asked(people, project, problem_at):
    ProjectLeader.objects.filter(project=project).delete()
    first, second = f.LeaderFactory(name="甲领导"), f.LeaderFactory(name="乙领导")
    ProjectLeader.objects.create(project=project, leader=first, role=LeaderRole.LINKED)
    ProjectLeader.objects.create(project=project, leader=second, role=LeaderRole.COORDINATING)
    problem = problem_at(S.HANDLING, coordinating_leader=None)
    assert take(people["dispatcher"], problem, A.ESCALATE, level=Ladder.COMMITTEE).coordinating_leader == first


def test_the_office_may_name_another_leader(people, problem_at):
    chosen = f.LeaderFactory(name="赵副市长")
    problem = problem_at(S.HANDLING, coordinating_leader=None)
    assert take(people["dispatcher"], problem, A.ESCALATE, level=Ladder.LEADER, leader=chosen).coordinating_leader == chosen


def test_escalating_to_the_committee_keeps_the_leader(people, contact_leader, problem_at):
    problem = problem_at(S.HANDLING, level=Ladder.LEADER)
    done = take(people["coordinator"], problem, A.ESCALATE, level=Ladder.COMMITTEE)
    assert (done.level, done.coordinating_leader) == (Ladder.COMMITTEE, contact_leader)


def test_escalating_to_a_leader_when_the_project_has_none_asks_for_one(people, project, problem_at, problem_state):
    ProjectLeader.objects.filter(project=project).delete()
    problem = problem_at(S.HANDLING, coordinating_leader=None)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.ESCALATE, level=Ladder.LEADER)
    assert exc.value.message_dict == {"leader": ["该项目没有分包（联系）领导，请选择协调领导"]}
    assert problem_state() == before


def test_escalating_to_a_leader_no_longer_in_office_is_refused(people, problem_at, problem_state):
    gone = f.LeaderFactory(name="钱前市长", is_active=False)
    problem = problem_at(S.HANDLING, coordinating_leader=None)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.ESCALATE, level=Ladder.LEADER, leader=gone)
    assert exc.value.message_dict == {"leader": ["领导“钱前市长”已不在任"]}
    assert problem_state() == before


@pytest.mark.parametrize("level", [None, Ladder.UNIT, Ladder.COUNTY, 9])
def test_escalating_must_go_up(level, people, problem_at, problem_state):
    problem = problem_at(S.HANDLING, level=Ladder.COUNTY)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.ESCALATE, level=level)
    assert exc.value.message_dict == {"level": ["请选择高于当前层级（县区协调）的协调层级"]}
    assert problem_state() == before


def test_a_leaders_instruction_reaches_the_unit_and_the_office(people, problem_at):
    problem = problem_at(S.HANDLING)
    take(people["leader"], problem, A.INSTRUCT, text="请区政府一周内解决")
    text = "领导批示（兰山区北城新区道路改造工程）：请区政府一周内解决"
    assert [t for t, _u in notices(people["handler"])] == [text]
    assert [t for t, _u in notices(people["dispatcher"])] == [text]
    assert notices(people["leader"]) == []


def test_resolving_asks_the_office_and_the_raiser_to_verify(people, problem_at):
    problem = problem_at(S.HANDLING)
    done = take(people["handler"], problem, A.RESOLVE, text="3户已签协议，完成交地")
    assert (done.status, done.resolution) == (S.RESOLVED, "3户已签协议，完成交地")
    text = f"问题已解决，请核实销号：“兰山区北城新区道路改造工程”{DESCRIPTION}"
    assert [t for t, _u in notices(people["dispatcher"])] == [text]
    assert [t for t, _u in notices(people["reporter_a"])] == [text]


def test_the_office_told_is_the_one_whose_region_holds_the_project(people, units, problem_at):
    """A 罗庄区 dispatcher is not told about a 兰山区 problem; a 兰山区 one and the city's are."""
    lanshan = f.member("lanshan_dispatcher", "兰调度", units.lanshan_government, "dispatcher")
    luozhuang = f.member("luozhuang_dispatcher", "罗调度", units.luozhuang_government, "dispatcher")
    problem = problem_at(S.HANDLING)
    take(people["handler"], problem, A.RESOLVE, text="已交地")
    assert (len(notices(people["dispatcher"])), len(notices(lanshan)), len(notices(luozhuang))) == (1, 1, 0)


def test_whoever_takes_a_step_is_not_told_about_it(people, problem_at):
    problem = problem_at(S.HANDLING, raised_by=people["dispatcher"])
    take(people["dispatcher"], problem, A.RESOLVE, text="已交地")  # the office resolves what it raised itself
    assert notices(people["dispatcher"]) == []
    problem = problem_at(S.RESOLVED, raised_by=people["inspector"])
    take(people["inspector"], problem, A.CLOSE)  # the inspector closes what the inspection raised
    assert notices(people["inspector"]) == []
    assert len(notices(people["handler"])) == 1


def test_closing_counts_the_days_from_raising_and_tells_the_unit_and_the_raiser(people, problem_at):
    problem = problem_at(S.RESOLVED, resolution="已交地")  # raised 10 days ago
    done = take(people["inspector"], problem, A.CLOSE, text="")
    done.refresh_from_db()
    assert (done.status, done.closed_on, done.days_to_close) == (S.CLOSED, today(), 10)
    text = f"问题已销号：“兰山区北城新区道路改造工程”{DESCRIPTION}"
    assert [t for t, _u in notices(people["handler"])] == [text]
    assert [t for t, _u in notices(people["reporter_a"])] == [text]


def test_a_problem_closed_the_day_it_was_raised_took_zero_days(people, problem_at):
    problem = problem_at(S.RESOLVED, raised_on=today(), deadline=today())
    assert take(people["dispatcher"], problem, A.CLOSE).days_to_close == 0


def test_returning_sends_it_back_to_the_unit(people, problem_at):
    problem = problem_at(S.RESOLVED, resolution="已交地")
    done = take(people["inspector"], problem, A.RETURN, text="现场仍有1户未搬迁")
    assert done.status == S.HANDLING
    assert [t for t, _u in notices(people["handler"])] == ["问题核实未通过，退回继续办理：“兰山区北城新区道路改造工程”现场仍有1户未搬迁"]


def test_unsolvable_finishes_the_problem_without_days_to_close(people, problem_at):
    problem = problem_at(S.HANDLING)
    done = take(people["dispatcher"], problem, A.UNSOLVABLE)
    done.refresh_from_db()
    assert (done.status, done.closed_on, done.days_to_close, done.is_open) == (S.UNSOLVABLE, today(), None, False)


def test_reopening_puts_it_back_in_hand(people, problem_at):
    problem = problem_at(S.CLOSED)
    done = take(people["dispatcher"], problem, A.REOPEN)
    done.refresh_from_db()
    assert (done.status, done.closed_on, done.days_to_close, done.deadline) == (S.HANDLING, None, None, today() + timedelta(days=20))


def test_reopening_after_the_deadline_needs_a_new_one(people, problem_at, problem_state):
    problem = problem_at(S.UNSOLVABLE, deadline=today() - timedelta(days=3))
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.REOPEN)
    assert exc.value.message_dict == {"deadline": ["原解决时限已过，请填写新的解决时限"]}
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.REOPEN, deadline=today() - timedelta(days=1))
    assert exc.value.message_dict == {"deadline": [f"新的解决时限不能早于今天（{today()}）"]}
    with pytest.raises(ValidationError) as exc:
        take(people["dispatcher"], problem, A.REOPEN, text="")
    assert exc.value.message_dict == {"text": ["请填写重新打开的理由"]}
    assert problem_state() == before

    new = today() + timedelta(days=10)
    done = take(people["dispatcher"], problem, A.REOPEN, deadline=new)
    assert (done.status, done.deadline) == (S.HANDLING, new)
    event = Event.objects.get(problem=problem, action=A.REOPEN)
    assert (event.status_before, event.status_after, event.deadline_before, event.deadline_after) == (
        S.UNSOLVABLE, S.HANDLING, today() - timedelta(days=3), new)


def test_an_unknown_step_is_refused(people, problem_at, problem_state):
    problem = problem_at(S.HANDLING)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_step(people["admin"], problem, "delete", version=1)
    assert exc.value.messages == ["未知的操作"]
    assert problem_state() == before


# ========================================================================================= versions


def test_a_step_on_a_stale_page_is_refused_and_writes_nothing(people, problem_at, problem_state):
    problem = problem_at(S.HANDLING)
    take(people["handler"], problem, A.REPLY)  # someone else answered first: version 2
    before = problem_state()
    with pytest.raises(ConflictError) as exc:
        services.problem_step(people["dispatcher"], problem, A.RESOLVE, version=1, text="已解决")
    assert (exc.value.current.pk, exc.value.current.version) == (problem.pk, 2)
    assert exc.value.saved_by == "孙办理"
    assert str(exc.value).startswith("该记录已被孙办理于 ")  # and the time: tests/core/test_versioning.py
    assert str(exc.value).endswith(" 修改，您的修改未保存。请刷新后在最新内容上重新修改。")
    assert problem_state() == before


def test_a_step_without_a_version_is_refused(people, problem_at, problem_state):
    problem = problem_at(S.HANDLING)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.problem_step(people["dispatcher"], problem, A.RESOLVE, version=None, text="已解决")
    assert exc.value.messages == ["表单缺少版本号，请刷新页面后重试"]
    assert problem_state() == before


def test_each_step_bumps_the_version_once(people, problem_at):
    problem = problem_at(S.PENDING)
    for n, action in enumerate((A.ACCEPT, A.REPLY, A.RESOLVE, A.CLOSE), start=2):
        assert take(people["dispatcher"], problem, action).version == n
    assert Problem.objects.get(pk=problem.pk).version == 5


# ================================================================================ timeline, history


def test_a_problems_whole_life_is_on_its_timeline_and_in_its_history(people, project, units, contact_leader):
    raised = services.problem_raise(people["reporter_a"], project, raise_data(units), raised_on=today() - timedelta(days=7))
    first, later = today() + timedelta(days=15), today() + timedelta(days=45)
    take(people["handler"], raised, A.ACCEPT)
    take(people["handler"], raised, A.ESCALATE, level=Ladder.LEADER, text="需市领导协调")
    take(people["coordinator"], raised, A.EXTEND, deadline=later, text="等待补偿方案")
    take(people["coordinator"], raised, A.INSTRUCT, text="抓紧办理")
    take(people["handler"], raised, A.RESOLVE, text="已交地")
    take(people["inspector"], raised, A.RETURN, text="仍有1户未搬")
    take(people["handler"], raised, A.RESOLVE, text="全部交地")
    take(people["inspector"], raised, A.CLOSE)

    L, U = Ladder.LEADER, Ladder.UNIT
    assert events(raised) == [
        (A.RAISE, "", S.PENDING, None, U, None, first),
        (A.ACCEPT, S.PENDING, S.HANDLING, U, U, first, first),
        (A.ESCALATE, S.HANDLING, S.HANDLING, U, L, first, first),
        (A.EXTEND, S.HANDLING, S.HANDLING, L, L, first, later),
        (A.INSTRUCT, S.HANDLING, S.HANDLING, L, L, later, later),
        (A.RESOLVE, S.HANDLING, S.RESOLVED, L, L, later, later),
        (A.RETURN, S.RESOLVED, S.HANDLING, L, L, later, later),
        (A.RESOLVE, S.HANDLING, S.RESOLVED, L, L, later, later),
        (A.CLOSE, S.RESOLVED, S.CLOSED, L, L, later, later),
    ]
    assert list(Event.objects.filter(problem=raised).order_by("at", "id").values_list("actor__username", flat=True)) == [
        "reporter_a", "handler", "handler", "coordinator", "coordinator", "handler", "inspector", "handler", "inspector"]
    assert Event.objects.get(problem=raised, action=A.ESCALATE).leader == contact_leader
    history = list(Problem.history.filter(id=raised.pk).order_by("history_id").values_list(
        "history_user__username", "history_change_reason", "status", "version"))
    assert history == [
        ("reporter_a", "提出问题", S.PENDING, 1),
        ("handler", "受理", S.HANDLING, 2),
        ("handler", "提级协调", S.HANDLING, 3),
        ("coordinator", "延期", S.HANDLING, 4),
        ("coordinator", "领导批示", S.HANDLING, 5),
        ("handler", "办结申请", S.RESOLVED, 6),
        ("inspector", "核实退回", S.HANDLING, 7),
        ("handler", "办结申请", S.RESOLVED, 8),
        ("inspector", "核实销号", S.CLOSED, 9),
    ]
    closed = Problem.objects.get(pk=raised.pk)
    assert (closed.days_to_close, closed.closed_on, closed.resolution) == (7, today(), "全部交地")


def test_every_write_tells_the_warning_engine_after_the_commit(people, project, units, problem_at, django_capture_on_commit_callbacks):
    with heard(ProblemChanged) as got:
        with django_capture_on_commit_callbacks(execute=True):
            problem = services.problem_raise(people["dispatcher"], project, raise_data(units))
            assert got == []  # not before the commit
        with django_capture_on_commit_callbacks(execute=True):
            take(people["handler"], problem, A.ACCEPT)
    assert got == [ProblemChanged(project_ids=(project.pk,), user=people["dispatcher"]),
                   ProblemChanged(project_ids=(project.pk,), user=people["handler"])]


def test_a_refused_step_tells_nobody(people, problem_at, django_capture_on_commit_callbacks):
    problem = problem_at(S.HANDLING)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(PermissionDenied):
        take(people["leader"], problem, A.RESOLVE)
    assert callbacks == []


def test_the_leader_record_of_a_user_is_what_makes_a_coordinator(people, contact_leader, problem_at):
    """Not the leader role: 王领导 (leader role, whole city) may instruct but not extend; 王建国 (no role,
    the Leader record the problem names) may extend."""
    problem = problem_at(S.HANDLING)
    assert PROBLEM_WORKFLOW.allows(A.EXTEND, problem.status, people["coordinator"], problem)
    assert not PROBLEM_WORKFLOW.allows(A.EXTEND, problem.status, people["leader"], problem)
    Leader.objects.filter(pk=contact_leader.pk).update(is_active=False)
    people["coordinator"].__dict__.pop("_tuijin_leader", None)
    assert not PROBLEM_WORKFLOW.allows(A.EXTEND, problem.status, people["coordinator"], problem)
