from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProblemsConfig(AppConfig):
    name = "tuijin.problems"
    label = "problems"
    verbose_name = _("问题督办")

    def ready(self):
        from tuijin.core import tabs

        from . import subscribers

        tabs.register("project", "problems", _("问题督办"), "problems:project")
        subscribers.connect()
