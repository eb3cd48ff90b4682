"""Schedules (倒排工期、挂图作战) and pre-construction approvals (前期手续).

A milestone template lists a project type's nodes with their standard durations; applied to a project
it yields the project's milestones, the 开工 node on the project's start and the others fitted around it
and the target date (scheduling.template_dates). A node counts as done when it has an actual date, when
the project's recorded facts say so (actual start ⇒ its 开工 node, actual completion ⇒ its 竣工 node),
or when a later node is done (Milestone.objects.with_inference). Approving the
schedule freezes a baseline (a copy of every planned date); re-baselining keeps the old one and the
reason. Approvals are a checklist per project of the procedure types an office keeps as a dictionary.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.models import DictionaryModel, VersionedModel
from tuijin.projects.models import Category, Project, ProjectScopedQuerySet

from .choices import ApprovalStatus, DoneBasis, NodeMark, TemplateKind

MAX_DURATION_DAYS = 3650


class MilestoneTemplate(DictionaryModel):
    """A project type's standard nodes (as on real 在建/前期 project cards), edited by admins."""

    kind = models.CharField(_("适用类型"), max_length=20, choices=TemplateKind.choices, default=TemplateKind.OTHER)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    categories = models.ManyToManyField(
        Category, verbose_name=_("建议用于的项目类别"), blank=True, related_name="+",
        help_text=_("项目属于这些类别（含下级）时，默认推荐此模板"),
    )
    history = HistoricalRecords(user_db_constraint=False)

    class Meta(DictionaryModel.Meta):
        verbose_name = _("节点模板")
        verbose_name_plural = _("节点模板")


