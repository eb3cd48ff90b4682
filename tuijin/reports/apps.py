from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "tuijin.reports"
    label = "reports"
    verbose_name = _("月度调度")

    def ready(self):
        from tuijin.core import tabs
        from tuijin.projects import completion

        from .selectors import LedgerCompletion

        tabs.register("project", "reports", _("月度调度"), "reports:project")
        completion.register(LedgerCompletion())  # the ledger's 本年累计完成 (projects/completion.py)
