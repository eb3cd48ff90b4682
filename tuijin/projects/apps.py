from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "tuijin.projects"
    label = "projects"
    verbose_name = _("项目台账")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from tuijin.org.models import Leader, Region, Unit

        from . import models
        from .filtersets import options_changed

        # What the ledger's filter bar offers (filtersets._cached_options).
        for model in (Region, Unit, Leader, models.Level, models.Category, models.Stage, models.Program, models.Project):
            post_save.connect(options_changed, sender=model, dispatch_uid=f"ledger-options-save-{model.__name__}")
            post_delete.connect(options_changed, sender=model, dispatch_uid=f"ledger-options-delete-{model.__name__}")
