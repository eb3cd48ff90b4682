from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccountState


@admin.register(AccountState)
class AccountStateAdmin(SimpleHistoryAdmin):
    """Read-only: passwords and factors change through the services (账户与安全, the resets)."""
    list_display = ("user", "password_changed_at", "must_change_password", "demo_exempt")
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _unregister_otp_admins() -> None:
    """django-otp's admin pages show and edit the authenticators' secrets and the recovery codes: the devices
    change only through 账户与安全 and the security administrator's reset (which are audited)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_otp_admins()
