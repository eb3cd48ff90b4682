"""Import vocabulary is data: admins add the header and value words their offices use."""

from django.contrib import admin

from .models import HeaderSynonym, ImportBatch, SavedMapping, ValueSynonym


@admin.register(HeaderSynonym)
class HeaderSynonymAdmin(admin.ModelAdmin):
    list_display = ("text", "field", "is_active")
    list_editable = ("field", "is_active")
    list_filter = ("field", "is_active")
    search_fields = ("text",)


@admin.register(ValueSynonym)
class ValueSynonymAdmin(admin.ModelAdmin):
    list_display = ("kind", "text", "value", "is_active")
    list_editable = ("value", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("text", "value")


@admin.register(SavedMapping)
class SavedMappingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "updated_by", "updated_at")
    readonly_fields = ("signature", "labels", "updated_by", "updated_at")
    fields = ("signature", "labels", "fields", "updated_by", "updated_at")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """A record of who imported what and with which result; not editable."""

    list_display = ("filename", "user", "status", "created_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("filename", "user__username")
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
