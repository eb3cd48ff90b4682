"""三权分立 in the admin (/admin/, tuijin.org.adminsite): every admin page × each administrator × each
action answers as the rules say, decided by the user's roles, never by is_staff or Django permissions.

Read RULES as the rules: whose duty each page is and which actions it allows at all —
  system    系统管理员 (Role.ADMIN): accounts (name, e-mail, active; never deleted), dictionaries, settings
  security  安全管理员 (Role.SECURITY): 角色授权 (Membership), 解锁 (deleting access attempts), the login
            logs (read only)
The audit administrator, a staff flag alone, a hand-assigned Django permission and every other role get
403 on every admin page; the superuser (installation) has every duty, within the same actions.
A refused POST writes nothing. Nobody grants themselves a role or changes their own memberships, flags or
superuser account (org.services, with a Chinese message).
"""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tuijin.accounts.models import AccountState
from tuijin.ledgerio.models import ImportBatch, SavedMapping
from tuijin.org import services
from tuijin.org.adminsite import DutyAdmin
from tuijin.org.choices import Role, Scope
from tuijin.org.models import Membership
from tuijin.problems.models import MeetingCadence
from tuijin.projects.models import Category, Level, Nature, Program, Stage

from .. import factories
from ..writes import record_writes

pytestmark = pytest.mark.django_db

ALL = "view add change delete"
SYSTEM, SECURITY = "system", "security"
RULES = {
    "auth.user": (SYSTEM, "view add change"),
    "org.region": (SYSTEM, ALL),
    "org.unit": (SYSTEM, ALL),
    "org.leader": (SYSTEM, ALL),
    "projects.level": (SYSTEM, ALL),
    "projects.nature": (SYSTEM, ALL),
    "projects.program": (SYSTEM, ALL),
    "projects.stage": (SYSTEM, ALL),
    "projects.category": (SYSTEM, ALL),
    "ledgerio.headersynonym": (SYSTEM, ALL),
    "ledgerio.valuesynonym": (SYSTEM, ALL),
    "ledgerio.savedmapping": (SYSTEM, ALL),
    "ledgerio.importbatch": (SYSTEM, "view"),
    "schedules.milestonetemplate": (SYSTEM, ALL),
    "schedules.approvaltype": (SYSTEM, ALL),
    "problems.problemtype": (SYSTEM, ALL),
    "problems.meetingcadence": (SYSTEM, ALL),
    "org.membership": (SECURITY, ALL),
    "axes.accessattempt": (SECURITY, "view delete"),
    "axes.accesslog": (SECURITY, "view"),
    "axes.accessfailurelog": (SECURITY, "view"),
    "accounts.accountstate": (SECURITY, "view"),
}
# The duties each principal holds.
PRINCIPALS = {
    "sysadmin": {SYSTEM},
    "security": {SECURITY},
    "superuser": {SYSTEM, SECURITY},
    "auditor": set(),
    "staff_only": set(),
    "dispatcher": set(),
}


@pytest.fixture
def people(users, units):
    """The city's principals plus a system administrator (not a superuser) and a staff flag without a role."""
    User = get_user_model()
    sysadmin = User.objects.create_user("sysadmin", password="x", first_name="陈系统")
    Membership.objects.create(user=sysadmin, unit=units.development, role=Role.ADMIN, scope=Scope.REGION)
    staff_only = User.objects.create_user("staff_only", password="x", is_staff=True)
    return {**users, "sysadmin": sysadmin, "staff_only": staff_only, "superuser": users["admin"]}


