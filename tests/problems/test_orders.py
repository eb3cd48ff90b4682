"""Supervision orders (督办单): numbered 督办〔year〕N号 per year, issued to one unit with a reply
deadline; the unit replies with a rectification plan (→ 整改中) and reports progress; the issuer, the
office or an inspector returns it (with a new reply deadline, → 待回复) or closes it (→ 已办结).

MATRIX reads like the one in test_services.py: `ok` taken, `403` seen but not allowed, `404` not seen.
The order is on the 兰山区 project, issued to 市自然资源和规划局 (handler's unit).
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.models import Notification
from tuijin.problems import services
from tuijin.problems.choices import OrderAction, OrderBasis, OrderStatus, ProblemStatus
from tuijin.problems.models import Event, SupervisionOrder
from tuijin.problems.workflow import ORDER_WORKFLOW
from tuijin.projects.choices import Light
from tuijin.projects.models import Project

from .. import factories as f
from .conftest import today
from .test_attachments import PDF

OA = OrderAction
PRINCIPALS = ("anonymous", "admin", "dispatcher", "leader", "reporter_a", "reporter_b", "handler", "inspector",
              "dept_reporter", "outsider", "coordinator")

#  step        from         anonymous admin dispatcher leader reporter_a reporter_b handler inspector dept_reporter outsider coordinator
MATRIX = """
issue          -            404       ok    ok         403    403        404        403     ok        404           404      404
reply          issued       404       ok    403        403    403        404        ok      403       404           404      404
progress       rectifying   404       ok    403        403    403        404        ok      403       404           404      404
return         rectifying   404       ok    ok         403    403        404        403     ok        404           404      404
close          rectifying   404       ok    ok         403    403        404        403     ok        404           404      404
"""

AFTER = {OA.REPLY: OrderStatus.RECTIFYING, OA.PROGRESS: OrderStatus.RECTIFYING, OA.RETURN: OrderStatus.ISSUED,
         OA.CLOSE: OrderStatus.CLOSED, OA.ATTACH: OrderStatus.ISSUED}


def matrix() -> list[tuple[str, str, str, str]]:
    cases = []
    for line in MATRIX.strip().splitlines():
        step, status, *answers = line.split()
        assert len(answers) == len(PRINCIPALS), line
        cases += [(step, status, principal, answer) for principal, answer in zip(PRINCIPALS, answers, strict=True)]
    return cases


def order_data(units, **overrides) -> dict:
    data = {"unit": units.land, "content": "加快办理用地预审手续，确保月底前开工", "reply_by": today() + timedelta(days=5),
            "rectify_by": today() + timedelta(days=30)}
    data.update(overrides)
    return data


def step_kwargs(action: str) -> dict:
    return {
        OA.REPLY: {"text": "成立专班，一周内完成组卷报批", "day": today() + timedelta(days=20)},
        OA.PROGRESS: {"text": "已完成组卷，报省厅审查"},
        OA.RETURN: {"text": "整改方案不具体，请细化时间节点", "day": today() + timedelta(days=3)},
        OA.CLOSE: {"text": "经核实已整改到位"},
    }[action]


def step(user, order: SupervisionOrder, action: str, **kwargs) -> SupervisionOrder:
    """Take a step on the order as it is stored now, through its service."""
    if action == OA.ATTACH:
        services.attachment_add(user, SimpleUploadedFile("整改报告.pdf", PDF), order=order)
        return SupervisionOrder.objects.get(pk=order.pk)
    version = SupervisionOrder.objects.get(pk=order.pk).version
    return services.order_step(user, order, action, version=version, **{**step_kwargs(action), **kwargs})


@pytest.fixture
def order_at(project, units, people):
    """order_at(status, **fields) → an order on `project` to 市自然资源和规划局, issued by dispatcher."""

    def make(status=OrderStatus.ISSUED, **fields) -> SupervisionOrder:
        seq = SupervisionOrder.objects.filter(year=today().year).count() + 1
        values = {"year": today().year, "seq": seq, "project": project, "unit": units.land, "content": "加快办理用地预审手续",
                  "reply_by": today() + timedelta(days=5), "rectify_by": today() + timedelta(days=30), "status": status,
                  "issued_by": people["dispatcher"], "issued_on": today() - timedelta(days=2), "version": 1}
        if status != OrderStatus.ISSUED:
            values.update(plan="成立专班", replied_on=today() - timedelta(days=1))
        if status == OrderStatus.CLOSED:
            values["closed_on"] = today()
        values.update(fields)
        return SupervisionOrder.objects.create(**values)

    return make


def notices(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("id").values_list("text", flat=True))


# ======================================================================================= who may act


# What the order's history says of each step, written out (not the implementation's own labels).
HISTORY_REASON = {"reply": "回复整改方案", "progress": "报告整改进展", "return": "退回重报", "close": "核实办结"}


@pytest.mark.parametrize(("action", "status", "principal", "answer"), matrix())
def test_the_order_table(action, status, principal, answer, people, project, units, order_at, problem_state):
    user = people[principal]
    order = None if action == "issue" else order_at(status)
    before = problem_state()

    def act():
        if action == "issue":
            return services.order_issue(user, project, order_data(units))
        return step(user, order, action)

    if answer == "ok":
        done = act()
        done.refresh_from_db()
        if action == "issue":
            assert (done.status, done.issued_by, done.number) == (OrderStatus.ISSUED, user, f"督办〔{today().year}〕1号")
            return
        assert (done.status, done.version) == (AFTER[action], 2)
        assert Event.objects.filter(order=order, action=action, actor=user).count() == 1
        record = done.history.order_by("-history_id").first()
        assert (record.history_user, record.history_change_reason) == (user, HISTORY_REASON[action])
    else:
        with pytest.raises(NotFound if answer == "404" else PermissionDenied):
            act()
        assert problem_state() == before


@pytest.mark.parametrize(("action", "status"), [
    (OA.REPLY, OrderStatus.RECTIFYING), (OA.REPLY, OrderStatus.CLOSED),
    (OA.PROGRESS, OrderStatus.ISSUED), (OA.PROGRESS, OrderStatus.CLOSED),
    (OA.RETURN, OrderStatus.ISSUED), (OA.RETURN, OrderStatus.CLOSED),
    (OA.CLOSE, OrderStatus.ISSUED), (OA.CLOSE, OrderStatus.CLOSED),
])
def test_an_order_step_from_a_wrong_status_is_refused(action, status, people, order_at, problem_state):
    order = order_at(status)
    before = problem_state()
    with pytest.raises(PermissionDenied) as refused:
        step(people["admin"], order, action)
    assert str(refused.value) == f"督办单当前为“{STATUS_WORDS[status]}”，不能进行“{HISTORY_REASON[action]}”"
    assert problem_state() == before


STATUS_WORDS = {OrderStatus.ISSUED: "待回复", OrderStatus.RECTIFYING: "整改中", OrderStatus.CLOSED: "已办结"}
# Each step of the table: the status it is tried from, someone it is for, someone who sees the order but
# may not take it, and what the refusal says.
ORDER_STEPS = {
    OA.REPLY: (OrderStatus.ISSUED, "handler", "dispatcher", "您不能对此督办单进行“回复整改方案”"),
    OA.PROGRESS: (OrderStatus.RECTIFYING, "handler", "inspector", "您不能对此督办单进行“报告整改进展”"),
    OA.RETURN: (OrderStatus.RECTIFYING, "inspector", "handler", "您不能对此督办单进行“退回重报”"),
    OA.CLOSE: (OrderStatus.RECTIFYING, "dispatcher", "handler", "您不能对此督办单进行“核实办结”"),
    OA.ATTACH: (OrderStatus.ISSUED, "handler", "leader", "您不能对此督办单进行“上传附件”"),
}


def test_the_tests_know_every_order_step_of_the_table():
    assert set(ORDER_WORKFLOW.names) == set(ORDER_STEPS) == set(AFTER)
    assert set(ORDER_WORKFLOW.names) - {OA.ATTACH} == {line.split()[0] for line in MATRIX.strip().splitlines()} - {"issue"}


@pytest.mark.parametrize("table_step", ORDER_WORKFLOW.steps, ids=lambda table_step: table_step.name)
def test_every_order_step_of_the_table_is_taken_through_its_service_and_refused_to_a_wrong_role(
        table_step, people, order_at, problem_state):
    status, right, wrong, message = ORDER_STEPS[table_step.name]
    order = order_at(status)
    before = problem_state()
    with pytest.raises(PermissionDenied) as refused:
        step(people[wrong], order, table_step.name)
    assert str(refused.value) == message
    assert problem_state() == before

    step(people[right], order, table_step.name)
    assert SupervisionOrder.objects.get(pk=order.pk).status == AFTER[table_step.name]
    assert Event.objects.filter(order=order, action=table_step.name, actor=people[right]).count() == 1


def test_a_unit_sees_and_answers_an_order_on_a_project_outside_its_scope(people, other_project, units, order_at):
    """市交通运输局 (unit scope) does not see the 罗庄区 project, but an order issued to it."""
    order = order_at(project=other_project, unit=units.transport)
    assert step(people["dept_reporter"], order, OA.REPLY).status == OrderStatus.RECTIFYING


# ========================================================================================== issuing


def test_issuing_numbers_the_order_and_tells_the_unit(people, project, units):
    order = services.order_issue(people["inspector"], project, order_data(units))
    order = SupervisionOrder.objects.get(pk=order.pk)
    year = today().year
    assert (order.year, order.seq, order.number, str(order)) == (year, 1, f"督办〔{year}〕1号", f"督办〔{year}〕1号")
    assert (order.status, order.basis, order.issued_on, order.issued_by, order.version) == (
        OrderStatus.ISSUED, OrderBasis.PROJECT, today(), people["inspector"], 1)
    assert (order.due, order.warning, order.problem) == (today() + timedelta(days=5), "", None)
    event = order.events.get()
    assert (event.action, event.status_after, event.deadline_after, event.unit, event.text) == (
        OA.ISSUE, OrderStatus.ISSUED, today() + timedelta(days=5), units.land, "加快办理用地预审手续，确保月底前开工")
    assert list(order.history.values_list("history_type", "history_user", "history_change_reason")) == [
        ("+", people["inspector"].pk, "下发督办单")]
    assert list(Notification.objects.filter(user=people["handler"]).values_list("text", "url")) == [
        (f"督办〔{year}〕1号：请于{today() + timedelta(days=5)}前回复整改方案（兰山区北城新区道路改造工程）",
         reverse("problems:order", args=[order.pk]))]


def test_numbers_run_on_within_the_year_and_start_again_each_year(people, project, units, order_at):
    year = today().year
    order_at(year=year - 1, seq=41)  # last year's numbers do not count
    order_at(year=year, seq=5)  # this year's run continues after the highest number
    numbers = [services.order_issue(people["dispatcher"], project, order_data(units)).number for _ in range(3)]
    assert numbers == [f"督办〔{year}〕6号", f"督办〔{year}〕7号", f"督办〔{year}〕8号"]
    assert list(SupervisionOrder.objects.values_list("year", "seq")) == [
        (year, 8), (year, 7), (year, 6), (year, 5), (year - 1, 41)]  # newest first


def test_a_number_taken_meanwhile_is_retried_with_the_next(people, project, units, order_at, monkeypatch):
    """Two issuers at the same moment read the same highest number; the one that loses the unique index
    takes the next number instead of failing."""
    taken = order_at(seq=1)
    calls = []
    real = services.orders._next_seq

    def stale(year):
        calls.append(year)
        return 1 if len(calls) == 1 else real(year)  # the first read does not see order 1 yet

    monkeypatch.setattr(services.orders, "_next_seq", stale)
    order = services.order_issue(people["dispatcher"], project, order_data(units))
    assert (order.seq, len(calls)) == (2, 2)
    assert SupervisionOrder.objects.filter(year=today().year).count() == 2
    assert taken.seq == 1


def test_an_order_about_a_problem_points_to_it(people, project, units, problem_at):
    problem = problem_at(ProblemStatus.HANDLING)
    order = services.order_issue(people["dispatcher"], project, order_data(units), problem=problem)
    assert (order.basis, order.problem) == (OrderBasis.PROBLEM, problem)
    assert list(problem.orders.all()) == [order]


def test_an_order_about_a_warning_keeps_the_warning_as_it_was(people, project, units):
    Project.objects.filter(pk=project.pk).update(light=Light.RED, light_reason="问题“征地拆迁慢”逾期16天未办结")
    order = services.order_issue(people["dispatcher"], project, order_data(units, basis=OrderBasis.WARNING))
    assert (order.basis, order.warning) == (OrderBasis.WARNING, "红灯：问题“征地拆迁慢”逾期16天未办结")


BAD_ORDERS = [
    ("no unit", {"unit": None}, {"unit": ["请选择承办单位"]}),
    ("no content", {"content": "  "}, {"content": ["请填写督办内容"]}),
    ("long content", {"content": "改" * 2001}, {"content": ["督办内容过长（不超过2000字）"]}),
    ("no reply deadline", {"reply_by": None}, {"reply_by": ["请填写回复时限"]}),
    ("reply deadline passed", {"reply_by": -1}, {"reply_by": ["回复时限不能早于今天（{today}）"]}),
    ("rectify before reply", {"rectify_by": 4}, {"rectify_by": ["整改时限不能早于回复时限（{reply}）"]}),
    ("unknown basis", {"basis": "gossip"}, {"basis": ["请选择督办事由"]}),
    ("problem basis without a problem", {"basis": OrderBasis.PROBLEM}, {"basis": ["按问题督办时请从问题页面下发"]}),
    ("warning basis on a green project", {"basis": OrderBasis.WARNING}, {"basis": ["该项目当前没有红灯或黄灯预警"]}),
]


@pytest.mark.parametrize(("case", "change", "expected"), BAD_ORDERS, ids=[case[0] for case in BAD_ORDERS])
def test_a_bad_order_is_refused_with_its_message_and_nothing_is_written(case, change, expected, people, project, units, problem_state):
    values = {key: today() + timedelta(days=value) if key in ("reply_by", "rectify_by") and isinstance(value, int) else value
              for key, value in change.items()}
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.order_issue(people["dispatcher"], project, order_data(units, **values))
    reply = today() + timedelta(days=5)
    assert exc.value.message_dict == {k: [m.format(today=today(), reply=reply) for m in v] for k, v in expected.items()}
    assert problem_state() == before


def test_an_order_to_a_closed_unit_or_about_another_projects_problem_is_refused(people, project, other_project, units,
                                                                                problem_at, problem_state):
    closed = f.UnitFactory(name="临沂市已撤销局", region=units.land.region, is_active=False)
    elsewhere = problem_at(ProblemStatus.HANDLING, project=other_project)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.order_issue(people["dispatcher"], project, order_data(units, unit=closed), problem=elsewhere)
    assert exc.value.message_dict == {"unit": ["承办单位“临沂市已撤销局”已停用"], "problem": ["督办的问题不属于该项目"]}
    assert problem_state() == before


# ===================================================================================== the workflow


def test_the_unit_replies_with_a_plan_and_the_order_is_being_rectified(people, units, order_at):
    order = order_at()
    rectify_by = today() + timedelta(days=20)
    done = step(people["handler"], order, OA.REPLY, text="  成立专班，一周内完成组卷报批  ", day=rectify_by)
    done.refresh_from_db()
    assert (done.status, done.plan, done.replied_on, done.rectify_by, done.due) == (
        OrderStatus.RECTIFYING, "成立专班，一周内完成组卷报批", today(), rectify_by, rectify_by)
    event = done.events.get(action=OA.REPLY)
    assert (event.status_before, event.status_after, event.deadline_before, event.deadline_after) == (
        OrderStatus.ISSUED, OrderStatus.RECTIFYING, today() + timedelta(days=5), rectify_by)
    number = done.number
    assert notices(people["dispatcher"]) == [f"{number}已回复整改方案，请审核跟踪"]


def test_a_reply_without_a_new_date_keeps_the_rectification_deadline(people, order_at):
    order = order_at()
    assert step(people["handler"], order, OA.REPLY, day=None).rectify_by == today() + timedelta(days=30)


@pytest.mark.parametrize(("action", "status", "kwargs", "expected"), [
    (OA.REPLY, OrderStatus.ISSUED, {"text": ""}, {"text": ["请填写整改方案"]}),
    (OA.REPLY, OrderStatus.ISSUED, {"day": -1}, {"day": ["整改时限不能早于今天（{today}）"]}),
    (OA.PROGRESS, OrderStatus.RECTIFYING, {"text": " "}, {"text": ["请填写整改进展"]}),
    (OA.RETURN, OrderStatus.RECTIFYING, {"text": ""}, {"text": ["请填写退回理由"]}),
    (OA.RETURN, OrderStatus.RECTIFYING, {"day": None}, {"day": ["请填写新的回复时限"]}),
    (OA.RETURN, OrderStatus.RECTIFYING, {"day": -1}, {"day": ["新的回复时限不能早于今天（{today}）"]}),
])
def test_a_bad_order_step_is_refused_with_its_message(action, status, kwargs, expected, people, order_at, problem_state):
    order = order_at(status)
    values = {k: today() + timedelta(days=v) if k == "day" and isinstance(v, int) else v for k, v in kwargs.items()}
    user = people["handler"] if action in (OA.REPLY, OA.PROGRESS) else people["inspector"]
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        step(user, order, action, **values)
    assert exc.value.message_dict == {k: [m.format(today=today()) for m in v] for k, v in expected.items()}
    assert problem_state() == before


def test_progress_is_recorded_without_changing_the_status(people, order_at):
    order = order_at(OrderStatus.RECTIFYING)
    step(people["handler"], order, OA.PROGRESS, text="已完成组卷，报省厅审查")
    event = Event.objects.get(order=order, action=OA.PROGRESS)
    assert (event.text, event.status_before, event.status_after) == ("已完成组卷，报省厅审查", OrderStatus.RECTIFYING, OrderStatus.RECTIFYING)
    assert Notification.objects.count() == 0


def test_returning_asks_for_a_new_plan_by_a_new_reply_deadline(people, order_at):
    order = order_at(OrderStatus.RECTIFYING)
    again = today() + timedelta(days=3)
    done = step(people["inspector"], order, OA.RETURN, text="整改方案不具体，请细化时间节点", day=again)
    done.refresh_from_db()
    assert (done.status, done.reply_by, done.due) == (OrderStatus.ISSUED, again, again)
    event = done.events.get(action=OA.RETURN)
    assert (event.status_before, event.status_after, event.deadline_before, event.deadline_after) == (
        OrderStatus.RECTIFYING, OrderStatus.ISSUED, today() + timedelta(days=30), again)
    assert notices(people["handler"]) == [f"{done.number}的整改方案被退回，请于{again}前重新回复：整改方案不具体，请细化时间节点"]


def test_closing_finishes_the_order(people, order_at):
    order = order_at(OrderStatus.RECTIFYING)
    done = step(people["dispatcher"], order, OA.CLOSE, text="")
    done.refresh_from_db()
    assert (done.status, done.closed_on, done.due) == (OrderStatus.CLOSED, today(), None)
    assert notices(people["handler"]) == [f"{done.number}已核实办结"]


def test_an_order_from_issue_to_close_is_on_its_timeline(people, project, units):
    order = services.order_issue(people["dispatcher"], project, order_data(units))
    step(people["handler"], order, OA.REPLY)
    step(people["inspector"], order, OA.RETURN)
    step(people["handler"], order, OA.REPLY)
    step(people["handler"], order, OA.PROGRESS)
    step(people["dispatcher"], order, OA.CLOSE)
    ISS, REC, CLO = OrderStatus.ISSUED, OrderStatus.RECTIFYING, OrderStatus.CLOSED
    d = {n: today() + timedelta(days=n) for n in (3, 5, 20)}
    assert list(order.events.order_by("at", "id").values_list("action", "status_before", "status_after", "deadline_before", "deadline_after")) == [
        (OA.ISSUE, "", ISS, None, d[5]),
        (OA.REPLY, ISS, REC, d[5], d[20]),
        (OA.RETURN, REC, ISS, d[20], d[3]),
        (OA.REPLY, ISS, REC, d[3], d[20]),
        (OA.PROGRESS, REC, REC, d[20], d[20]),
        (OA.CLOSE, REC, CLO, d[20], None),
    ]
    assert list(order.history.order_by("history_id").values_list("history_change_reason", "version")) == [
        ("下发督办单", 1), ("回复整改方案", 2), ("退回重报", 3), ("回复整改方案", 4), ("报告整改进展", 5), ("核实办结", 6)]


def test_a_stale_order_step_is_refused_and_writes_nothing(people, order_at, problem_state):
    order = order_at(OrderStatus.RECTIFYING)
    step(people["handler"], order, OA.PROGRESS)
    before = problem_state()
    with pytest.raises(ConflictError) as exc:
        services.order_step(people["dispatcher"], order, OA.CLOSE, version=1, text="")
    assert exc.value.current.version == 2
    assert problem_state() == before


def test_an_unknown_order_step_is_refused(people, order_at, problem_state):
    order = order_at(OrderStatus.RECTIFYING)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.order_step(people["admin"], order, "issue", version=1)
    assert exc.value.messages == ["未知的操作"]
    assert problem_state() == before


def test_a_reply_must_date_the_rectification_when_the_order_has_no_date(people, order_at, problem_state):
    order = order_at(rectify_by=None)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        step(people["handler"], order, OA.REPLY, day=None)
    assert exc.value.message_dict == {"day": ["请填写整改完成时限"]}
    assert problem_state() == before
    assert step(people["handler"], order, OA.REPLY).rectify_by == today() + timedelta(days=20)


@pytest.mark.parametrize(("status", "words"), [(ProblemStatus.CLOSED, "已销号"), (ProblemStatus.UNSOLVABLE, "无法解决")])
def test_no_order_about_a_finished_problem(status, words, people, project, units, problem_at, problem_state):
    problem = problem_at(status)
    before = problem_state()
    with pytest.raises(ValidationError) as exc:
        services.order_issue(people["dispatcher"], project, order_data(units), problem=problem)
    assert exc.value.message_dict["problem"] == [f"问题已{words}，不能再督办"]
    assert problem_state() == before
