"""What the audit trail records, one test per kind of event: who, what, from where, how it ended, and
the detail (before → after for rights, filter and rows for exports, file and sha256 for imports)."""

import hashlib
import os
from dataclasses import dataclass
from datetime import date

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tuijin.audit import subscribers
from tuijin.audit.choices import Action
from tuijin.audit.models import AuditEntry
from tuijin.core import events
from tuijin.org.choices import Role
from tuijin.org.models import Membership
from tuijin.projects.models import Level
from tuijin.projects.selectors import current_year

from .. import factories as f
from ..ledgerio import fixtures as fx

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def only(action: str) -> AuditEntry:
    found = entries(action)
    assert len(found) == 1, [(e.target, e.detail) for e in found]
    return found[0]


# ------------------------------------------------------------------------------------- sign-in and out


def test_a_login_and_a_logout_are_recorded_with_the_address(city):
    client = Client(REMOTE_ADDR="10.1.2.3")
    assert client.post(LOGIN, {"username": "reporter_a", "password": f.PASSWORD}).status_code == 302
    login = only(Action.LOGIN)
    assert (login.username, login.actor_id, login.address, login.result) == (
        "reporter_a", city.users["reporter_a"].pk, "10.1.2.3", "success")
    assert "superuser" not in login.detail
    client.post(reverse("logout"))
    logout = only(Action.LOGOUT)
    assert (logout.username, logout.address) == ("reporter_a", "10.1.2.3")


def test_a_failed_login_is_recorded_with_the_name_tried_and_never_the_password(city):
    client = Client(REMOTE_ADDR="10.1.2.4")
    response = client.post(LOGIN, {"username": "leader", "password": "wrong-secret-9"})
    assert response.status_code == 200
    failed = only(Action.LOGIN_FAILED)
    assert (failed.username, failed.target, failed.address, failed.result) == ("leader", "leader", "10.1.2.4", "failure")
    assert "wrong-secret-9" not in str(failed.detail)
    client.post(LOGIN, {"username": "nobody-such", "password": "x"})
    unknown = entries(Action.LOGIN_FAILED)[-1]
    assert (unknown.actor_id, unknown.username) == (None, "nobody-such")


def test_the_superusers_login_is_flagged(city):
    client = Client()
    client.post(LOGIN, {"username": "admin", "password": f.PASSWORD})
    login = only(Action.LOGIN)
    assert login.detail["superuser"] is True and "仅用于安装" in login.detail["note"]


def test_a_lockout_and_its_unlock_are_recorded(city):
    client = Client(REMOTE_ADDR="10.5.5.5")
    for _ in range(5):
        client.post(LOGIN, {"username": "handler", "password": "wrong-password-1"})
    lock = only(Action.LOCKOUT)
    assert (lock.username, lock.address, lock.result) == ("handler", "10.5.5.5", "refused")
    assert lock.detail["failures"] == 5
    call_command("axes_reset_username", "handler", stdout=open(os.devnull, "w"))
    assert not AccessAttempt.objects.filter(username="handler").exists()
    unlock = only(Action.UNLOCK)
    assert unlock.target == "handler" and unlock.detail["ip_address"] == "10.5.5.5"


def test_clearing_failures_below_the_limit_is_no_unlock(city):
    client = Client()
    client.post(LOGIN, {"username": "handler", "password": "wrong-password-1"})
    client.post(LOGIN, {"username": "handler", "password": f.PASSWORD})  # success clears the attempt
    assert entries(Action.UNLOCK) == []


# ---------------------------------------------------------------------------------------- rights


def test_a_membership_granted_changed_and_revoked_has_before_and_after_values(city):
    user = f.UserFactory(username="newclerk")
    membership = Membership(user=user, unit=city.units.lanshan_government, role=Role.REPORTER)
    membership._history_user = city.users["admin"]
    membership.save()
    granted = only(Action.GRANT)
    assert granted.target == "newclerk" and granted.detail["before"] is None
    assert granted.detail["after"]["role"] == "填报员" and granted.detail["after"]["unit"] == "兰山区人民政府"
    assert granted.actor_id == city.users["admin"].pk

    membership.role = Role.DISPATCHER
    membership.save()
    changed = entries(Action.GRANT)[-1]
    assert (changed.detail["before"]["role"], changed.detail["after"]["role"]) == ("填报员", "调度员")
    membership.delete()
    revoked = entries(Action.GRANT)[-1]
    assert revoked.detail["after"] is None and revoked.detail["before"]["role"] == "调度员"
    assert revoked.detail["change"] == "撤销"


