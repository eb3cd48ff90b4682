from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Leader, Membership, Region, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    search_fields = ("name", "code")
    autocomplete_fields = ("parent",)


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "region", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "short_name")
    autocomplete_fields = ("region",)


@admin.register(Leader)
class LeaderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "title", "unit", "user", "is_active")
    search_fields = ("name", "title")
    autocomplete_fields = ("unit", "user")


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ("user", "unit", "role", "scope", "is_active")
    list_filter = ("role", "scope", "is_active")
    search_fields = ("user__username", "unit__name")
    autocomplete_fields = ("user", "unit")
