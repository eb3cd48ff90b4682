from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "tuijin.schedules"
    label = "schedules"
    verbose_name = _("进度计划与前期手续")

    def ready(self):
        from tuijin.projects import tabs

        tabs.register("schedule", _("倒排工期"), "schedules:project")
        tabs.register("approvals", _("前期手续"), "schedules:approvals")