def test_a_users_rights_and_groups_are_recorded_before_and_after(city):
    user = city.users["leader"]
    user.is_staff = True
    user.save()
    staff = only(Action.GRANT)
    assert staff.detail["before"] == {"is_staff": False} and staff.detail["after"] == {"is_staff": True}
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert entries(Action.GRANT)[-1].detail["after"] == {"is_active": False}
    group = Group.objects.create(name="审核组")
    user.groups.add(group)
    grouped = entries(Action.GRANT)[-1]
    assert (grouped.detail["what"], grouped.detail["before"], grouped.detail["after"]) == ("groups", [], ["审核组"])


def test_a_sign_in_saving_last_login_is_no_rights_change(city):
    Client().post(LOGIN, {"username": "leader", "password": f.PASSWORD})
    assert entries(Action.GRANT) == []


# ------------------------------------------------------------------------------------------ data


def test_a_saved_record_links_its_history_row(city):
    from tuijin.projects.models import Project

    project = f.build_own_project(city)
    project.name = "改名后的项目"
    project._history_user = city.users["dispatcher"]
    project.save()
    history = Project.history.filter(id=project.pk).order_by("-history_id").first()
    change = AuditEntry.objects.filter(action=Action.DATA_CHANGE, detail__history_id=history.history_id).get()
    assert change.detail["model"] == "projects.project" and change.detail["object_id"] == project.pk
    assert change.detail["history_type"] == "~" and change.actor_id == city.users["dispatcher"].pk


def test_a_bulk_import_is_one_data_change_per_table_naming_its_rows(city, settings, tmp_path):
    from tuijin.ledgerio.services import import_ledger
    from tuijin.projects.models import Project

    settings.DATA_DIR = str(tmp_path)
    before = AuditEntry.objects.filter(action=Action.DATA_CHANGE).count()
    _analysis, result = import_ledger(fx.xlsx_bytes(fx.ledger_rows(30)), "台账.xlsx", user=city.users["dispatcher"],
                                      create_new=True)
    assert result is not None and result.created == 30
    changes = list(AuditEntry.objects.filter(action=Action.DATA_CHANGE).order_by("id"))[before:]
    projects = [c for c in changes if c.detail["model"] == "projects.project"]
    assert len(projects) == 1 and projects[0].detail["count"] == 30
    ids = sorted(Project.objects.values_list("pk", flat=True))
    covered = [i for a, b in projects[0].detail["object_ids"] for i in range(a, b + 1)]
    assert covered == ids
    assert len(changes) < 10  # one per table written, not one per row


# ------------------------------------------------------------------------------------ import, export


def test_an_import_accepted_and_one_rejected_name_the_file_and_its_sha256(client, city, settings, tmp_path):
    settings.DATA_DIR = str(tmp_path)
    user = city.users["reporter_a"]
    client.force_login(user)
    good = fx.xlsx_bytes(fx.ledger_rows(2))
    client.post(reverse("ledgerio:upload"), {"file": SimpleUploadedFile("台账.xlsx", good)})
    from tuijin.ledgerio.models import ImportBatch

    batch = ImportBatch.objects.get(user=user)
    client.post(reverse("ledgerio:confirm", args=[batch.token]))
    accepted = only(Action.IMPORT)
    assert accepted.result == "success" and accepted.detail["filename"] == "台账.xlsx"
    assert accepted.detail["sha256"] == hashlib.sha256(good).hexdigest() and accepted.detail["created"] == 2

    bad = b"this is not a spreadsheet"
    client.post(reverse("ledgerio:upload"), {"file": SimpleUploadedFile("坏文件.xlsx", bad)})
    rejected = entries(Action.IMPORT)[-1]
    assert rejected.result == "failure" and rejected.detail["filename"] == "坏文件.xlsx"
    assert rejected.detail["sha256"] == hashlib.sha256(bad).hexdigest() and rejected.detail["rejected"]
    assert rejected.actor_id == user.pk


def test_the_ledger_export_records_what_which_filter_and_how_many_rows(client, city):
    f.build_own_project(city)
    f.build_other_project(city)
    client.force_login(city.users["dispatcher"])
    response = client.get(reverse("ledgerio:export_xlsx"), {"region": city.regions.lanshan.pk})
    assert response.status_code == 200
    export = only(Action.EXPORT)
    assert export.detail["what"] == "重点项目台账" and export.detail["rows"] == 1
    assert "兰山区" in export.detail["filter"] and export.detail["format"] == "xlsx"
    assert f"region={city.regions.lanshan.pk}" in export.detail["query"]
    assert export.username == "dispatcher"


