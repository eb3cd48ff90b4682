"""Problems from monthly reports: what a clerk writes under 存在问题及困难 in a handed-in report becomes
one problem (来源: 月报) with a type guessed from its words, raised in the clerk's name; "无" and the
like make none; a report handed in again after a return updates its problem while nobody has
accepted it yet.

The reports are submitted through tuijin.reports.services (as tests/reports/test_services.py does);
the problem arrives through the REPORT_CHANGED subscriber after the commit, so each hand-in runs in
django_capture_on_commit_callbacks(execute=True). The subscriber logs failures instead of raising
(a report must not be undone by a problem), so the tests also assert that nothing was logged.
"""

import logging
from datetime import date, timedelta

import pytest

from tuijin.problems import services
from tuijin.problems.choices import ProblemAction, ProblemStatus, Source
from tuijin.problems.events import ProblemChanged
from tuijin.problems.models import Event, Problem
from tuijin.reports import services as reports
from tuijin.reports.choices import ReportState
from tuijin.reports.events import ReportChanged
from tuijin.reports.models import ProgressReport

from ..events import heard
from .conftest import kind, today

MONTH = 3


@pytest.fixture
def period(people, project):
    return reports.period_open(people["dispatcher"], year=today().year, month=MONTH, due_on=date(today().year + 5, 1, 31),
                               project_ids=[project.pk])


@pytest.fixture
def report(period, project) -> ProgressReport:
    return ProgressReport.objects.get(period=period, project=project)


@pytest.fixture
def quiet(caplog):
    """Fails the test if the subscriber swallowed an error."""
    caplog.set_level(logging.ERROR, logger="tuijin.problems.subscribers")
    yield
    assert [r.getMessage() for r in caplog.records if r.name == "tuijin.problems.subscribers"] == []


def hand_in(user, report: ProgressReport, problems: str, capture, *, submit=True) -> None:
    report.refresh_from_db()
    row = {"id": report.pk, "version": report.version, "amount": "100.00", "progress": "路基施工", "problems": problems}
    with capture(execute=True):
        reports.reports_save(user, report.period, [row], submit=submit)


def review(user, report: ProgressReport, capture, *, back: bool = False) -> None:
    report.refresh_from_db()
    with capture(execute=True):
        if back:
            reports.report_return(user, report, version=report.version, comment="请核实问题")
        else:
            reports.report_approve(user, report, version=report.version)


def from_report(report) -> list[Problem]:
    return list(Problem.objects.filter(report=report))


def test_a_handed_in_report_with_a_problem_raises_it_once(people, report, quiet, django_capture_on_commit_callbacks):
    reporter = people["reporter_a"]
    hand_in(reporter, report, "  征地拆迁进度慢  ", django_capture_on_commit_callbacks)

    [problem] = from_report(report)
    assert (problem.source, problem.type.name, problem.description, problem.status) == (
        Source.REPORT, "征地拆迁/民事纠纷", "征地拆迁进度慢", ProblemStatus.PENDING)
    assert (problem.project, problem.raised_by, problem.raised_on, problem.handling_unit, problem.deadline) == (
        report.project, reporter, today(), None, None)
    label = f"{today().year}年{MONTH}月"
    event = problem.events.get()
    assert (event.action, event.actor, event.text, event.status_after) == (
        ProblemAction.RAISE, reporter, f"{label}月报提出：征地拆迁进度慢", ProblemStatus.PENDING)
    assert list(Problem.history.filter(id=problem.pk).values_list("history_user", "history_change_reason")) == [
        (reporter.pk, "月报提出的问题")]

    review(people["dispatcher"], report, django_capture_on_commit_callbacks)  # approved: handed in again, still one
    assert from_report(report) == [problem]
    assert services.problems_from_reports(report.period_id, [report.project_id]) == []
    assert Problem.objects.count() == 1


