from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tuijin.org.adminsite import SECURITY, DutyAdmin

from .models import AccountState


@admin.register(AccountState)
class AccountStateAdmin(DutyAdmin, SimpleHistoryAdmin):
    """The security administrator's, read-only: passwords and factors change through the services
    (账户与安全, the resets)."""
    duty = SECURITY
    actions_allowed = ("view",)
    list_display = ("user", "password_changed_at", "must_change_password", "demo_exempt")
    search_fields = ("user__username",)


def _unregister_otp_admins() -> None:
    """django-otp's admin pages show and edit the authenticators' secrets and the recovery codes: the devices
    change only through 账户与安全 and the security administrator's reset (which are audited)."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (TOTPDevice, StaticDevice):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_otp_admins()
