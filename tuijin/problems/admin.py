from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from tuijin.org.adminsite import SYSTEM, DutyAdmin

from .models import MeetingCadence, ProblemType


@admin.register(ProblemType)
class ProblemTypeAdmin(DutyAdmin, SimpleHistoryAdmin):
    duty = SYSTEM
    list_display = ("name", "sort", "is_active")
    list_editable = ("sort", "is_active")


@admin.register(MeetingCadence)
class MeetingCadenceAdmin(DutyAdmin, SimpleHistoryAdmin):
    duty = SYSTEM
    list_display = ("name", "meeting_kind", "inspection_kind", "interval", "first_on", "is_active")
