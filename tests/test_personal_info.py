"""Personal information (等保 2.0 §8.1.4.11, issue #18 §4): contacts' names and phone numbers in full only for
the roles that need them — the office (admin, dispatcher) and the project's own editors — and masked
(王**, 138****1234) for everyone else, by the one helper (tuijin.core.masking), on the project page, its
history, the ledger export and the period's 填报情况 export and print page."""

from datetime import date

import pytest
from django.urls import reverse

from tuijin.core.history import stamp
from tuijin.core.masking import mask_name, mask_phone
from tuijin.projects.selectors import current_year

from .ledgerio.test_export import csv_dicts, export

PHONE, MASKED_PHONE = "13812341234", "138****1234"
NAME, MASKED_NAME = "王建国", "王**"


@pytest.mark.parametrize(("value", "masked"), [
    ("13812341234", "138****1234"),
    ("138 1234 1234", "138 **** 1234"),
    ("0539-8123456", "053*-***3456"),
    ("8123456", "***3456"),
    ("12345", "***45"),
    ("13812341234、0539-8123456", "138****1234、053*-***3456"),
    ("", ""),
    (None, ""),
])
def test_phone_numbers_keep_only_their_first_three_and_last_four_digits(value, masked):
    assert mask_phone(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("王建国", "王**"), ("欧阳娜娜", "欧***"), ("李", "李"), ("张三 13812341234", "张" + "*" * 13), ("", ""), (None, ""),
])
def test_names_keep_only_their_first_character(value, masked):
    assert mask_name(value) == masked


@pytest.fixture
def contact_project(own_project):
    own_project.owner_contact, own_project.owner_phone = NAME, PHONE
    stamp(own_project, None, "联系人")
    own_project.save()
    return own_project


# Who sees the own (兰山区) project's owner contact in full: the office and its editors (reporter_a).
FULL = {"admin", "dispatcher", "reporter_a"}
MASKED = {"leader", "handler", "inspector"}


@pytest.mark.parametrize("principal", sorted(FULL | MASKED))
def test_the_project_page_shows_the_owner_contact_in_full_only_to_the_office_and_its_editors(
        client, users, contact_project, principal):
    client.force_login(users[principal])
    page = client.get(reverse("projects:detail", args=[contact_project.pk])).content.decode()
    shown = page[page.index('id="owner-contact"'):][:200]
    if principal in FULL:
        assert NAME in shown and PHONE in shown
    else:
        assert MASKED_NAME in shown and MASKED_PHONE in shown
        assert PHONE not in page and NAME not in page


@pytest.mark.parametrize("principal", sorted(FULL | MASKED))
def test_the_history_masks_old_and_new_contacts_alike(client, users, contact_project, principal):
    contact_project.owner_phone = "13900001111"
    stamp(contact_project, users["dispatcher"], "换号")
    contact_project.save()
    client.force_login(users[principal])
    page = client.get(reverse("projects:history", args=[contact_project.pk])).content.decode()
    if principal in FULL:
        assert PHONE in page and "13900001111" in page
    else:
        assert MASKED_PHONE in page and "139****1111" in page
        assert PHONE not in page and "13900001111" not in page and NAME not in page


@pytest.mark.parametrize("principal", sorted(FULL | MASKED))
def test_the_ledger_export_masks_the_contacts_of_projects_the_user_does_not_edit(
        client, users, contact_project, other_project, principal):
    other_project.owner_contact, other_project.owner_phone = "赵六", "13700002222"
    stamp(other_project, None, "联系人")
    other_project.save()
    client.force_login(users[principal])
    rows = {row["name"]: row for row in csv_dicts(export(client, "csv"))}
    own, other = rows[contact_project.name], rows.get(other_project.name)
    if principal in FULL:
        assert (own["owner_contact"], own["owner_phone"]) == (NAME, PHONE)
    else:
        assert (own["owner_contact"], own["owner_phone"]) == (MASKED_NAME, MASKED_PHONE)
    if other is not None:  # reporter_a does not see it; the office does in full, the others masked
        expected = ("赵六", "13700002222") if principal in {"admin", "dispatcher"} else ("赵*", "137****2222")
        assert (other["owner_contact"], other["owner_phone"]) == expected
    assert (principal == "reporter_a") is (other is None)


def test_the_xlsx_export_masks_too(client, users, contact_project):
    client.force_login(users["leader"])
    content = export(client, "xlsx").content
    from .ledgerio.test_export import sheet_of, values

    row = next(r for r in values(sheet_of(export(client, "xlsx"))) if r["name"] == contact_project.name)
    assert (row["owner_contact"], row["owner_phone"]) == (MASKED_NAME, MASKED_PHONE)
    assert PHONE.encode() not in content


@pytest.mark.parametrize(("principal", "full"), [("dispatcher", True), ("admin", True), ("leader", False),
                                                 ("reporter_a", False), ("inspector", False)])
def test_the_period_export_shows_unit_contacts_in_full_to_the_office_only(client, users, units, own_project,
                                                                          principal, full):
    from tuijin.reports import services as report_services

    unit = own_project.lead_unit
    unit.contact, unit.phone = "刘联络", "0539-8123456"
    unit.save()
    period = report_services.period_open(None, year=current_year(), month=date.today().month,
                                         project_ids=[own_project.pk])
    client.force_login(users[principal])
    page = client.get(reverse("reports:period_print", args=[period.pk])).content.decode()
    assert unit.name in page
    if full:
        assert "刘联络" in page and "0539-8123456" in page
    else:
        assert "刘**" in page and "053*-***3456" in page
        assert "0539-8123456" not in page and "刘联络" not in page
