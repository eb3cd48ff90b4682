"""Admins edit the import vocabulary in the admin site; batches are a read-only record there."""

import pytest
from django.urls import reverse

from tuijin.ledgerio.models import HeaderSynonym, ValueSynonym

pytestmark = pytest.mark.django_db


def test_admins_see_the_seeded_synonyms_and_can_add_one(client, users):
    client.force_login(users["admin"])
    page = client.get(reverse("admin:ledgerio_headersynonym_changelist"), {"q": "总投资"})
    assert page.status_code == 200 and "项目总投资" in page.content.decode()
    response = client.post(reverse("admin:ledgerio_valuesynonym_add"),
                           {"kind": "category", "text": "城建交通", "value": "交通", "is_active": "on"})
    assert response.status_code == 302
    assert ValueSynonym.objects.get(kind="category", text="城建交通").value == "交通"
    assert HeaderSynonym.objects.filter(text="建设起止年限", field="period").exists()


def test_import_batches_cannot_be_added_or_changed_in_the_admin(client, users):
    client.force_login(users["admin"])
    assert client.get(reverse("admin:ledgerio_importbatch_add")).status_code == 403
    assert client.get(reverse("admin:ledgerio_importbatch_changelist")).status_code == 200


def test_non_staff_users_cannot_reach_the_vocabulary(client, users):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("admin:ledgerio_headersynonym_changelist"))
    assert response.status_code == 403  # a signed-in user who administers nothing (tuijin.org.adminsite)
