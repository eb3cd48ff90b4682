from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerIOConfig(AppConfig):
    name = "tuijin.ledgerio"
    label = "ledgerio"
    verbose_name = _("台账导入导出")
