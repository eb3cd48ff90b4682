"""The audit trail in the Django admin: read-only for everyone, the superuser included (no add, change
or delete; the probe of issue #18 deleted login logs through the admin)."""

from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "username", "action", "target", "address", "result")
    list_filter = ("action", "result")
    search_fields = ("username", "target", "address")
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
