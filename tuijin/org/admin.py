"""Admin pages of org and of the accounts (三权分立, see adminsite.py): regions, units and leaders are the
system administrator's dictionaries, and so are the accounts (name, e-mail, active); roles and grants
(Membership) and unlocks (axes' access attempts) are the security administrator's."""

from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .adminsite import SECURITY, SYSTEM, DutyAdmin
from .models import Leader, Membership, Region, Unit


@admin.register(Region)
class RegionAdmin(DutyAdmin, admin.ModelAdmin):
    duty = SYSTEM
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(DutyAdmin, SimpleHistoryAdmin):
    duty = SYSTEM
    list_display = ("name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("region",)


@admin.register(Leader)
class LeaderAdmin(DutyAdmin, SimpleHistoryAdmin):
    duty = SYSTEM
    list_display = ("name", "title", "unit", "user", "is_active")
    search_fields = ("name", "title")
    autocomplete_fields = ("unit", "user")


class MembershipForm(forms.ModelForm):
    """The admin's form, checked by services.membership_check before anything is saved (the acting user
    is set by MembershipAdmin.get_form)."""

    acting_user = None

    class Meta:
        model = Membership
        fields = ("user", "unit", "role", "scope", "is_active")

    def clean(self):
        cleaned = super().clean()
        probe = Membership(user=cleaned.get("user"), unit=cleaned.get("unit"), role=cleaned.get("role"))
        original = self.instance.user_id if self.instance.pk else None
        try:
            services.membership_check(probe, self.acting_user, original_user_id=original)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        return cleaned


@admin.register(Membership)
class MembershipAdmin(DutyAdmin, SimpleHistoryAdmin):
    """角色授权: the security administrator's. The user and unit are plain choices, not lookups into the
    user and unit pages, which are the system administrator's."""

    duty = SECURITY
    form = MembershipForm
    list_display = ("user", "unit", "role", "scope", "is_active")
    list_filter = ("role", "scope", "is_active")
    search_fields = ("user__username", "user__first_name", "unit__name")
    list_select_related = ("user", "unit")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user})

    def _own(self, request, obj) -> bool:
        return obj is not None and obj.user_id == request.user.pk

    def has_change_permission(self, request, obj=None):
        # One's own roles are shown, never changed: another security administrator does that.
        return super().has_change_permission(request, obj) and not self._own(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._own(request, obj)

    def save_model(self, request, obj, form, change):
        services.membership_save(obj, request.user)

    def delete_model(self, request, obj):
        services.membership_delete(obj, request.user)

    def delete_queryset(self, request, queryset):
        if queryset.filter(user=request.user).exists():
            # The bulk action: refused whole, nothing deleted (the message is shown on the 403 page too).
            raise PermissionDenied(_("不能撤销自己的角色，请由另一位安全管理员办理。"))
        with transaction.atomic():
            for membership in queryset.select_related("user", "unit"):
                services.membership_delete(membership, request.user)


# ---------------------------------------------------------------------------------------- accounts

User = get_user_model()
admin.site.unregister(User)
# Roles are Memberships; Django's groups and permissions grant nothing here (adminsite.DutyAdmin never asks
# them), so their page would only mislead.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(DutyAdmin, auth_admin.UserAdmin):
    """用户: the system administrator creates accounts and edits the name, e-mail and whether the account
    is active; not the roles (the security administrator's 角色授权), not the staff or superuser flags
    (the installation's). Accounts are deactivated, never deleted: their history and audit stay whole."""

    duty = SYSTEM
    actions_allowed = ("view", "add", "change")
    list_display = ("username", "first_name", "email", "is_active", "last_login")
    list_filter = ("is_active",)
    search_fields = ("username", "first_name", "last_name", "email")
    readonly_fields = ("last_login", "date_joined")
    system_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("first_name", "last_name", "email")}),
        (_("状态"), {"fields": ("is_active", "last_login", "date_joined")}),
    )

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.system_fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.pk == request.user.pk:
            readonly += ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        # The superuser's account is the installation's: a system administrator sees it, never edits it.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        """Django's form would set a password past the reset service (its history, the forced change, the
        audit): a password is reset on 用户账户管理 (accounts:users), or changed by its owner."""
        return redirect("accounts:users")

    def save_model(self, request, obj, form, change):
        try:
            services.user_check(obj, request.user, form.changed_data)
        except ValidationError as error:
            raise PermissionDenied(" ".join(error.messages)) from None
        super().save_model(request, obj, form, change)


# -------------------------------------------------------------------------------- unlocks and logs

admin.site.unregister(AccessAttempt)
admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(DutyAdmin, axes_admin.AccessAttemptAdmin):
    """解锁: deleting an account's (or an address's) failed attempts lifts its lockout at once."""

    duty = SECURITY
    actions_allowed = ("view", "delete")


@admin.register(AccessLog)
class AccessLogAdmin(DutyAdmin, axes_admin.AccessLogAdmin):
    """登录记录: read only (a login log is never deleted through the app)."""

    duty = SECURITY
    actions_allowed = ("view",)


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(DutyAdmin, axes_admin.AccessFailureLogAdmin):
    """登录失败记录: read only (unlocking deletes the attempts, never this log)."""

    duty = SECURITY
    actions_allowed = ("view",)