def test_a_list_export_and_its_print_page_are_recorded(client, city):
    client.force_login(city.users["dispatcher"])
    assert client.get(reverse("problems:list_xlsx")).status_code == 200
    assert client.get(reverse("problems:list_print")).status_code == 200
    xlsx, printed = entries(Action.EXPORT)
    assert (xlsx.detail["what"], xlsx.detail["format"], xlsx.detail["rows"]) == ("问题清单", "xlsx", 0)
    assert printed.detail["format"] == "print"


# ------------------------------------------------------------------------------------ publication


def test_publishing_a_bulletin_and_a_ranking_is_recorded(city):
    from tuijin.bulletins import services as bulletins
    from tuijin.scoring import services as scoring

    period = f"{current_year()}-{date.today().month:02d}"
    draft = bulletins.bulletin_create(None, period=period, region=city.regions.city)
    draft = bulletins.bulletin_save(None, draft, version=draft.version, title=draft.title, issuer=draft.issuer,
                                    texts={"next_steps": "一是加快项目建设。"})
    bulletins.bulletin_publish(city.users["dispatcher"], draft, version=draft.version)
    bulletin = only(Action.PUBLISH)
    assert bulletin.detail["kind"] == "bulletin" and bulletin.detail["bulletin_id"] == draft.pk
    assert bulletin.username == "dispatcher"

    regions = city.regions
    config = {"series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
                          "members": [regions.lanshan.pk, regions.luozhuang.pk]}],
              "indicators": [{"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate",
                              "weight": "60", "curve": {"kind": "linear", "target": "100"}}]}
    scheme = scoring.scheme_save(None, None, config=config, code="audit", name="审计方案", period_kind="month")
    run = scoring.run_compute(None, scheme, period)
    scoring.run_publish(None, run, version=run.version)
    ranking = entries(Action.PUBLISH)[-1]
    assert ranking.detail["kind"] == "ranking" and ranking.detail["scheme"] == "审计方案"
    assert ranking.target.startswith("审计方案")


def test_a_bulletins_annex_and_a_rankings_workbook_downloaded_are_exports(client, city):
    from tuijin.bulletins import services as bulletins
    from tuijin.scoring import services as scoring

    period = f"{current_year()}-{date.today().month:02d}"
    draft = bulletins.bulletin_create(None, period=period, region=city.regions.city)
    regions = city.regions
    config = {"series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
                          "members": [regions.lanshan.pk, regions.luozhuang.pk]}],
              "indicators": [{"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate",
                              "weight": "60", "curve": {"kind": "linear", "target": "100"}}]}
    scheme = scoring.scheme_save(None, None, config=config, code="audit", name="审计方案", period_kind="month")
    run = scoring.run_compute(None, scheme, period)
    client.force_login(city.users["dispatcher"])
    assert client.get(reverse("bulletins:annex", args=[draft.pk])).status_code == 200
    assert client.get(reverse("scoring:run_export", args=[run.pk])).status_code == 200
    annex, ranking = entries(Action.EXPORT)
    assert annex.detail["what"] == "通报附件" and annex.detail["bulletin_id"] == draft.pk
    assert annex.detail["filename"].endswith("（附件）.xlsx") and draft.title in annex.detail["filter"]
    assert ranking.detail["what"] == "考核排名" and ranking.detail["rows"] == 2 and "审计方案" in ranking.detail["filter"]


# ---------------------------------------------------------------------------------- refused, admin


