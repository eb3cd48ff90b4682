from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "tuijin.alerts"
    label = "alerts"
    verbose_name = _("预警")

    def ready(self):
        from tuijin.core import tabs

        from . import problem_measures, subscribers

        tabs.register("project", "alerts", _("预警"), "alerts:project")
        problem_measures.connect()
        subscribers.connect()
