"""Reads about users' places: the access grants every scoped queryset is built from, and the role
requirements every view and service asks (is_office / require_office…), stated once here."""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from .choices import Role, Scope
from .models import Membership, Region, Unit

EDITOR_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.REPORTER})
OFFICE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER})
# Who issues supervision orders (督办单) and records meetings and inspections with their decisions.
SUPERVISOR_ROLES = OFFICE_ROLES | {Role.INSPECTOR}
# 三权分立: the system administrator is Role.ADMIN (users, dictionaries, settings, and the office's work);
# these two administer the platform only and see no business data.
ADMINISTRATION_ROLES = frozenset({Role.SECURITY, Role.AUDITOR})


@dataclass(frozen=True)
class Grant:
    role: str
    scope: str
    region_path: str
    region_id: int
    unit_id: int


@dataclass(frozen=True)
class Access:
    """What a user may reach. `grants` are the business grants (their regions and units scope every
    project, report and problem the user sees); the security and audit administrators' memberships
    (ADMINISTRATION_ROLES) open no business data and are kept apart in `administration`."""
    user_id: int | None
    is_superuser: bool = False
    grants: tuple[Grant, ...] = field(default_factory=tuple)
    administration: frozenset[str] = frozenset()

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants) | self.administration

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(g.role in roles for g in self.grants) or bool(self.administration & set(roles))

    def grants_for(self, roles) -> list[Grant]:
        return [g for g in self.grants if g.role in roles]

    def region_paths(self, roles) -> list[str]:
        return [g.region_path for g in self.grants_for(roles) if g.scope == Scope.REGION]

    def unit_ids(self, roles) -> list[int]:
        return [g.unit_id for g in self.grants_for(roles)]


def user_access(user) -> Access:
    """The user's grants, computed once per request (cached on the user object)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Access(user_id=None)
    cached = getattr(user, "_tuijin_access", None)
    if cached is not None:
        return cached
    rows = (
        Membership.objects.filter(user=user, is_active=True, unit__is_active=True)
        .values_list("role", "scope", "unit__region__path", "unit__region_id", "unit_id")
        .order_by("id")
    )
    grants = [Grant(*row) for row in rows]
    access = Access(
        user_id=user.pk, is_superuser=user.is_superuser,
        grants=tuple(g for g in grants if g.role not in ADMINISTRATION_ROLES),
        administration=frozenset(g.role for g in grants if g.role in ADMINISTRATION_ROLES),
    )
    user._tuijin_access = access
    return access


def is_office(user) -> bool:
    """The dispatch office's work (periods, review, reminders, baselines, warning rules, archiving):
    dispatchers and admins."""
    return user_access(user).has_role(*OFFICE_ROLES)


def is_editor(user) -> bool:
    """Fills in projects, reports and schedules within the user's scope: admins, dispatchers, reporters."""
    return user_access(user).has_role(*EDITOR_ROLES)


def is_system_admin(user) -> bool:
    """Users, dictionaries and settings (系统管理员)."""
    return user_access(user).has_role(Role.ADMIN)


def is_security_admin(user) -> bool:
    """Roles, grants, unlocks and second-factor resets (安全管理员)."""
    return user_access(user).has_role(Role.SECURITY)


def is_audit_admin(user) -> bool:
    """Reads and exports the audit trail, nothing else (审计管理员)."""
    return user_access(user).has_role(Role.AUDITOR)


def sees_contacts(user) -> bool:
    """Contact persons and their phone numbers in full (个人信息, masked for everyone else by
    core.masking): the office (admin, dispatcher), who call the units and owners; `None` is the system."""
    return user is None or is_office(user)


def may_supervise(user) -> bool:
    """Issues supervision orders and records meetings and inspections: the office and inspectors."""
    return user_access(user).has_role(*SUPERVISOR_ROLES)


def require_office(user) -> None:
    """PermissionDenied unless is_office; `None` is the system (the CLI without --user), which may."""
    if user is not None and not is_office(user):
        raise PermissionDenied


def require_editor(user) -> None:
    """PermissionDenied unless is_editor; `None` is the system, which may."""
    if user is not None and not is_editor(user):
        raise PermissionDenied


def subtrees_q(paths, field: str = "path"):
    """Rows within the regions of `paths` (their subtrees): `field` is the region path to match, e.g.
    "region__path" from a record; no paths match nothing."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for path in paths:
        query |= Q(**{f"{field}__startswith": path})
    return query


def regions_editable_by(user):
    """Regions where the user may place a project (their editor grants' subtrees)."""
    access = user_access(user)
    if access.is_superuser:
        return Region.objects.all()
    paths = access.region_paths(EDITOR_ROLES)
    if not paths:
        return Region.objects.none()
    return Region.objects.filter(subtrees_q(paths))


def office_regions(user):
    """Regions the user acts for as the office (their admin and dispatcher grants' subtrees; every region
    for a superuser): where they publish bulletins and issue the big screen's display tokens."""
    access = user_access(user)
    if access.is_superuser:
        return Region.objects.all()
    paths = access.region_paths(OFFICE_ROLES)
    return Region.objects.filter(subtrees_q(paths)) if paths else Region.objects.none()


def regions_visible_to(user):
    access = user_access(user)
    if access.is_superuser or not access.grants:
        return Region.objects.all() if access.is_superuser else Region.objects.none()
    return Region.objects.filter(subtrees_q({g.region_path for g in access.grants}))


def primary_unit(user) -> Unit | None:
    access = user_access(user)
    if not access.grants:
        return None
    return Unit.objects.filter(pk=access.grants[0].unit_id).first()



class OfficeMembers:
    """The active people with office grants (admin, dispatcher), read once. `over(region_path, unit_ids)`:
    those whose grants cover a project in that region or of those units, as Project.objects.reviewable_by
    scopes them (a region grant its subtree, a unit grant the unit's projects) — who decide the project's
    applications, and so whom a new 申报 is announced to."""

    def __init__(self):
        rows = (Membership.objects.filter(role__in=OFFICE_ROLES, is_active=True, unit__is_active=True,
                                          user__is_active=True)
                .select_related("user", "unit__region").order_by("user_id", "id"))
        self._grants = [(m.scope, m.unit.region.path, m.unit_id, m.user) for m in rows]

    def over(self, region_path: str, unit_ids=()) -> list:
        found = {}
        for scope, path, unit_id, user in self._grants:
            if (region_path.startswith(path) if scope == Scope.REGION else unit_id in unit_ids):
                found.setdefault(user.pk, user)
        return list(found.values())
