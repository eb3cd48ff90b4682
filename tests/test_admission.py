"""申报入库: what a district clerk adds to the ledger, or a change of a project's level, is an application
the office (推进办: admin, dispatcher) approves or returns with a reason before it counts in the ledger's
totals, the warnings and the reporting periods. The office's own projects and imports count at once.

A clerk's project here is 兰山区's (reporter_a's district); the start-overdue rule makes a 前期 project
planned to start a year ago red, so "is it warned" has a visible answer.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tuijin.alerts import services as alert_services
from tuijin.alerts.models import Alert
from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.models import Notification
from tuijin.ledgerio.services import import_ledger
from tuijin.projects import services
from tuijin.projects.choices import Admission, Light
from tuijin.projects.models import AnnualPlan, Level, Project, Stage
from tuijin.projects.selectors import current_year
from tuijin.reports import services as report_services

from . import factories as f
from .ledgerio import fixtures as fx

D = Decimal
pytestmark = pytest.mark.usefixtures("on_day")  # a chosen day (tests/clock.py): the start rule counts from it


def clerk_project(city, name="兰山区省重点新能源产业园", **fields) -> Project:
    """A 省重点 project the 兰山区 clerk registers (through the service, as the form does), with this
    year's plan of 3,000 万元, planned to start a year ago and not started: the start rule's red."""
    project = f.ProjectFactory.build(
        name=name, region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
        level=f.dictionary(Level, "省重点"), stage=f.dictionary(Stage, "前期"),
        total_investment=D("50000.00"), planned_start=date.today() - timedelta(days=400), **fields,
    )
    project = services.project_create(city.users["reporter_a"], project)
    AnnualPlan.objects.create(project=project, year=current_year(), planned_investment=D("3000.00"))
    return project


def ledger(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("projects:list"), params)
    assert response.status_code == 200
    return response


def fresh(project) -> Project:
    return Project.objects.get(pk=project.pk)


# ------------------------------------------------------------------------------------ new projects


def test_a_clerks_new_project_is_pending_and_counts_in_no_figure(city, own_project, client):
    project = clerk_project(city)
    assert (project.admission, project.applied_by) == (Admission.PENDING, city.users["reporter_a"])

    # Ledger: listed, marked 申报中, without a light, and left out of the totals (which say so).
    response = ledger(client, city.users["dispatcher"])
    totals = response.context["totals"]
    assert (totals.count, totals.total_investment, totals.annual_plan) == (1, D("12345.67"), D("2000.00"))
    assert totals.not_admitted == 1
    page = response.content.decode()
    assert "兰山区省重点新能源产业园" in page and "申报中" in page
    assert "不含申报中或已退回的项目 1 个" in page
    assert response.context["page_obj"].paginator.count == 2

    # Warnings: not judged, no alert, no light.
    alert_services.refresh(None)
    assert not Alert.objects.filter(project=project).exists()
    assert fresh(project).light == Light.GREEN
    assert alert_services.counts()["by_light"]["green"] == 1  # own_project only

    # Reporting: a period opened for every project in construction or 前期 leaves it out.
    period = report_services.period_open(city.users["dispatcher"], year=current_year(), month=1)
    assert set(period.reports.values_list("project_id", flat=True)) == {own_project.pk}
    with pytest.raises(ValidationError) as refused:
        report_services.period_add_projects(city.users["dispatcher"], period, [project.pk])
    assert "以下项目尚未审核入库（申报中或已退回），不能加入调度：兰山区省重点新能源产业园" in refused.value.messages
    assert not period.reports.filter(project=project).exists()


def test_the_office_approves_and_the_project_counts_everywhere(city, own_project, client,
                                                              django_capture_on_commit_callbacks):
    project = clerk_project(city)
    client.force_login(city.users["dispatcher"])
    with django_capture_on_commit_callbacks(execute=True):  # the domain event re-judges the project
        response = client.post(reverse("projects:admission", args=[project.pk]),
                               {"decision": "approve", "version": project.version})
    assert response.status_code == 302 and response["Location"] == reverse("projects:admissions")
    project.refresh_from_db()
    assert (project.admission, project.version) == (Admission.ADMITTED, 2)
    assert project.light == Light.RED and "未开工" in project.light_reason

    totals = ledger(client, city.users["dispatcher"]).context["totals"]
    assert (totals.count, totals.total_investment, totals.annual_plan, totals.not_admitted) == (
        2, D("62345.67"), D("5000.00"), 0)
    period = report_services.period_open(city.users["dispatcher"], year=current_year(), month=1)
    assert set(period.reports.values_list("project_id", flat=True)) == {own_project.pk, project.pk}

    note = Notification.objects.get(user=city.users["reporter_a"])
    assert note.text == "您申报的项目“兰山区省重点新能源产业园”已审核通过，纳入台账"
    assert note.url == reverse("projects:detail", args=[project.pk])
    assert project.history.first().history_change_reason == "申报入库审核通过"


def test_return_requires_a_reason_and_writes_nothing_without_one(city, db_state):
    project = clerk_project(city)
    before = db_state()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as refused:
            services.admission_return(city.users["dispatcher"], project, version=project.version, reason=reason)
        assert refused.value.message_dict == {"reason": ["请填写退回原因"]}
    assert db_state() == before
    assert fresh(project).admission == Admission.PENDING


def test_a_refused_return_stays_on_the_same_application_with_what_was_typed(city, client, db_state):
    first = clerk_project(city, name="第一个申报项目")
    second = clerk_project(city, name="第二个申报项目")
    client.force_login(city.users["dispatcher"])
    before = db_state()
    typed = "投资额" * 101  # 303 characters: refused, and kept in the box for the office to shorten
    response = client.post(reverse("projects:admission", args=[second.pk]),
                           {"decision": "return", "version": second.version, "reason": typed})
    assert response.status_code == 200
    assert db_state() == before
    page = response.content.decode()
    form_second = page[page.index(f'id="admission-{second.pk}"'):]
    form_second = form_second[:form_second.index("</form>")]
    assert "退回原因不能超过300个字" in form_second and f'value="{typed}"' in form_second
    form_first = page[page.index(f'id="admission-{first.pk}"'):]
    form_first = form_first[:form_first.index("</form>")]
    assert "退回原因" in form_first and "不能超过" not in form_first and 'value=""' in form_first

    response = client.post(reverse("projects:admission", args=[second.pk]),
                           {"decision": "return", "version": second.version, "reason": ""})
    assert response.status_code == 200 and db_state() == before
    form_second = response.content.decode().split(f'id="admission-{second.pk}"')[1].split("</form>")[0]
    assert "请填写退回原因" in form_second


def test_a_returned_project_shows_its_reason_and_the_clerk_resubmits_by_editing(city, client):
    project = clerk_project(city)
    services.admission_return(city.users["dispatcher"], project, version=project.version, reason="总投资与立项批复不符")
    project.refresh_from_db()
    assert (project.admission, project.return_reason) == (Admission.RETURNED, "总投资与立项批复不符")
    note = Notification.objects.get(user=city.users["reporter_a"])
    assert note.text == "您申报的项目“兰山区省重点新能源产业园”已被退回：总投资与立项批复不符"
    assert Project.objects.admitted().filter(pk=project.pk).count() == 0

    client.force_login(city.users["reporter_a"])
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "已退回" in page and "总投资与立项批复不符" in page

    response = client.post(reverse("projects:edit", args=[project.pk]),
                           f.project_form_data(project, total_investment="48000.00"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.admission, project.return_reason, project.total_investment) == (
        Admission.PENDING, "", D("48000.00"))
    assert list(Project.objects.reviewable_by(city.users["dispatcher"]).applications()) == [project]


# ------------------------------------------------------------------------------------ level changes


def test_a_clerks_level_change_waits_and_the_old_level_still_counts(city, own_project, client):
    provincial = f.dictionary(Level, "省重点")
    municipal = own_project.level
    client.force_login(city.users["reporter_a"])
    response = client.post(reverse("projects:edit", args=[own_project.pk]),
                           f.project_form_data(own_project, level=provincial.pk))
    assert response.status_code == 302
    project = fresh(own_project)
    assert (project.level, project.requested_level, project.admission) == (municipal, provincial, Admission.ADMITTED)
    # Still counted, at its old level: the ledger's level filter and totals.
    by_level = ledger(client, city.users["dispatcher"], level=municipal.pk).context["totals"]
    assert (by_level.count, by_level.total_investment) == (1, D("12345.67"))
    assert ledger(client, city.users["dispatcher"], level=provincial.pk).context["totals"].count == 0
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "级别调整申报中" in page and "审核通过前仍按“市重点”统计" in page

    queue = client.get(reverse("projects:admissions"))
    assert [p.pk for p in queue.context["rows"]] == [project.pk]
    services.admission_approve(city.users["dispatcher"], project, version=project.version)
    project.refresh_from_db()
    assert (project.level, project.requested_level) == (provincial, None)
    assert Notification.objects.get(user=city.users["reporter_a"]).text == (
        "项目“兰山区北城新区道路改造工程”的级别调整（市重点 → 省重点）已审核通过")


def test_a_returned_level_change_keeps_the_old_level(city, own_project):
    provincial = f.dictionary(Level, "省重点")
    project = fresh(own_project)
    project.level = provincial
    services.project_update(city.users["reporter_a"], project, version=project.version)
    project = fresh(own_project)
    services.admission_return(city.users["dispatcher"], project, version=project.version, reason="不符合省重点申报条件")
    project.refresh_from_db()
    assert (project.level, project.requested_level, project.admission) == (own_project.level, None, Admission.ADMITTED)
    assert project.return_reason == "不符合省重点申报条件"
    assert "已被退回：不符合省重点申报条件" in Notification.objects.get(user=city.users["reporter_a"]).text


def test_the_offices_own_level_change_applies_at_once(city, own_project):
    provincial = f.dictionary(Level, "省重点")
    project = fresh(own_project)
    project.level = provincial
    services.project_update(city.users["dispatcher"], project, version=project.version)
    assert (fresh(own_project).level, fresh(own_project).requested_level) == (provincial, None)


# ------------------------------------------------------------------------------------ the office's own


def test_the_dispatchers_own_project_is_admitted_at_once(city, client):
    client.force_login(city.users["dispatcher"])
    data = f.project_form_data(f.ProjectFactory.build(name="市级直接登记项目", region=city.regions.luozhuang))
    assert client.post(reverse("projects:create"), data).status_code == 302
    project = Project.objects.get(name="市级直接登记项目")
    assert project.admission == Admission.ADMITTED
    assert ledger(client, city.users["dispatcher"], year="").context["totals"].count == 1


def test_the_offices_import_admits_and_a_clerks_import_applies(city):
    analysis, result = import_ledger(fx.xlsx_bytes(fx.ledger_rows(2)), "台账.xlsx", user=city.users["dispatcher"])
    assert analysis.all_errors == [] and result.created == 2
    assert set(Project.objects.values_list("admission", flat=True)) == {Admission.ADMITTED}

    analysis, result = import_ledger(fx.xlsx_bytes(fx.ledger_rows(1, start=3)), "台账.xlsx", user=city.users["reporter_a"])
    assert analysis.all_errors == [] and result.created == 1
    imported = Project.objects.get(code=fx.code("371302", 900003))
    assert (imported.admission, imported.applied_by) == (Admission.PENDING, city.users["reporter_a"])
    assert Project.objects.admitted().count() == 2


# ------------------------------------------------------------------------------------ rules of deciding


def test_only_the_office_over_the_project_decides(city, other_project):
    project = clerk_project(city)
    with pytest.raises(PermissionDenied):
        services.admission_approve(city.users["reporter_a"], project, version=project.version)
    with pytest.raises(PermissionDenied):
        services.admission_approve(city.users["leader"], project, version=project.version)
    with pytest.raises(NotFound):
        services.admission_approve(city.users["reporter_b"], project, version=project.version)
    with pytest.raises(ValidationError) as nothing:
        services.admission_approve(city.users["dispatcher"], other_project, version=other_project.version)
    assert nothing.value.messages == ["该项目没有待审核的申报，可能已被他人处理"]
    assert fresh(project).admission == Admission.PENDING


def test_a_stale_decision_is_refused_and_writes_nothing(city, db_state):
    project = clerk_project(city)
    before = db_state()
    with pytest.raises(ConflictError):
        services.admission_approve(city.users["dispatcher"], project, version=project.version - 1)
    assert db_state() == before


def test_the_ledger_filters_by_admission_and_a_light_filter_leaves_pending_out(city, own_project, client):
    project = clerk_project(city)
    pending = ledger(client, city.users["dispatcher"], admission="pending")
    assert [row.pk for row in pending.context["rows"]] == [project.pk]
    admitted = ledger(client, city.users["dispatcher"], admission="admitted")
    assert [row.pk for row in admitted.context["rows"]] == [own_project.pk]
    green = ledger(client, city.users["dispatcher"], light=str(Light.GREEN))
    assert [row.pk for row in green.context["rows"]] == [own_project.pk]


def test_the_export_lists_the_ledgers_projects_unless_applications_are_asked_for(city, own_project, client):
    clerk_project(city)
    client.force_login(city.users["dispatcher"])
    sheet = client.get(reverse("ledgerio:export_csv")).content.decode("utf-8-sig")
    assert "兰山区北城新区道路改造工程" in sheet and "兰山区省重点新能源产业园" not in sheet
    assert "合计（1项）" in sheet
    sheet = client.get(reverse("ledgerio:export_csv"), {"admission": "pending"}).content.decode("utf-8-sig")
    assert "兰山区省重点新能源产业园" in sheet and "兰山区北城新区道路改造工程" not in sheet


def test_an_application_without_this_years_plan_is_pointed_to_from_the_filtered_ledger(city, own_project,
                                                                                       client):
    # A clerk's new project has no plan until the clerk adds one; the default year filter hides it, so
    # the 申报中 filter says where to find it instead of only "没有符合条件的项目".
    project = f.ProjectFactory.build(
        name="兰山区新申报无计划项目", region=city.regions.lanshan, lead_unit=city.units.lanshan_government,
        level=f.dictionary(Level, "省重点"), stage=f.dictionary(Stage, "前期"), total_investment=D("8000.00"),
    )
    project = services.project_create(city.users["reporter_a"], project)
    pending = ledger(client, city.users["reporter_a"], admission="pending")
    assert list(pending.context["rows"]) == []
    page = pending.content.decode()
    assert f"这里只列出有 {current_year()} 年度计划的项目" in page
    link = pending.context["all_years_query"]
    assert "admission=pending" in link and "year=&" in link + "&"
    every_year = ledger(client, city.users["reporter_a"], admission="pending", year="")
    assert [row.pk for row in every_year.context["rows"]] == [project.pk]
    assert "ledger-year-hint" not in every_year.content.decode()
    assert "ledger-year-hint" not in ledger(client, city.users["reporter_a"]).content.decode()


def test_a_stale_decision_on_the_queue_says_who_changed_the_project(city, client, db_state):
    project = clerk_project(city)
    read_at = project.version
    services.project_update(city.users["reporter_a"], fresh(project), version=read_at, reason="补充材料")
    client.force_login(city.users["dispatcher"])
    before = db_state()
    response = client.post(reverse("projects:admission", args=[project.pk]), {"decision": "approve", "version": read_at})
    assert response.status_code == 409
    assert response.context["failed"][2].startswith("该项目已被李兰山于 ")
    assert db_state() == before


def test_a_decision_without_the_version_the_queue_showed_is_refused(city, client, db_state):
    project = clerk_project(city)
    client.force_login(city.users["dispatcher"])
    before = db_state()
    response = client.post(reverse("projects:admission", args=[project.pk]), {"decision": "approve"})
    assert response.context["failed"][2] == "表单缺少版本号，请刷新页面后重试"
    assert db_state() == before
