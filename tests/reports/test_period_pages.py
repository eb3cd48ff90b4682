"""The office's period page: the list of a unit's missing projects, adding and removing projects."""

import pytest
from django.urls import reverse

from tuijin.reports import services
from tuijin.reports.models import ProgressReport


@pytest.fixture
def period(city, own_project):
    return services.period_open(None, year=2026, month=11, project_ids=[own_project.pk])


def test_a_unit_s_missing_projects_are_listed(client, users, period, own_project):
    client.force_login(users["dispatcher"])
    unit = own_project.lead_unit_id
    page = client.get(reverse("reports:period", args=[period.pk]), {"unit": unit}).content.decode()
    assert 'id="missing-reports"' in page
    assert own_project.name in page
    assert f'href="?unit={unit}#missing"' in page  # the unit's name links to its list
    assert "移出本期" in page


def test_the_office_adds_projects_by_code_or_name(client, users, period, other_project):
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_projects", args=[period.pk]), {"projects": other_project.name}, follow=True)
    assert "已加入1个项目" in response.content.decode()
    assert ProgressReport.objects.filter(period=period, project=other_project, state="pending").exists()
    # Again: nothing doubled.
    client.post(reverse("reports:period_projects", args=[period.pk]), {"projects": other_project.name})
    assert ProgressReport.objects.filter(period=period, project=other_project).count() == 1


def test_an_unknown_project_is_named_and_nothing_is_added(client, users, period):
    client.force_login(users["dispatcher"])
    before = ProgressReport.objects.count()
    response = client.post(reverse("reports:period_projects", args=[period.pk]), {"projects": "不存在的项目\n"}, follow=True)
    assert "以下项目找不到（或名称对应多个项目，请用项目代码）：不存在的项目" in response.content.decode()
    assert ProgressReport.objects.count() == before


def test_only_a_pending_report_can_be_taken_out(client, users, period, own_project):
    report = period.reports.get()
    services.reports_save(users["reporter_a"], period, [{"id": report.pk, "version": report.version, "amount": "5"}])
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_projects", args=[period.pk]), {"remove": report.pk}, follow=True)
    assert "该项目本期已有填报内容，不能移出" in response.content.decode()
    assert ProgressReport.objects.filter(pk=report.pk).exists()


def test_closing_without_the_version_the_page_showed_closes_nothing(client, users, period):
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_close", args=[period.pk]), follow=True)
    assert "表单缺少版本号，请刷新页面后重试" in [str(m) for m in response.context["messages"]]
    period.refresh_from_db()
    assert (period.status, period.version) == ("open", 1)


def test_closing_a_period_changed_meanwhile_says_who_changed_it(client, users, period):
    read_at = period.version
    services.period_set_due(users["admin"], period, period.due_on, version=read_at)
    client.force_login(users["dispatcher"])
    response = client.post(reverse("reports:period_close", args=[period.pk]), {"version": read_at}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert len(shown) == 1 and shown[0].startswith("该调度期已被系统管理员于 ") and shown[0].endswith("，本次没有关闭，请核对后再操作")
    period.refresh_from_db()
    assert (period.status, period.version) == ("open", read_at + 1)
