from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


# The sections of a bulletin in order (document.Section.key), with their printed headings.
SECTIONS = (
    ("overview", _("总体情况")),
    ("categories", _("分类情况")),
    ("rankings", _("各地各部门完成情况及排名")),
    ("warnings", _("预警及滞后项目")),
    ("problems", _("存在问题")),
    ("next_steps", _("下一步工作")),
)
SECTION_KEYS = tuple(key for key, _label in SECTIONS)
