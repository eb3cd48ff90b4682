"""Schedule pages: the answers the permission matrix does not reach (invalid forms from read-only
roles, a delete without the version it was read at) and the messages a clerk sees."""

from datetime import date

import pytest
from django.urls import reverse

from tuijin.schedules import services
from tuijin.schedules.models import Milestone, MilestoneTemplate

pytestmark = pytest.mark.django_db
TARGET = date(2027, 6, 30)


@pytest.fixture
def planned(users, own_project):
    return services.apply_template(users["reporter_a"], own_project, MilestoneTemplate.objects.get(kind="building"), TARGET)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.mark.parametrize("role", ["leader", "handler", "inspector"])
def test_read_only_roles_get_403_even_for_an_invalid_form(client, users, own_project, planned, role):
    client.force_login(users[role])
    first = planned[0]
    before = list(Milestone.objects.values_list("pk", "name", "planned_date", "version"))
    for url, data in (
        (reverse("schedules:apply", args=[own_project.pk]), {"template": "", "target_date": "明年"}),
        (reverse("schedules:milestone_add", args=[own_project.pk]), {"name": ""}),
        (reverse("schedules:milestone_edit", args=[first.pk]), {"name": "", "planned_date": "x"}),
        (reverse("schedules:milestone_delete", args=[first.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert list(Milestone.objects.values_list("pk", "name", "planned_date", "version")) == before


def test_a_delete_without_the_version_it_was_read_at_deletes_nothing(client, users, planned):
    client.force_login(users["reporter_a"])
    last = planned[-1]
    response = client.post(reverse("schedules:milestone_delete", args=[last.pk]), follow=True)
    assert "页面已过期，请刷新后重新操作" in messages_of(response)
    assert Milestone.objects.filter(pk=last.pk).exists()


def test_an_invalid_date_is_named_in_chinese_and_nothing_changes(client, users, planned):
    client.force_login(users["reporter_a"])
    first = planned[0]
    response = client.post(reverse("schedules:milestone_edit", args=[first.pk]), {
        "version": first.version, "name": first.name, "planned_date": "2026-13-45", "actual_date": ""}, follow=True)
    assert "日期格式不正确，应为 年-月-日，如 2026-12-31" in messages_of(response)
    assert Milestone.objects.get(pk=first.pk).planned_date == first.planned_date


def test_a_future_actual_date_is_refused_with_the_services_message(client, users, planned):
    client.force_login(users["reporter_a"])
    first = planned[0]
    response = client.post(reverse("schedules:milestone_edit", args=[first.pk]), {
        "version": first.version, "name": first.name, "planned_date": first.planned_date.isoformat(),
        "actual_date": "2099-01-01"}, follow=True)
    assert any(m.startswith("实际完成日期不能晚于今天") for m in messages_of(response))
    assert Milestone.objects.get(pk=first.pk).actual_date is None


def test_a_stale_edit_is_refused_and_says_so(client, users, planned):
    client.force_login(users["reporter_a"])
    first = planned[0]
    services.milestone_update(users["dispatcher"], first, version=first.version, responsible="王工")
    response = client.post(reverse("schedules:milestone_edit", args=[first.pk]), {
        "version": first.version, "name": "改名", "planned_date": "", "actual_date": ""}, follow=True)
    assert any("已被他人修改" in m for m in messages_of(response))
    assert Milestone.objects.get(pk=first.pk).name == first.name
