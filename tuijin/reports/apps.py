from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tuijin.reports"
    label = "reports"
    verbose_name = _("月度调度")

    def ready(self):
        from tuijin.projects import tabs

        tabs.register("reports", _("月度调度"), "reports:project")
