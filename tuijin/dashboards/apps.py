from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "tuijin.dashboards"
    label = "dashboards"
    verbose_name = _("首页与驾驶舱")