def some(label: str, people):
    """An object of the model to open its change and delete pages (someone else's, never the actor's)."""
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    now = timezone.now()
    makers = {
        "auth.user": lambda: people["reporter_a"],
        "org.membership": lambda: Membership.objects.get(user=people["reporter_a"]),
        "projects.level": lambda: Level.objects.create(name="矩阵级别"),
        "projects.nature": lambda: Nature.objects.create(name="矩阵性质"),
        "projects.program": lambda: Program.objects.create(name="矩阵专项"),
        "projects.stage": lambda: Stage.objects.create(name="矩阵阶段"),
        "projects.category": lambda: Category.objects.create(name="矩阵类别"),
        "ledgerio.savedmapping": lambda: SavedMapping.objects.create(signature="m" * 64, labels=["项目名称"],
                                                                     fields={"1": "name"}),
        "ledgerio.importbatch": lambda: ImportBatch.objects.create(user=people["reporter_a"], filename="台账.xlsx"),
        "problems.meetingcadence": lambda: MeetingCadence.objects.create(name="矩阵例会", meeting_kind="dispatch", interval="monthly",
                                                                         first_on=now.date()),
        "axes.accessattempt": lambda: AccessAttempt.objects.create(
            username="reporter_a", ip_address="10.0.0.9", user_agent="t", failures_since_start=5,
            get_data="", post_data="", http_accept="", path_info="/login/", attempt_time=now),
        "axes.accesslog": lambda: AccessLog.objects.create(username="reporter_a", ip_address="10.0.0.9",
                                                           user_agent="t", attempt_time=now, path_info="/login/"),
        "accounts.accountstate": lambda: AccountState.objects.get_or_create(user=people["reporter_a"])[0],
        "axes.accessfailurelog": lambda: AccessFailureLog.objects.create(
            username="reporter_a", ip_address="10.0.0.9", user_agent="t", attempt_time=now, path_info="/login/"),
    }
    if label in makers:
        return makers[label]()
    return model._default_manager.order_by("pk").first()


def admin_url(label: str, action: str, obj=None) -> str:
    app, model = label.split(".")
    if action in {"changelist", "add"}:
        return reverse(f"admin:{app}_{model}_{action}")
    return reverse(f"admin:{app}_{model}_{action}", args=[obj.pk])


def expected(principal: str, label: str, action: str) -> int:
    duty, allowed = RULES[label]
    if duty not in PRINCIPALS[principal]:
        return 403
    needs = {"changelist": {"view"}, "add": {"add"}, "change": {"view", "change"}, "delete": {"delete"}}[action]
    return 200 if needs & set(allowed.split()) else 403


def test_every_admin_page_is_in_the_rules_and_names_its_duty():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(RULES), f"admin pages without a rule: {registered - set(RULES)}; gone: {set(RULES) - registered}"
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, DutyAdmin), model
        duty, allowed = RULES[model._meta.label_lower]
        assert model_admin.duty == {SYSTEM: Role.ADMIN, SECURITY: Role.SECURITY}[duty], model
        for inline in model_admin.inlines:
            assert issubclass(inline, DutyAdmin) and inline.duty == model_admin.duty, inline


@pytest.mark.parametrize("principal", list(PRINCIPALS))
@pytest.mark.parametrize("label", list(RULES))
def test_each_administrator_gets_the_expected_answer_from_each_admin_page(client, people, principal, label):
    client.force_login(people[principal])
    obj = some(label, people)
    model = type(obj)
    for action in ("changelist", "add", "change", "delete"):
        url = admin_url(label, action, obj)
        response = client.get(url)
        assert response.status_code == expected(principal, label, action), f"GET {action} {url}"
    # A refused write writes nothing, whatever it posts (the allowed writes are tested one by one below).
    duty, allowed = RULES[label]
    before = model._default_manager.count()
    for action in ("add", "change", "delete"):
        if duty in PRINCIPALS[principal] and action in allowed.split():
            continue
        with record_writes() as writes:
            response = client.post(admin_url(label, action, obj), {"post": "yes", "name": "改名", "is_active": "on",
                                                                   "username": "renamed", "role": Role.ADMIN})
        assert response.status_code == 403, f"POST {action} {label}"
        assert [str(w) for w in writes.domain()] == []
        assert model._default_manager.count() == before
        assert model._default_manager.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("principal", "status"), [
    ("sysadmin", 200), ("security", 200), ("superuser", 200),
    ("auditor", 403), ("staff_only", 403), ("dispatcher", 403), ("reporter_a", 403), ("outsider", 403),
])
def test_only_the_system_and_security_administrators_enter_the_admin(client, people, principal, status):
    client.force_login(people[principal])
    assert client.get("/admin/").status_code == status
    home = client.get("/").content.decode()
    assert (reverse("admin:index") in home) is (status == 200)  # the navbar's 系统管理 link