def test_the_same_words_next_month_are_noted_on_the_open_problem_once(people, project, report, quiet,
                                                                    django_capture_on_commit_callbacks):
    reporter, year = people["reporter_a"], today().year
    hand_in(reporter, report, "征地拆迁进度慢", django_capture_on_commit_callbacks)
    [problem] = from_report(report)
    april = reports.period_open(people["dispatcher"], year=year, month=MONTH + 1, due_on=date(year + 5, 1, 31),
                                project_ids=[project.pk])
    next_report = ProgressReport.objects.get(period=april, project=project)

    hand_in(reporter, next_report, "征地拆迁进度慢", django_capture_on_commit_callbacks)
    review(people["dispatcher"], next_report, django_capture_on_commit_callbacks)  # handed in again: no second note
    assert list(Problem.objects.all()) == [problem]
    assert list(problem.events.order_by("id").values_list("action", "actor", "text")) == [
        (ProblemAction.RAISE, reporter.pk, f"{year}年{MONTH}月月报提出：征地拆迁进度慢"),
        (ProblemAction.REPLY, reporter.pk, f"{year}年{MONTH + 1}月月报再次反映此问题"),
    ]


def test_the_same_words_after_the_problem_was_closed_are_a_new_problem(people, project, report, quiet,
                                                                       django_capture_on_commit_callbacks):
    year = today().year
    hand_in(people["reporter_a"], report, "征地拆迁进度慢", django_capture_on_commit_callbacks)
    Problem.objects.update(status=ProblemStatus.CLOSED, closed_on=today(), days_to_close=0)
    april = reports.period_open(people["dispatcher"], year=year, month=MONTH + 1, due_on=date(year + 5, 1, 31),
                                project_ids=[project.pk])
    hand_in(people["reporter_a"], ProgressReport.objects.get(period=april, project=project), "征地拆迁进度慢",
            django_capture_on_commit_callbacks)
    assert sorted(Problem.objects.values_list("status", flat=True)) == [ProblemStatus.CLOSED, ProblemStatus.PENDING]


@pytest.mark.parametrize("words", ["无", "暂无", "无。", "暂无问题", "没有问题", "无困难", "正常", "/", " 无 ",
                                   "暂无问题和困难", "没有困难"])
def test_a_report_that_says_nothing_raises_nothing(words, people, report, quiet, django_capture_on_commit_callbacks):
    hand_in(people["reporter_a"], report, words, django_capture_on_commit_callbacks)
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert Problem.objects.count() == 0


@pytest.mark.parametrize(("text", "nothing"), [
    # what clerks write when there is nothing (the box is titled 存在问题及困难)
    ("无", True), ("暂无", True), ("无。", True), ("/", True), ("—", True), ("（无）", True), ("正常", True),
    ("没有问题", True), ("没有困难", True), ("无问题及困难", True), ("暂无问题和困难", True), ("暂无困难和问题", True),
    ("无问题、困难", True), ("目前无", True), ("目前暂无问题", True), ("暂未发现问题", True), ("无明显问题", True),
    # and what is a problem, however it begins
    ("无法按期开工", False), ("没有资金", False), ("暂无施工许可证", False), ("无问题，但资金紧张", False),
    ("正常施工，资金缺口大", False), ("问题", False), ("征地拆迁进度慢", False),
])
def test_what_says_nothing(text, nothing):
    assert services.says_nothing(text) is nothing


def test_an_empty_box_raises_nothing(people, report, quiet, django_capture_on_commit_callbacks):
    hand_in(people["reporter_a"], report, "", django_capture_on_commit_callbacks)
    assert Problem.objects.count() == 0


def test_a_draft_raises_nothing_until_it_is_handed_in(people, report, quiet, django_capture_on_commit_callbacks):
    hand_in(people["reporter_a"], report, "资金缺口较大", django_capture_on_commit_callbacks, submit=False)
    assert Problem.objects.count() == 0
    hand_in(people["reporter_a"], report, "资金缺口较大", django_capture_on_commit_callbacks)
    assert [p.type.name for p in from_report(report)] == ["资金"]