def test_a_404_and_a_403_to_a_signed_in_user_are_recorded_with_path_and_method(client, city):
    other = f.build_other_project(city)
    client.force_login(city.users["reporter_a"])
    assert client.get(reverse("projects:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("projects:admissions")).status_code == 403
    not_found, forbidden = entries(Action.DENIED)
    assert not_found.detail == {"path": reverse("projects:detail", args=[other.pk]), "method": "GET", "status": 404}
    assert forbidden.detail["status"] == 403 and forbidden.result == "refused"
    assert forbidden.username == "reporter_a"


def test_an_anonymous_404_and_a_page_seen_are_not_recorded(client, city):
    client.get("/no-such-page/")
    client.force_login(city.users["reporter_a"])
    client.get(reverse("projects:list"))
    assert entries(Action.DENIED) == []


def test_a_django_admin_action_is_recorded_and_the_superuser_flagged(client, city):
    client.force_login(city.users["admin"])
    level = Level.objects.create(name="临时级别")
    response = client.post(reverse("admin:projects_level_delete", args=[level.pk]), {"post": "yes"})
    assert response.status_code == 302
    action = only(Action.ADMIN)
    assert action.detail["operation"] == "删除" and action.detail["object"] == "临时级别"
    assert action.detail["superuser"] is True and "仅用于安装" in action.detail["note"]


# ------------------------------------------------------------------------------------------ accounts


@dataclass(frozen=True, kw_only=True)
class PasswordChanged:  # the shape of tuijin.accounts.events' events
    user_id: int
    by_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class SecondFactorFailed:
    user_id: int


def test_account_events_map_to_their_actions(city):
    subscribers.connect_account_events(__name__)
    leader, security = city.users["leader"], city.users["admin"]
    events.emit(PasswordChanged(user_id=leader.pk, by_id=security.pk))
    events.emit(SecondFactorFailed(user_id=leader.pk))
    password = only(Action.PASSWORD)
    assert (password.target, password.username, password.detail["event"]) == ("leader", "admin", "PasswordChanged")
    factor = only(Action.SECOND_FACTOR)
    assert (factor.result, factor.username) == ("failure", "leader")


def test_object_ids_are_kept_as_runs():
    assert subscribers.ranges(range(100, 10100)) == [[100, 10099]]
    assert subscribers.ranges([9, 3, 4, 5, 1, 10, 4]) == [[1, 1], [3, 5], [9, 10]]
    assert subscribers.ranges([]) == []


def test_a_monthly_report_import_accepted_and_one_refused_name_the_file_and_its_sha256(client, city):
    from tuijin.reports import services as report_services

    project = f.build_own_project(city)
    today = date.today()
    period = report_services.period_open(None, year=current_year(), month=today.month, project_ids=[project.pk])
    client.force_login(city.users["reporter_a"])
    good = f"项目名称,本月完成投资（万元）,形象进度\r\n{project.name},66.60,审计导入\r\n".encode()
    response = client.post(reverse("reports:import", args=[period.pk]),
                           {"file": SimpleUploadedFile("月报.csv", good), "action": "import"})
    assert response.status_code == 302
    accepted = only(Action.IMPORT)
    assert accepted.result == "success" and accepted.detail["saved"] == 1
    assert accepted.detail["sha256"] == hashlib.sha256(good).hexdigest() and accepted.detail["filename"] == "月报.csv"
    bad = "项目名称,本月完成投资（万元）\r\n不存在的项目,1.00\r\n".encode()
    client.post(reverse("reports:import", args=[period.pk]), {"file": SimpleUploadedFile("错表.csv", bad), "action": "import"})
    refused = entries(Action.IMPORT)[-1]
    assert refused.result == "failure" and refused.detail["rejected"] and refused.detail["filename"] == "错表.csv"
    client.post(reverse("reports:import", args=[period.pk]), {"file": SimpleUploadedFile("检查.csv", good)})
    assert len(entries(Action.IMPORT)) == 2  # a check without importing is no import


def test_the_accounts_password_and_factor_events_are_recorded(city, django_capture_on_commit_callbacks):
    """tuijin.accounts emits its events after commit; the audit trail subscribes them (ACCOUNT_EVENTS)."""
    from tuijin.accounts import services as accounts

    leader, admin = city.users["leader"], city.users["admin"]
    with django_capture_on_commit_callbacks(execute=True):
        accounts.password_change(leader, old_password=f.PASSWORD, new_password="Xq7#mP2v!Lr9zT")
    changed = only(Action.PASSWORD)
    assert (changed.target, changed.username, changed.detail["reason"]) == ("leader", "leader", "self")
    with django_capture_on_commit_callbacks(execute=True):
        accounts.reset_password(leader, admin)
    reset = entries(Action.PASSWORD)[-1]
    assert (reset.detail["event"], reset.target, reset.username) == ("PasswordReset", "leader", "admin")
    with django_capture_on_commit_callbacks(execute=True):
        assert accounts.verify_second_factor(leader, "000000") is None
    failed = only(Action.SECOND_FACTOR)
    assert (failed.result, failed.detail["event"]) == ("failure", "SecondFactorFailed")
