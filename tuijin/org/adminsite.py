"""The Django admin (/admin/) under 三权分立 (等保 2.0 level 3 §8.1.5): each page belongs to one
administrator's duty, decided here in code from the user's roles (Membership), never from Django's
is_staff flag, groups or hand-assigned permissions.

- the system administrator (Role.ADMIN): users (name, e-mail, active), dictionaries and settings;
- the security administrator (Role.SECURITY): roles and grants (Membership) and unlocks (axes'
  access attempts), and reads the login logs;
- the audit administrator (Role.AUDITOR): no admin page at all (the audit trail has its own pages);
- the superuser: the installation only (creating the first administrators).

Every ModelAdmin mixes in DutyAdmin and names its `duty`; one without a duty is the superuser's only.
"""

from functools import update_wrapper

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from .choices import Role
from .selectors import user_access

SYSTEM = Role.ADMIN  # 系统管理员
SECURITY = Role.SECURITY  # 安全管理员
ADMIN_DUTIES = frozenset({SYSTEM, SECURITY})
ACTIONS = ("view", "add", "change", "delete")


def holds_duty(user, duty: str | None) -> bool:
    """The user acts as the administrator of `duty` (a superuser: every duty, for the installation)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return duty is not None and duty in user_access(user).roles


def administers(user) -> bool:
    """Enters /admin/: the system or security administrator (or the installation's superuser)."""
    return any(holds_duty(user, duty) for duty in ADMIN_DUTIES)


class DutyAdmin:
    """Mixin for a ModelAdmin or an inline: its pages are `duty`'s, and only for `actions`. Django's own
    permission checks (user.has_perm: groups and hand-assigned permissions) are not asked at all."""

    duty: str | None = None
    actions_allowed: tuple[str, ...] = ACTIONS

    def may(self, request, action: str) -> bool:
        return action in self.actions_allowed and holds_duty(request.user, self.duty)

    def has_module_permission(self, request):
        return self.may(request, "view")

    def has_view_permission(self, request, obj=None):
        return self.may(request, "view")

    def has_add_permission(self, request, *args):  # an inline's takes the parent object too
        return self.may(request, "add")

    def has_change_permission(self, request, obj=None):
        return self.may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self.may(request, "delete")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # django-simple-history lets whoever may view a record revert it (a POST to this page): a revert is
        # a change, so it needs the change permission on that very record.
        if request.method == "POST" and not self.has_change_permission(request, self.get_object(request, object_id)):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class TuijinAdminSite(admin.AdminSite):
    site_header = "推进 · 重点项目管理服务平台"
    site_title = "推进"
    index_title = "系统管理"

    def has_permission(self, request):
        return administers(request.user)

    def admin_view(self, view, cacheable=False):
        """Django's, except: a signed-in user who administers nothing is refused (403) instead of being sent
        to a second login page, and the sign-in is the platform's own (/login/, with its lockout)."""

        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not self.has_permission(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        if not cacheable:
            inner = never_cache(inner)
        if not getattr(view, "csrf_exempt", False):
            inner = csrf_protect(inner)
        return update_wrapper(inner, view)

    def login(self, request, extra_context=None):
        """One sign-in for the whole platform: /admin/login/ goes to /login/ (its lockout, its checks)."""
        if request.user.is_authenticated:
            if self.has_permission(request):
                return redirect("admin:index")
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next") or "/admin/", settings.LOGIN_URL)

    def password_change(self, request, extra_context=None):
        """One way to change one's password: 账户与安全 (its rules, history and audit)."""
        return redirect("accounts:password")

    def logout(self, request, extra_context=None):
        from tuijin.core.views import LogoutView

        return LogoutView.as_view()(request)
