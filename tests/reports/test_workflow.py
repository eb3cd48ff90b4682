"""The report workflow table (reports/workflow.py) is what the services, the pages and these tests obey:
every step from every state either leads where the table says or is refused with the table's reason
and writes nothing; every step refuses the roles the table does not name; the report page offers
exactly the steps the table allows."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuijin.core.exceptions import NotFound
from tuijin.core.workflow import allowed_steps
from tuijin.projects.selectors import current_year
from tuijin.reports import services
from tuijin.reports.choices import ReportState
from tuijin.reports.models import ProgressReport, ReportEvent
from tuijin.reports.workflow import FILL_STEPS, REPORT_WORKFLOW, REVIEW_STEPS

pytestmark = pytest.mark.django_db

STEPS = REPORT_WORKFLOW.steps
EVERY_STATE_AND_STEP = [(step.name, state) for step in STEPS for state in ReportState.values]


def test_the_table_says_the_dispatch_rules():
    """The table itself, written out: the rules the office agreed, so a change to it is a decision."""
    assert {(s.name, s.sources, s.target, str(s.label)) for s in STEPS} == {
        ("save", frozenset({"pending", "draft", "returned"}), "draft", "保存草稿"),
        ("submit", frozenset({"pending", "draft", "returned"}), "submitted", "上报"),
        ("approve", frozenset({"submitted"}), "approved", "审核通过"),
        ("return", frozenset({"submitted"}), "returned", "退回修改"),
    }
    assert (FILL_STEPS, REVIEW_STEPS) == (("save", "submit"), ("approve", "return"))


@pytest.fixture
def report(users, own_project):
    """A 兰山区 report of an open March, filled by reporter_a (so the dispatcher may approve it)."""
    period = services.period_open(None, year=current_year(), month=3, due_on=date(current_year() + 5, 1, 31))
    return ProgressReport.objects.get(period=period, project=own_project)


def put(report, state: str, submitter) -> ProgressReport:
    """The report in `state` with an amount and 形象进度, as if it had got there by its steps."""
    ProgressReport.objects.filter(pk=report.pk).update(state=state, amount="10.00", progress="基础施工",
                                                      submitted_by=submitter)
    return ProgressReport.objects.get(pk=report.pk)


def take(user, report: ProgressReport, name: str) -> None:
    if name in FILL_STEPS:
        services.reports_save(user, report.period, [{"id": report.pk, "version": report.version, "amount": "12.00"}],
                              submit=name == "submit")
    else:
        services.report_review(user, report, name, version=report.version, comment="请核实桩基工程量")


@pytest.mark.parametrize(("name", "state"), EVERY_STATE_AND_STEP)
def test_a_step_leads_where_the_table_says_or_is_refused_with_its_reason(name, state, users, report, db_state):
    step = REPORT_WORKFLOW.step(name)
    actor = users["dispatcher"] if name in REVIEW_STEPS else users["reporter_a"]
    report = put(report, state, users["reporter_a"])
    before = db_state()
    if state in step.sources:
        take(actor, report, name)
        stored = ProgressReport.objects.get(pk=report.pk)
        assert stored.state == step.target
        last = ReportEvent.objects.filter(report=report).latest("id")
        assert (last.action, last.from_state, last.to_state, last.user) == (name, state, step.target, actor)
        return
    expected = {"save": "该填报%s，不能修改", "submit": "该填报%s，不能修改",
                "approve": "只有已上报的填报才能审核（当前：%s）", "return": "只有已上报的填报才能审核（当前：%s）"}[name]
    with pytest.raises((ValidationError, services.BatchError)) as caught:
        take(actor, report, name)
    shown = (caught.value.problems.errors[report.pk]["__all__"] if isinstance(caught.value, services.BatchError)
             else caught.value.messages)
    assert shown == [expected % ReportState(state).label]
    assert db_state() == before


# Who lacks each step's role: the clerk's steps answer 404 to them (no report of theirs to fill), the
# office's 403 (they may see the report, not decide on it).
LACKING = {
    "save": ["leader", "handler", "inspector", "outsider"],
    "submit": ["leader", "handler", "inspector", "outsider"],
    "approve": ["reporter_a", "leader", "handler", "inspector"],
    "return": ["reporter_a", "leader", "handler", "inspector"],
}


@pytest.mark.parametrize(("name", "principal"), [(n, p) for n, principals in LACKING.items() for p in principals])
def test_a_step_refuses_the_roles_the_table_does_not_name(name, principal, users, report, db_state):
    step = REPORT_WORKFLOW.step(name)
    user = users[principal]
    assert not step.allows(user)
    start = next(iter(sorted(step.sources)))
    report = put(report, start, users["reporter_a"])
    before = db_state()
    with pytest.raises(NotFound if name in FILL_STEPS else PermissionDenied):
        take(user, report, name)
    assert db_state() == before


@pytest.mark.parametrize("state", ReportState.values)
def test_the_report_page_offers_the_steps_the_table_allows(state, client, users, report):
    report = put(report, state, users["admin"])
    for principal, form_field in (("reporter_a", "action"), ("dispatcher", "decision")):
        user = users[principal]
        client.force_login(user)
        html = client.get(reverse("reports:report", args=[report.pk])).content.decode()
        offered = [s for s in allowed_steps(REPORT_WORKFLOW, state, user)
                   if s.name in (FILL_STEPS if principal == "reporter_a" else REVIEW_STEPS)]
        for step in STEPS:
            button = f'name="{form_field}" value="{step.name}"'
            assert (button in html) == (step in offered), (principal, step.name)
            if step in offered:
                assert f">{step.label}</button>" in html


def test_a_closed_period_offers_no_step(client, users, report):
    report = put(report, ReportState.SUBMITTED, users["admin"])
    report.period.status = "closed"
    report.period.save()
    client.force_login(users["dispatcher"])
    html = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    assert 'name="decision"' not in html and 'name="action" value="submit"' not in html


def test_the_submitter_is_told_the_table_refuses_them_approval(client, users, report, settings):
    report = put(report, ReportState.SUBMITTED, users["dispatcher"])
    approve = REPORT_WORKFLOW.step("approve")
    assert approve.refusal(users["dispatcher"], report) == f"“{report.project.name}”是您本人上报的，不能由您审核通过，请由其他调度员审核"
    assert approve.refusal(users["admin"], report) == ""
    assert [s.name for s in allowed_steps(REPORT_WORKFLOW, report.state, users["dispatcher"], report)] == ["return"]
    settings.TUIJIN_REVIEW_SELF_APPROVAL = True
    assert approve.refusal(users["dispatcher"], report) == ""


def test_the_review_form_accepts_only_the_review_steps(client, users, report, db_state):
    report = put(report, ReportState.SUBMITTED, users["reporter_a"])
    client.force_login(users["dispatcher"])
    before = db_state()
    response = client.post(reverse("reports:report_review", args=[report.pk]),
                           {"decision": "submit", "version": report.version, "comment": ""})
    assert response.status_code == 302 and response["Location"] == reverse("reports:report", args=[report.pk])
    assert db_state() == before


@pytest.mark.parametrize("name", REVIEW_STEPS)
def test_a_review_says_what_the_table_says_it_did(name, client, users, report):
    report = put(report, ReportState.SUBMITTED, users["reporter_a"])
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:report_review", args=[report.pk]),
                           {"decision": name, "version": report.version, "comment": "请核实"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [{"approve": f"已审核通过：{report.project.name}",
                      "return": f"已退回：{report.project.name}，已通知填报单位"}[name]]
