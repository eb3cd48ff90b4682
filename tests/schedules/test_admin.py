"""Admins edit the schedule dictionaries (milestone templates with their nodes, approval types) in the
admin site, with history; other users cannot reach them."""

import pytest
from django.urls import reverse

from tuijin.schedules.models import ApprovalType, MilestoneTemplate

pytestmark = pytest.mark.django_db


def test_admins_see_the_seeded_templates_and_add_one_with_its_nodes(client, users):
    client.force_login(users["admin"])
    page = client.get(reverse("admin:schedules_milestonetemplate_changelist"))
    assert page.status_code == 200 and "房建类项目节点" in page.content.decode()
    response = client.post(reverse("admin:schedules_milestonetemplate_add"), {
        "name": "管网类项目节点", "kind": "other", "description": "", "sort": 60, "is_active": "on",
        "steps-TOTAL_FORMS": "2", "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000",
        "steps-0-sort": "10", "steps-0-name": "管线迁改完成", "steps-0-duration_days": "60",
        "steps-1-sort": "20", "steps-1-name": "通水验收", "steps-1-duration_days": "30",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    template = MilestoneTemplate.objects.get(name="管网类项目节点")
    assert [(s.name, s.duration_days) for s in template.steps.all()] == [("管线迁改完成", 60), ("通水验收", 30)]
    assert template.history.get().history_user == users["admin"]


def test_admins_can_switch_an_approval_type_to_optional(client, users):
    client.force_login(users["admin"])
    kind = ApprovalType.objects.get(short_name="环评")
    response = client.post(reverse("admin:schedules_approvaltype_change", args=[kind.pk]), {
        "name": kind.name, "short_name": kind.short_name, "description": "", "sort": kind.sort, "is_active": "on",
    })
    assert response.status_code == 302
    kind.refresh_from_db()
    assert kind.required_by_default is False


def test_non_staff_users_cannot_reach_the_schedule_dictionaries(client, users):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("admin:schedules_milestonetemplate_changelist"))
    assert response.status_code == 403  # a signed-in user who administers nothing (tuijin.org.adminsite)
