"""The audit administrator's pages: only the auditor reads the trail (everyone else 403, anonymous to
the login), searches it by who, what, result, dates, address and text, sees each detail in Chinese,
exports the filtered list (an export that is itself recorded) and sees the chain's status."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tests import exports as x
from tuijin.audit import services
from tuijin.audit.choices import Action, Result
from tuijin.audit.models import AuditEntry
from tuijin.org.choices import Role

from .. import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def administrator(city, username: str, role: str):
    """The test city's security or audit administrator (a principal of the matrix once the three
    administrators are there), made here while it is not."""
    return city.users.get(username) or f.member(username, username, city.units.city_government, role)


@pytest.fixture
def auditor(city):
    return administrator(city, "auditor", Role.AUDITOR)


@pytest.fixture
def trail(city, auditor):
    """Five entries, on a trail emptied of what building the city recorded (granting the roles…)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AuditEntry._meta.db_table)}")
    zhang = city.users["dispatcher"]
    services.record(Action.LOGIN, actor=zhang, target="dispatcher")
    services.record(Action.LOGIN_FAILED, target="leader", detail={"username": "leader"}, result=Result.FAILURE)
    services.record(Action.GRANT, actor=city.users["admin"], target="reporter_a",
                    detail={"what": "membership", "before": {"role": "填报员"}, "after": {"role": "调度员"}})
    services.record(Action.EXPORT, actor=zhang, target="问题清单", detail={"what": "问题清单", "rows": 12,
                                                                        "filter": "问题清单（状态：办理中）"})
    old = services.entry(Action.LOGOUT, actor=zhang, target="dispatcher", at=timezone.now() - timedelta(days=30))
    old.save()


def rows(response) -> list[str]:
    """The targets listed, leaving out the auditor's own sign-in (force_login is recorded too)."""
    return [e.target for e, _lines in response.context["entries"] if e.action != Action.LOGIN or e.username != "auditor"]


def test_the_auditor_sees_the_trail_newest_first_with_details_in_chinese(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(LIST)
    assert response.status_code == 200
    assert rows(response) == ["问题清单", "reporter_a", "leader", "dispatcher", "dispatcher"]
    body = response.content.decode()
    assert "角色：填报员 → 调度员" in body
    assert "行数：12" in body and "登录失败" in body
    assert 'id="chain-status"' in body


@pytest.mark.parametrize(("params", "expected"), [
    ({"who": "dispatcher"}, ["问题清单", "dispatcher", "dispatcher"]),
    ({"action": Action.LOGIN_FAILED}, ["leader"]),
    ({"result": Result.FAILURE}, ["leader"]),
    ({"text": "办理中"}, ["问题清单"]),
    ({"text": "调度员"}, ["reporter_a"]),
    ({"since": (timezone.localdate() - timedelta(days=1)).isoformat()}, ["问题清单", "reporter_a", "leader", "dispatcher"]),
    ({"until": (timezone.localdate() - timedelta(days=29)).isoformat()}, ["dispatcher"]),
    ({"action": "no-such-action"}, ["问题清单", "reporter_a", "leader", "dispatcher", "dispatcher"]),
])
def test_the_search_filters_by_who_what_result_text_and_dates(client, auditor, trail, params, expected):
    client.force_login(auditor)
    assert rows(client.get(LIST, params)) == expected


def test_the_search_by_address(client, auditor, trail):
    AuditEntry(action=Action.LOGIN, username="x", target="从内网", address="10.8.1.2").save()
    client.force_login(auditor)
    assert rows(client.get(LIST, {"address": "10.8."})) == ["从内网"]


def test_everyone_but_the_auditor_is_refused_and_anonymous_goes_to_login(client, city, auditor):
    security = administrator(city, "security", Role.SECURITY)
    for user in (city.users["dispatcher"], city.users["leader"], security, city.users["outsider"]):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(reverse("audit:list_xlsx")).status_code == 403
        assert client.post(reverse("audit:verify")).status_code == 403
    client.logout()
    assert client.get(LIST)["Location"].startswith(reverse("login"))


def test_the_nav_links_the_audit_page_for_the_auditor_only(client, city, auditor):
    client.force_login(auditor)
    assert 'id="nav-audit"' in client.get(reverse("notifications")).content.decode()
    client.force_login(city.users["dispatcher"])
    assert 'id="nav-audit"' not in client.get(reverse("notifications")).content.decode()


def test_the_export_holds_the_filtered_entries_and_is_itself_recorded(client, auditor, trail):
    client.force_login(auditor)
    response = client.get(reverse("audit:list_xlsx"), {"who": "dispatcher"})
    assert response.status_code == 200
    ws = x.workbook(response).active
    assert ws["A1"].value.startswith("审计记录")
    targets = [row[4] for row in ws.iter_rows(min_row=4, values_only=True) if row[3]]
    assert targets == ["问题清单", "dispatcher", "dispatcher"]
    export = AuditEntry.objects.filter(action=Action.EXPORT, username="auditor").get()
    assert export.detail["what"] == "审计记录" and export.detail["rows"] == 3
    assert "who=dispatcher" in export.detail["query"]


def test_the_verify_button_checks_the_chain_and_the_status_line_says_so(client, auditor, trail):
    client.force_login(auditor)
    response = client.post(reverse("audit:verify"), follow=True)
    body = response.content.decode()
    assert "审计链完好" in body
    assert "已校验至第6条" in body  # the five and the auditor's sign-in