def test_anonymous_users_sign_in_through_the_platform_login(client):
    response = client.get("/admin/org/membership/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/org/membership/"
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"


def test_a_hand_assigned_django_permission_opens_nothing(client, people):
    user = people["staff_only"]
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_membership", "change_membership",
                                                                         "view_user", "change_user"]))
    client.force_login(user)
    assert client.get("/admin/").status_code == 403
    assert client.get(reverse("admin:org_membership_changelist")).status_code == 403


def test_each_index_lists_only_its_administrators_pages(client, people):
    client.force_login(people["security"])
    page = client.get("/admin/").content.decode()
    assert reverse("admin:org_membership_changelist") in page and reverse("admin:axes_accessattempt_changelist") in page
    assert reverse("admin:auth_user_changelist") not in page and reverse("admin:org_region_changelist") not in page
    client.force_login(people["sysadmin"])
    page = client.get("/admin/").content.decode()
    assert reverse("admin:auth_user_changelist") in page and reverse("admin:projects_level_changelist") in page
    assert reverse("admin:org_membership_changelist") not in page
    assert reverse("admin:axes_accessattempt_changelist") not in page


# ------------------------------------------------------------------------------------ 角色授权


def membership_form(user, unit, role=Role.REPORTER, **extra) -> dict:
    return {"user": user.pk, "unit": unit.pk, "role": role, "scope": Scope.REGION, "is_active": "on", **extra}


def test_the_security_administrator_grants_a_role_with_its_history(client, people, units):
    client.force_login(people["security"])
    response = client.post(reverse("admin:org_membership_add"), membership_form(people["outsider"], units.transport))
    assert response.status_code == 302
    granted = Membership.objects.get(user=people["outsider"])
    assert (granted.unit, granted.role) == (units.transport, Role.REPORTER)
    assert granted.history.get().history_user == people["security"]


@pytest.mark.parametrize("role", [Role.SECURITY, Role.ADMIN, Role.REPORTER])
def test_nobody_grants_themselves_a_role(client, people, units, role):
    client.force_login(people["security"])
    before = Membership.objects.filter(user=people["security"]).count()
    with record_writes() as writes:
        response = client.post(reverse("admin:org_membership_add"),
                               membership_form(people["security"], units.transport, role))
    assert response.status_code == 200
    assert "不能为自己授予角色或修改自己的角色" in response.content.decode()
    assert [str(w) for w in writes.domain()] == []
    assert Membership.objects.filter(user=people["security"]).count() == before


def test_nobody_moves_someone_elses_membership_onto_themselves(client, people, units):
    client.force_login(people["security"])
    theirs = Membership.objects.get(user=people["reporter_a"])
    with record_writes() as writes:
        response = client.post(reverse("admin:org_membership_change", args=[theirs.pk]),
                               membership_form(people["security"], theirs.unit, Role.ADMIN))
    assert response.status_code == 200 and "不能为自己授予角色" in response.content.decode()
    assert [str(w) for w in writes.domain()] == []
    theirs.refresh_from_db()
    assert (theirs.user, theirs.role) == (people["reporter_a"], Role.REPORTER)


def test_ones_own_membership_is_shown_but_never_changed_or_withdrawn(client, people, units):
    client.force_login(people["security"])
    own = Membership.objects.get(user=people["security"])
    assert client.get(reverse("admin:org_membership_change", args=[own.pk])).status_code == 200  # read only
    with record_writes() as writes:
        changed = client.post(reverse("admin:org_membership_change", args=[own.pk]),
                              membership_form(people["security"], units.development, Role.ADMIN))
        deleted = client.post(reverse("admin:org_membership_delete", args=[own.pk]), {"post": "yes"})
        bulk = client.post(reverse("admin:org_membership_changelist"),
                           {"action": "delete_selected", "_selected_action": [own.pk], "post": "yes"})
    assert (changed.status_code, deleted.status_code, bulk.status_code) == (403, 403, 403)
    assert [str(w) for w in writes.domain()] == []
    own.refresh_from_db()
    assert own.role == Role.SECURITY and own.is_active


def test_a_revert_from_the_history_page_is_a_change_and_is_refused_for_ones_own(client, people):
    own = Membership.objects.get(user=people["security"])
    version = own.history.first()
    client.force_login(people["security"])
    url = reverse("admin:org_membership_simple_history", args=[own.pk, version.history_id])
    with record_writes() as writes:
        response = client.post(url, {"user": own.user_id, "unit": own.unit_id, "role": Role.ADMIN,
                                     "scope": Scope.REGION, "is_active": "on"})
    assert response.status_code == 403
    assert [str(w) for w in writes.domain()] == []


