"""Admins edit the schedule dictionaries: milestone templates with their nodes, approval types."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tuijin.org.adminsite import SYSTEM, DutyAdmin

from .models import ApprovalType, MilestoneTemplate, MilestoneTemplateStep


class StepInline(DutyAdmin, admin.TabularInline):
    duty = SYSTEM
    model = MilestoneTemplateStep
    extra = 1
    fields = ("sort", "name", "duration_days", "marks")


@admin.register(MilestoneTemplate)
class MilestoneTemplateAdmin(DutyAdmin, SimpleHistoryAdmin):
    duty = SYSTEM
    list_display = ("name", "kind", "sort", "is_active")
    list_filter = ("kind", "is_active")
    list_editable = ("sort", "is_active")
    filter_horizontal = ("categories",)
    inlines = [StepInline]


@admin.register(ApprovalType)
class ApprovalTypeAdmin(DutyAdmin, SimpleHistoryAdmin):
    duty = SYSTEM
    list_display = ("name", "short_name", "required_by_default", "sort", "is_active")
    list_editable = ("required_by_default", "sort", "is_active")
    search_fields = ("name", "short_name")