def test_a_report_handed_in_again_after_a_return_updates_its_waiting_problem(people, report, quiet,
                                                                           django_capture_on_commit_callbacks):
    reporter = people["reporter_a"]
    hand_in(reporter, report, "征地拆迁进度慢", django_capture_on_commit_callbacks)
    review(people["dispatcher"], report, django_capture_on_commit_callbacks, back=True)
    assert from_report(report)[0].description == "征地拆迁进度慢"  # a return changes nothing yet

    hand_in(reporter, report, "征地拆迁进度慢，还有3户未签协议", django_capture_on_commit_callbacks)
    [problem] = from_report(report)
    assert (problem.description, problem.status, problem.version) == ("征地拆迁进度慢，还有3户未签协议", ProblemStatus.PENDING, 2)
    assert list(problem.events.order_by("id").values_list("action", "text")) == [
        (ProblemAction.RAISE, f"{today().year}年{MONTH}月月报提出：征地拆迁进度慢"),
        (ProblemAction.REPLY, "月报重新上报：征地拆迁进度慢，还有3户未签协议"),
    ]
    newest = Problem.history.filter(id=problem.pk).order_by("-history_id").first()
    assert (newest.history_user, newest.history_change_reason, newest.version) == (reporter, "月报重新上报，更新问题描述", 2)


def test_a_problem_already_accepted_is_not_rewritten_by_the_report(people, report, units, quiet,
                                                                  django_capture_on_commit_callbacks):
    hand_in(people["reporter_a"], report, "征地拆迁进度慢", django_capture_on_commit_callbacks)
    [problem] = from_report(report)
    Problem.objects.filter(pk=problem.pk).update(status=ProblemStatus.HANDLING, handling_unit=units.land,
                                                 deadline=today() + timedelta(days=10))
    review(people["dispatcher"], report, django_capture_on_commit_callbacks, back=True)
    hand_in(people["reporter_a"], report, "已基本解决", django_capture_on_commit_callbacks)
    assert [(p.description, p.version) for p in from_report(report)] == [("征地拆迁进度慢", 1)]
    assert Event.objects.filter(problem=problem).count() == 1


def test_an_archived_projects_report_raises_nothing(people, report, project, quiet, django_capture_on_commit_callbacks):
    hand_in(people["reporter_a"], report, "资金缺口较大", django_capture_on_commit_callbacks, submit=False)
    report.refresh_from_db()
    ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.SUBMITTED, submitted_by=people["reporter_a"])
    type(project).objects.filter(pk=project.pk).update(is_archived=True)
    assert services.problems_from_reports(report.period_id, [project.pk]) == []


def test_a_problem_raised_from_a_report_tells_the_warning_engine(people, report, project, django_capture_on_commit_callbacks):
    with heard(ProblemChanged) as got:
        hand_in(people["reporter_a"], report, "资金缺口较大", django_capture_on_commit_callbacks)
    assert got == [ProblemChanged(project_ids=(project.pk,), user=None)]


@pytest.mark.parametrize(("text", "expected"), [
    ("征地拆迁进度慢", "征地拆迁/民事纠纷"),
    ("群众阻工，青苗补偿未谈妥", "征地拆迁/民事纠纷"),
    ("建设用地指标不足", "用地"),
    ("资金缺口较大，专项债未到位", "资金"),
    ("施工许可证未办理", "前期手续/审批"),
    ("环评未通过，扬尘管控停工", "环保/能耗"),
    ("燃气管线迁改未完成", "管线迁改"),
    ("用电接入慢", "配套(水电气暖路)"),
    ("红线调整待定", "规划"),
    ("雨季影响工期", "施工组织/安全"),
    ("税收优惠政策未落实", "政策"),
    ("天气原因", "其他"),
])
def test_the_type_is_guessed_from_the_words(text, expected, db):
    assert services.guess_type(text).name == expected


def test_a_guessed_type_that_was_switched_off_falls_to_the_next_or_other(db):
    kind("征地拆迁/民事纠纷").__class__.objects.filter(name="征地拆迁/民事纠纷").update(is_active=False)
    assert services.guess_type("征地拆迁进度慢").name == "其他"
    assert services.guess_type("征地拆迁资金不足").name == "资金"


def test_the_subscriber_ignores_an_event_without_a_period(db):
    from tuijin.problems import subscribers

    subscribers.on_reports(ReportChanged(project_ids=(1,), period_id=None, user=None))
    subscribers.on_reports(ReportChanged(project_ids=(), period_id=1, user=None))
    assert Problem.objects.count() == 0
