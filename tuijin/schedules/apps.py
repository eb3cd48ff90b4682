from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SchedulesConfig(AppConfig):
    name = "tuijin.schedules"
    label = "schedules"
    verbose_name = _("进度计划与前期手续")

    def ready(self):
        from tuijin.core import tabs

        tabs.register("project", "schedule", _("倒排工期"), "schedules:project")
        tabs.register("project", "approvals", _("前期手续"), "schedules:approvals")
