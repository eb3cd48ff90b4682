from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import MeetingCadence, ProblemType


@admin.register(ProblemType)
class ProblemTypeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "sort", "is_active")
    list_editable = ("sort", "is_active")


@admin.register(MeetingCadence)
class MeetingCadenceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "meeting_kind", "inspection_kind", "interval", "first_on", "is_active")