class MilestoneTemplateStep(models.Model):
    template = models.ForeignKey(MilestoneTemplate, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(_("节点名称"), max_length=100)
    sort = models.PositiveIntegerField(_("顺序"), default=100)
    duration_days = models.PositiveIntegerField(
        _("标准工期（天）"), default=30, validators=[MaxValueValidator(MAX_DURATION_DAYS)],
        help_text=_("从上一节点到本节点所需的天数；第一个节点填从开工准备到本节点的天数"),
    )
    marks = models.CharField(
        _("标志节点"), max_length=20, choices=NodeMark.choices, blank=True, default="",
        help_text=_("开工节点：项目填报实际开工后视为完成，套用模板时排在项目的开工日期；竣工节点：项目填报实际竣工后视为完成"),
    )
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("模板节点")
        verbose_name_plural = _("模板节点")
        ordering = ["template", "sort", "id"]

    def __str__(self) -> str:
        return self.name


class Schedule(VersionedModel):
    """A project's schedule: the template it came from, its target date and its current baseline."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="schedule")
    template = models.ForeignKey(
        MilestoneTemplate, verbose_name=_("节点模板"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_date = models.DateField(_("目标日期"), null=True, blank=True)
    baseline_number = models.PositiveIntegerField(_("当前基线版本"), default=0)
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("进度计划")
        verbose_name_plural = _("进度计划")

    def __str__(self) -> str:
        return str(self.project)


def settled_q() -> Q:
    """A node done on its own record or by its project's facts (not counting later nodes)."""
    return (Q(actual_date__isnull=False) | Q(marks=NodeMark.START, project__actual_start__isnull=False)
            | Q(marks=NodeMark.COMPLETION, project__actual_completion__isnull=False))


class MilestoneQuerySet(ProjectScopedQuerySet):
    def with_inference(self):
        """Each node with `done_basis` (a DoneBasis, "" while open) and `inferred_date` (the date
        the fact gives, when it gives one). A node is done when it has an actual date; when it is the
        开工 node of a project with an actual start, or the 竣工 node of one with an actual completion;
        or when any later node of the same project (by sort, then id) is done in one of those ways —
        a project cannot have reached a node without passing the ones before it. The one rule used by
        the warning engine, the schedule page and the Gantt chart."""
        later = (Milestone.objects.filter(project_id=OuterRef("project_id"))
                 .filter(Q(sort__gt=OuterRef("sort")) | Q(sort=OuterRef("sort"), pk__gt=OuterRef("pk")))
                 .filter(settled_q()))
        return self.annotate(
            done_basis=Case(
                When(actual_date__isnull=False, then=Value(DoneBasis.RECORDED.value)),
                When(marks=NodeMark.START, project__actual_start__isnull=False, then=Value(DoneBasis.STARTED.value)),
                When(marks=NodeMark.COMPLETION, project__actual_completion__isnull=False,
                     then=Value(DoneBasis.COMPLETED.value)),
                When(Exists(later), then=Value(DoneBasis.LATER.value)),
                default=Value(""), output_field=CharField(),
            ),
            inferred_date=Case(
                When(actual_date__isnull=False, then=Value(None)),
                When(marks=NodeMark.START, then=F("project__actual_start")),
                When(marks=NodeMark.COMPLETION, then=F("project__actual_completion")),
                default=Value(None), output_field=models.DateField(),
            ),
        )

    def open(self):
        """Nodes not done, neither on record nor by inference (see with_inference)."""
        return self.with_inference().filter(done_basis="")


class Milestone(VersionedModel):
    """One dated node of a project (开工进场、主体封顶…): planned, baseline and actual dates."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("节点名称"), max_length=100)
    sort = models.PositiveIntegerField(_("顺序"), default=100)
    planned_date = models.DateField(_("计划完成日期"), null=True, blank=True)
    baseline_date = models.DateField(_("基线日期"), null=True, blank=True, editable=False)
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    marks = models.CharField(
        _("标志节点"), max_length=20, choices=NodeMark.choices, blank=True, default="",
        help_text=_("开工节点：项目填报实际开工后视为完成，套用模板时排在项目的开工日期；竣工节点：项目填报实际竣工后视为完成"),
    )
    # An evidence photo of the node reached (one per milestone), checked like the reports' site photos.
    evidence = models.FileField(_("佐证照片"), upload_to="milestones/", max_length=200, blank=True)
    evidence_name = models.CharField(_("照片原文件名"), max_length=200, blank=True)
    evidence_type = models.CharField(_("照片类型"), max_length=50, blank=True)
    evidence_taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    evidence_latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    evidence_longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])
    objects = models.Manager.from_queryset(MilestoneQuerySet)()

    class Meta:
        verbose_name = _("节点")
        verbose_name_plural = _("节点")
        ordering = ["project", "sort", "id"]
        indexes = [
            # The overdue scan of the warning engine: open nodes by planned date.
            models.Index(fields=["actual_date", "planned_date"], name="schedules_open_by_date"),
        ]

    def __str__(self) -> str:
        return self.name


class Baseline(models.Model):
    """A frozen copy of a schedule's planned dates: number 1 when first approved, then one per
    re-baselining, each with its reason. Older baselines stay."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveIntegerField(_("基线版本"))
    reason = models.CharField(_("调整原因"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("批准时间"), auto_now_add=True)
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("基线")
        verbose_name_plural = _("基线")
        ordering = ["project", "-number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="schedules_baseline_unique")]

    def __str__(self) -> str:
        return f"{self.project} · V{self.number}"


class BaselineItem(models.Model):
    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="items")
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("节点名称"), max_length=100)  # kept: the milestone may be renamed or removed
    sort = models.PositiveIntegerField(_("顺序"), default=100)
    planned_date = models.DateField(_("基线日期"), null=True, blank=True)

    class Meta:
        ordering = ["baseline", "sort", "id"]

    def __str__(self) -> str:
        return self.name


class ApprovalType(DictionaryModel):
    """A pre-construction procedure (立项、可研、环评、施工许可…), seeded from real 前期工作 ledgers."""

    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    required_by_default = models.BooleanField(_("默认必须办理"), default=True)
    history = HistoricalRecords(user_db_constraint=False)

    class Meta(DictionaryModel.Meta):
        verbose_name = _("前期手续类型")
        verbose_name_plural = _("前期手续类型")


class Approval(VersionedModel):
    """One procedure on a project's checklist: whether it is required, where it stands, its 文号."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="approvals")
    type = models.ForeignKey(ApprovalType, verbose_name=_("手续"), on_delete=models.PROTECT, related_name="+")
    required = models.BooleanField(_("需要办理"), default=True)
    status = models.CharField(_("办理状态"), max_length=20, choices=ApprovalStatus.choices, default=ApprovalStatus.NOT_STARTED)
    target_date = models.DateField(_("计划办结日期"), null=True, blank=True)
    done_date = models.DateField(_("办结日期"), null=True, blank=True)
    document_no = models.CharField(_("批准文号"), max_length=100, blank=True)
    approving_unit = models.CharField(_("审批单位"), max_length=100, blank=True)
    responsible = models.CharField(_("责任人"), max_length=50, blank=True)
    note = models.CharField(_("需协调解决问题"), max_length=500, blank=True)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("前期手续")
        verbose_name_plural = _("前期手续")
        ordering = ["project", "type__sort", "type_id"]
        constraints = [models.UniqueConstraint(fields=["project", "type"], name="schedules_approval_unique")]
        indexes = [models.Index(fields=["status", "target_date"], name="schedules_approval_open")]

    def __str__(self) -> str:
        return f"{self.project} · {self.type}"
