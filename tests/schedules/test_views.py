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
        (reverse("schedules:milestones_save", args=[own_project.pk]), {"row": [first.pk], f"m{first.pk}-name": ""}),
        (reverse("schedules:milestone_delete", args=[first.pk]), {}),
    ):
        assert client.post(url, data).status_code == 403, url
    assert list(Milestone.objects.values_list("pk", "name", "planned_date", "version")) == before


def test_a_delete_without_the_version_it_was_read_at_deletes_nothing(client, users, planned):
    client.force_login(users["reporter_a"])
    last = planned[-1]
    response = client.post(reverse("schedules:milestone_delete", args=[last.pk]), follow=True)
    assert f"{last.name}：表单缺少版本号，请刷新页面后重试" in messages_of(response)
    assert Milestone.objects.filter(pk=last.pk).exists()


def test_an_invalid_date_is_named_in_chinese_and_nothing_changes(client, users, own_project, planned):
    client.force_login(users["reporter_a"])
    first = planned[0]
    response = client.post(reverse("schedules:milestones_save", args=[own_project.pk]), {
        "row": [first.pk], f"m{first.pk}-version": first.version, f"m{first.pk}-name": first.name,
        f"m{first.pk}-planned_date": "2026-13-45", f"m{first.pk}-actual_date": ""})
    assert response.status_code == 400
    assert "日期格式不正确，应为 年-月-日，如 2026-12-31" in response.content.decode()
    assert Milestone.objects.get(pk=first.pk).planned_date == first.planned_date


def test_needed_and_not_needed_follow_each_other(client, users, own_project):
    from tuijin.schedules.models import Approval

    services.approvals_init(users["reporter_a"], own_project)
    client.force_login(users["reporter_a"])
    approval = Approval.objects.get(project=own_project, type__short_name="环评")
    url = reverse("schedules:approvals_save", args=[own_project.pk])

    def post(**values):
        p = f"a{approval.pk}-"
        client.post(url, {"row": [approval.pk], p + "version": approval.version, **{p + k: v for k, v in values.items()}})
        approval.refresh_from_db()

    # 无需办理 chosen, 需要办理 still ticked: the procedure is no longer required
    post(required="on", status="not_needed")
    assert (approval.required, approval.status) == (False, "not_needed")
    # 需要办理 ticked again, status still 无需办理: back on the checklist, not started
    post(required="on", status="not_needed")
    assert (approval.required, approval.status) == (True, "not_started")
    # 需要办理 unticked with an open status: 无需办理
    post(status="in_progress")
    assert (approval.required, approval.status) == (False, "not_needed")


def test_an_approval_rule_error_names_the_procedure(client, users, own_project):
    from tuijin.schedules.models import Approval

    services.approvals_init(users["reporter_a"], own_project)
    client.force_login(users["reporter_a"])
    approval = Approval.objects.get(project=own_project, type__short_name="环评")
    p = f"a{approval.pk}-"
    response = client.post(reverse("schedules:approvals_save", args=[own_project.pk]),
                           {"row": [approval.pk], p + "version": approval.version, p + "required": "on", p + "status": "done"})
    assert response.status_code == 400
    assert "已办结的手续请填写办结日期" in response.content.decode()
    approval.refresh_from_db()
    assert approval.status == "not_started"


def test_the_baseline_message_names_its_version(client, users, planned):
    client.force_login(users["dispatcher"])
    response = client.post(reverse("schedules:baseline", args=[planned[0].project_id]), follow=True)
    assert "已批准进度计划基线V1，此后节点计划日期的调整都将与基线对照" in messages_of(response)


def test_deleting_a_node_changed_meanwhile_says_who_changed_it(client, users, planned):
    last = planned[-1]
    services.milestone_update(users["dispatcher"], last, version=last.version, note="已调整")
    client.force_login(users["reporter_a"])
    response = client.post(reverse("schedules:milestone_delete", args=[last.pk]), {"version": 1}, follow=True)
    shown = messages_of(response)
    assert len(shown) == 1 and shown[0].startswith(f"{last.name}：该记录已被张调度于 ")
    assert Milestone.objects.filter(pk=last.pk).exists()
