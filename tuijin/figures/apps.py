from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiguresConfig(AppConfig):
    name = "tuijin.figures"
    label = "figures"
    verbose_name = _("统计分析")
