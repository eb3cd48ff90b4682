"""Import vocabulary is data: admins add the header and value words their offices use."""

from django.contrib import admin

from tuijin.org.adminsite import SYSTEM, DutyAdmin

from .models import HeaderSynonym, ImportBatch, SavedMapping, ValueSynonym


@admin.register(HeaderSynonym)
class HeaderSynonymAdmin(DutyAdmin, admin.ModelAdmin):
    duty = SYSTEM
    list_display = ("text", "field", "is_active")
    list_editable = ("field", "is_active")
    list_filter = ("field", "is_active")
    search_fields = ("text",)


@admin.register(ValueSynonym)
class ValueSynonymAdmin(DutyAdmin, admin.ModelAdmin):
    duty = SYSTEM
    list_display = ("kind", "text", "value", "is_active")
    list_editable = ("value", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("text", "value")


@admin.register(SavedMapping)
class SavedMappingAdmin(DutyAdmin, admin.ModelAdmin):
    duty = SYSTEM
    list_display = ("__str__", "updated_by", "updated_at")
    readonly_fields = ("signature", "labels", "updated_by", "updated_at")
    fields = ("signature", "labels", "fields", "updated_by", "updated_at")


@admin.register(ImportBatch)
class ImportBatchAdmin(DutyAdmin, admin.ModelAdmin):
    """A record of who imported what and with which result; not editable."""

    duty = SYSTEM
    actions_allowed = ("view",)

    list_display = ("filename", "user", "status", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("filename", "user__username")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]