def test_the_security_administrator_withdraws_someone_elses_role(client, people):
    theirs = Membership.objects.get(user=people["reporter_a"])
    client.force_login(people["security"])
    response = client.post(reverse("admin:org_membership_delete", args=[theirs.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=theirs.pk).exists()


def test_the_membership_service_enforces_the_same_rules(people, units):
    grant = Membership(user=people["outsider"], unit=units.transport, role=Role.REPORTER)
    with pytest.raises(PermissionDenied):  # the system administrator does not grant roles
        services.membership_save(grant, people["sysadmin"])
    with pytest.raises(PermissionDenied):  # nor does the audit administrator
        services.membership_save(grant, people["auditor"])
    mine = Membership(user=people["superuser"], unit=units.transport, role=Role.SECURITY)
    with pytest.raises(ValidationError) as refused:  # not even the superuser grants themselves a role
        services.membership_save(mine, people["superuser"])
    assert "不能为自己授予角色" in refused.value.messages[0]
    assert not Membership.objects.filter(user__in=[people["outsider"], people["superuser"]]).exists()
    services.membership_save(grant, people["security"])
    assert Membership.objects.filter(user=people["outsider"], role=Role.REPORTER).exists()


# ---------------------------------------------------------------------------------------- 用户


def test_the_system_administrator_creates_an_account_with_no_role_or_flags(client, people):
    client.force_login(people["sysadmin"])
    response = client.post(reverse("admin:auth_user_add"), {
        "username": "new_clerk", "usable_password": "true", "password1": "Kq7#mXv2pL9w", "password2": "Kq7#mXv2pL9w",
        "is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    account = get_user_model().objects.get(username="new_clerk")
    assert not account.is_superuser and not account.is_staff and not account.memberships.exists()


def test_the_system_administrator_edits_names_but_not_flags_or_roles(client, people):
    clerk = people["reporter_a"]
    client.force_login(people["sysadmin"])
    response = client.post(reverse("admin:auth_user_change", args=[clerk.pk]), {
        "username": clerk.username, "first_name": "李兰山（改）", "last_name": "", "email": "",
        "is_active": "on", "is_superuser": "on", "is_staff": "on", "groups": [], "user_permissions": []})
    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert clerk.first_name == "李兰山（改）"
    assert not clerk.is_superuser and not clerk.is_staff
    assert list(clerk.memberships.values_list("role", flat=True)) == [Role.REPORTER]


def test_the_system_administrator_neither_deletes_accounts_nor_edits_the_superuser(client, people):
    client.force_login(people["sysadmin"])
    superuser = people["superuser"]
    assert client.get(reverse("admin:auth_user_change", args=[superuser.pk])).status_code == 200  # read only
    with record_writes() as writes:
        response = client.post(reverse("admin:auth_user_change", args=[superuser.pk]),
                               {"username": superuser.username, "is_active": ""})
    assert response.status_code == 403 and [str(w) for w in writes.domain()] == []
    superuser.refresh_from_db()
    assert superuser.is_active and superuser.is_superuser


def test_nobody_changes_their_own_flags(client, people):
    superuser = people["superuser"]
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_user_change", args=[superuser.pk]), {
        "username": superuser.username, "first_name": "安装", "last_name": "", "email": ""})  # is_active and is_superuser left unticked
    assert response.status_code == 302, response.content.decode()[:2000]
    superuser.refresh_from_db()
    assert superuser.is_superuser and superuser.is_active and superuser.first_name == "安装"
    with pytest.raises(ValidationError) as refused:
        services.user_check(people["sysadmin"], people["sysadmin"], ["is_active"])
    assert "不能修改自己的" in refused.value.messages[0]


# ---------------------------------------------------------------------------------------- 解锁


def test_the_security_administrator_unlocks_by_deleting_the_attempts_but_keeps_the_logs(client, people):
    attempt, log = some("axes.accessattempt", people), some("axes.accessfailurelog", people)
    client.force_login(people["security"])
    response = client.post(reverse("admin:axes_accessattempt_changelist"),
                           {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert client.post(reverse("admin:axes_accessfailurelog_delete", args=[log.pk]), {"post": "yes"}).status_code == 403
    assert AccessFailureLog.objects.filter(pk=log.pk).exists()


def test_the_security_home_links_the_tools_and_counts_the_locked_accounts(client, people):
    some("axes.accessattempt", people)
    old = AccessAttempt.objects.create(username="old", ip_address="10.0.0.8", user_agent="t", failures_since_start=5,
                                       get_data="", post_data="", http_accept="", path_info="/login/")
    # its lock has run out (attempt_time is set on insert, so moved back after)
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(days=1))
    client.force_login(people["security"])
    page = client.get("/").content.decode()
    assert "角色授权" in page and reverse("admin:org_membership_changelist") in page
    assert "解锁" in page and reverse("admin:axes_accessattempt_changelist") in page
    assert 'id="tool-unlock"' in page
    unlock = page[page.index('id="tool-unlock"'):]
    assert '<span class="badge text-bg-danger ms-auto" title="当前被锁定">1</span>' in unlock[:700]
    assert "项目台账" not in page[page.index('id="home-admin"'):]


def test_the_audit_home_links_the_audit_trail_and_nothing_else(client, people):
    client.force_login(people["auditor"])
    page = client.get("/").content.decode()
    section = page[page.index('id="home-admin"'):]
    assert 'href="/audit/"' in section and "审计日志" in section
    assert "/admin/" not in section


@pytest.mark.parametrize(("principal", "business"), [("security", False), ("auditor", False), ("dispatcher", True),
                                                     ("sysadmin", True), ("outsider", True)])
def test_the_security_and_audit_administrators_navbar_has_no_business_pages(client, people, principal, business):
    client.force_login(people[principal])
    nav = client.get("/").content.decode().split("</nav>")[0]
    assert (reverse("projects:list") in nav) is business
    assert reverse("home") in nav


def test_the_unlock_pages_speak_chinese(client, people):
    client.force_login(people["security"])
    page = client.get("/admin/").content.decode()
    assert "登录尝试（解锁）" in page and "登录失败记录" in page and "登录记录" in page
    assert "Access attempts" not in page


def test_every_grant_change_is_announced_with_its_values_before_and_after(client, people, units,
                                                                          django_capture_on_commit_callbacks):
    from tuijin.core import events
    from tuijin.org.events import GrantChanged

    seen = []
    events.subscribe(GrantChanged, seen.append)
    try:
        client.force_login(people["security"])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("admin:org_membership_add"), membership_form(people["outsider"], units.transport))
        granted = Membership.objects.get(user=people["outsider"])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("admin:org_membership_change", args=[granted.pk]),
                        membership_form(people["outsider"], units.transport, Role.HANDLER))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("admin:org_membership_delete", args=[granted.pk]), {"post": "yes"})
    finally:
        events._subscribers[GrantChanged].remove(seen.append)
    assert [(e.action, e.user, e.account_id) for e in seen] == [
        ("granted", people["security"], people["outsider"].pk), ("changed", people["security"], people["outsider"].pk),
        ("withdrawn", people["security"], people["outsider"].pk)]
    assert seen[0].before is None and seen[0].after["role"] == Role.REPORTER
    assert (seen[1].before["role"], seen[1].after["role"]) == (Role.REPORTER, Role.HANDLER)
    assert seen[2].before["role"] == Role.HANDLER and seen[2].after is None
    assert seen[2].before["unit"] == units.transport.pk


def test_the_admins_password_forms_hand_over_to_the_account_pages(client):
    """Django's own password forms would bypass the rules' history, the forced change and the audit."""
    system = get_user_model().objects.create_user("sys_pw", password="x")
    unit = factories.UnitFactory(name="临沂市发展和改革委员会（测试）")
    Membership.objects.create(user=system, unit=unit, role=Role.ADMIN, scope=Scope.REGION)
    target = get_user_model().objects.create_user("target_pw", password="Old-pass-2026")
    client.force_login(system)
    assert client.get(reverse("admin:password_change"))["Location"] == reverse("accounts:password")
    response = client.post(reverse("admin:auth_user_password_change", args=[target.pk]),
                           {"password1": "New-pass-2026!", "password2": "New-pass-2026!"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:users")
    target.refresh_from_db()
    assert target.check_password("Old-pass-2026")  # nothing set
