"""The project ledger: dictionaries, projects, their leaders and annual plans."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.fields import LONG_TEXT_MAX, TEXT_MAX, LimitedTextField, MoneyField
from tuijin.core.models import DictionaryModel, VersionedModel
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import EDITOR_ROLES, OFFICE_ROLES, user_access

from .choices import PROJECT_CODE_PATTERN, Admission, CanonicalStage, LeaderRole, Light

project_code_validator = RegexValidator(
    PROJECT_CODE_PATTERN, _("项目代码格式应为“年份-6位区划代码-2位行业代码-2位类型代码-6位流水号”，如 2026-371302-48-01-012345")
)


class Level(DictionaryModel):
    class Meta(DictionaryModel.Meta):
        verbose_name = _("项目级别")
        verbose_name_plural = _("项目级别")


class Nature(DictionaryModel):
    class Meta(DictionaryModel.Meta):
        verbose_name = _("建设性质")
        verbose_name_plural = _("建设性质")


class Program(DictionaryModel):
    description = LimitedTextField(_("说明"), blank=True, max_length=TEXT_MAX)

    class Meta(DictionaryModel.Meta):
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")


class Category(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级类别"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("项目类别")
        verbose_name_plural = _("项目类别")
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="projects_category_unique_name")]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    def subtree_ids(self) -> list[int]:
        ids, frontier = [self.pk], [self.pk]
        while frontier:
            frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
            ids.extend(frontier)
        return ids


class Stage(DictionaryModel):
    """A local lifecycle word (续建, 预备, 竣工投产…) mapped onto the canonical stage."""

    canonical = models.CharField(_("标准阶段"), max_length=20, choices=CanonicalStage.choices)

    class Meta(DictionaryModel.Meta):
        verbose_name = _("项目阶段")
        verbose_name_plural = _("项目阶段")


def _request_values(user, key, read):
    """Values the scoping rule needs (a grant's region ids, a unit's responsible projects), read once
    per request: kept on the user object, as user_access keeps the grants."""
    if user is None:
        return read()
    cache = user.__dict__.setdefault("_tuijin_scope_values", {})
    if key not in cache:
        cache[key] = read()
    return cache[key]


class ProjectQuerySet(models.QuerySet):
    """The one scoping rule (docs/architecture.md, Scoping): every page, export and command uses these."""

    project_path = ""  # lookup prefix from this model to Project ("" for Project itself)

    def _p(self, lookup: str) -> str:
        return f"{self.project_path}{lookup}"

    def _scope_q(self, grants, user=None) -> Q | None:
        query = None
        for grant in grants:
            if grant.scope == "region" and grant.role == "reporter":
                # Region OR the unit's own projects: every arm an indexed column against values, so
                # PostgreSQL ORs three index scans instead of testing a join on every project (a
                # district reporter's totals: 12 → 5 ms at province scale). The values are read once
                # per request (_request_values).
                subtree = _request_values(user, ("subtree", grant.region_path), lambda g=grant: list(
                    Region.objects.filter(path__startswith=g.region_path).values_list("id", flat=True)))
                part = Q(**{self._p("region_id__in"): subtree}) | self._unit_q(grant.unit_id, user)
            elif grant.scope == "region":
                part = Q(**{self._p("region__path__startswith"): grant.region_path})
            else:
                part = self._unit_q(grant.unit_id, user)
            query = part if query is None else query | part
        return query

    def _unit_q(self, unit_id: int, user=None) -> Q:
        responsible = _request_values(user, ("responsible", unit_id), lambda: list(
            ProjectResponsibleUnit.objects.filter(unit_id=unit_id).values_list("project_id", flat=True)))
        return Q(**{self._p("lead_unit_id"): unit_id}) | Q(**{self._p("pk__in"): responsible})

    # What enters the ledger's figures (totals, warnings, reporting periods, statistics): admitted
    # projects only. The one place the condition is written; every figure goes through it.
    def admitted(self):
        return self.filter(**{self._p("admission"): Admission.ADMITTED})

    def not_admitted(self):
        """Awaiting the office's approval (申报中) or returned (已退回): listed, never counted."""
        return self.exclude(**{self._p("admission"): Admission.ADMITTED})

    def applications(self):
        """The office's queue: new projects awaiting admission and pending level changes."""
        return self.filter(Q(**{self._p("admission"): Admission.PENDING})
                           | Q(**{self._p("requested_level__isnull"): False}))

    def _granted(self, user, roles=None):
        """Projects under the user's grants (all of them, or those of `roles`); a superuser sees all."""
        access = user_access(user)
        if access.is_superuser:
            return self.all()
        query = self._scope_q(access.grants if roles is None else access.grants_for(roles), user)
        return self.none() if query is None else self.filter(query)

    def reviewable_by(self, user):
        """Projects whose applications the user may decide: under their office (admin, dispatcher) grants."""
        return self._granted(user, OFFICE_ROLES)

    def visible_to(self, user):
        return self._granted(user)

    def editable_by(self, user):
        return self._granted(user, EDITOR_ROLES)

    # The same for the acting user of a service a command may run as the system
    # (core.management.acting.acting_user: None without --user), which reaches every row, as
    # require_office(None) lets it act. visible_to(None) stays empty: None there is nobody.
    def visible_to_acting(self, user):
        return self.all() if user is None else self.visible_to(user)

    def editable_by_acting(self, user):
        return self.all() if user is None else self.editable_by(user)


class ProjectManager(models.Manager.from_queryset(ProjectQuerySet)):
    pass


class Project(VersionedModel):
    code = models.CharField(
        _("项目代码"), max_length=24, blank=True, validators=[project_code_validator],
        help_text=_("全国投资项目在线审批监管平台赋予的项目代码"),
    )
    stats_code = models.CharField(_("入库入统代码"), max_length=40, blank=True)
    name = models.CharField(_("项目名称"), max_length=200)
    year_listed = models.PositiveIntegerField(
        _("列入年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    level = models.ForeignKey(Level, verbose_name=_("项目级别"), on_delete=models.PROTECT)
    category = models.ForeignKey(Category, verbose_name=_("项目类别"), on_delete=models.PROTECT)
    nature = models.ForeignKey(Nature, verbose_name=_("建设性质"), on_delete=models.PROTECT)
    programs = models.ManyToManyField(Program, verbose_name=_("专项行动"), blank=True, related_name="projects")
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="projects")
    address = models.CharField(_("建设地点"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    scale = LimitedTextField(_("建设内容及规模"), blank=True, max_length=LONG_TEXT_MAX)
    total_investment = MoneyField(_("总投资（万元）"))
    fund_central = MoneyField(_("中央资金（万元）"), null=True, blank=True)
    fund_provincial = MoneyField(_("省级资金（万元）"), null=True, blank=True)
    fund_local = MoneyField(_("市县财政资金（万元）"), null=True, blank=True)
    fund_bond = MoneyField(_("专项债券（万元）"), null=True, blank=True)
    fund_loan = MoneyField(_("银行贷款（万元）"), null=True, blank=True)
    fund_enterprise = MoneyField(_("企业自筹（万元）"), null=True, blank=True)
    fund_other = MoneyField(_("其他资金（万元）"), null=True, blank=True)
    start_year = models.PositiveIntegerField(
        _("建设起始年"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    end_year = models.PositiveIntegerField(
        _("建设截止年"), null=True, blank=True, validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    planned_start = models.DateField(_("计划开工日期"), null=True, blank=True)
    actual_start = models.DateField(_("实际开工日期"), null=True, blank=True)
    planned_completion = models.DateField(_("计划竣工日期"), null=True, blank=True)
    actual_completion = models.DateField(_("实际竣工日期"), null=True, blank=True)
    land_area = models.DecimalField(
        _("用地面积（亩）"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    owner = models.ForeignKey(
        Unit, verbose_name=_("项目业主"), null=True, blank=True, on_delete=models.PROTECT, related_name="owned_projects"
    )
    owner_contact = models.CharField(_("业主联系人"), max_length=50, blank=True)
    owner_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("牵头单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="led_projects"
    )
    responsible_units = models.ManyToManyField(
        Unit, verbose_name=_("责任单位"), blank=True, through="ProjectResponsibleUnit", related_name="responsible_for"
    )
    leaders = models.ManyToManyField(Leader, verbose_name=_("联系领导"), blank=True, through="ProjectLeader")
    stage = models.ForeignKey(Stage, verbose_name=_("项目阶段"), on_delete=models.PROTECT)
    is_paused = models.BooleanField(_("暂停实施"), default=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("所属打包项目"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    remarks = LimitedTextField(_("备注"), blank=True, max_length=TEXT_MAX)
    is_archived = models.BooleanField(_("已归档"), default=False)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    archive_reason = models.CharField(_("归档原因"), max_length=200, blank=True)
    search_text = models.TextField(editable=False, default="")
    # The warning light and its reason in words, derived from the active alerts and written only by
    # tuijin.alerts (never by a form save, see save()); indexed for the ledger's light filter.
    light = models.PositiveSmallIntegerField(_("预警"), choices=Light.choices, default=Light.GREEN, editable=False)
    light_reason = models.CharField(_("预警原因"), max_length=300, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    # 申报入库: a project a clerk adds waits for the office (admission PENDING) and a clerk's change of
    # an admitted project's level waits as `requested_level` (the project counts at its old level until
    # approved). Written only by the services (projects.services.admission_*), never by a form.
    admission = models.CharField(
        _("入库状态"), max_length=10, choices=Admission.choices, default=Admission.ADMITTED, editable=False
    )
    requested_level = models.ForeignKey(
        Level, verbose_name=_("申报调整级别"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False,
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申报人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", editable=False,
    )
    applied_at = models.DateTimeField(_("申报时间"), null=True, blank=True, editable=False)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True, editable=False)

    # History is read by project (id) and date; the copied foreign keys need no index of their own
    # there, and every index costs each bulk-imported history row (docs/benchmarks.md, import bench).
    history = HistoricalRecords(
        user_db_constraint=False, excluded_fields=["search_text", "updated_at", "light", "light_reason"], m2m_fields=[programs],
        no_db_index=["level", "category", "nature", "region", "owner", "lead_unit", "stage", "parent", "created_by",
                     "requested_level", "applied_by"],
    )
    objects = ProjectManager()

    # Kept by other services than the one saving the form: a save of a project read earlier must not
    # write back the light it read.
    DERIVED_FIELDS = frozenset({"light", "light_reason"})

    FUND_FIELDS = (
        "fund_central", "fund_provincial", "fund_local", "fund_bond", "fund_loan", "fund_enterprise", "fund_other",
    )

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-year_listed", "id"]
        indexes = [
            # Covering the ledger totals (count and sums by scope): an index-only scan on PostgreSQL,
            # a covering index on SQLite (docs/benchmarks.md). Also serves the scope filter.
            models.Index(fields=["is_archived", "region", "total_investment", "id"], name="projects_scope_totals"),
            models.Index(fields=["total_investment"], name="projects_total_investment"),
            models.Index(fields=["code"], name="projects_code"),
            models.Index(fields=["light", "is_archived"], name="projects_light"),
            # The few projects outside the ledger's figures (申报中, 已退回) and the office's queue: the
            # ledger totals subtract them (selectors.admitted_totals) without a second pass over the rest.
            models.Index(fields=["id"], condition=~Q(admission=Admission.ADMITTED), name="projects_not_admitted"),
            models.Index(fields=["id"], condition=Q(requested_level__isnull=False), name="projects_level_requests"),
        ]
        constraints = [
            # The national code identifies one live project; archived ones keep theirs for the record.
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_archived=False) & ~Q(code=""), name="projects_unique_live_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name not in self.DERIVED_FIELDS]
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return self.search_text_of(self.name, self.code, self.stats_code, self.owner.name if self.owner is not None else "")

    @staticmethod
    def search_text_of(name: str, code: str, stats_code: str, owner_name: str) -> str:
        """What the ledger's search box matches (one lower-case line): the one definition, for a project in
        hand (build_search_text) and for many at once (services.projects_bulk_save)."""
        return " ".join(p for p in (name, code, stats_code, owner_name) if p).lower()


class ProjectScopedQuerySet(ProjectQuerySet):
    project_path = "project__"


class ProjectResponsibleUnit(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="responsible_links")
    unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(user_db_constraint=False, no_db_index=["unit"])
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        constraints = [models.UniqueConstraint(fields=["project", "unit"], name="projects_responsible_unique")]

    def __str__(self) -> str:
        return str(self.unit)


class ProjectLeader(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="leader_links")
    leader = models.ForeignKey(Leader, verbose_name=_("领导"), on_delete=models.PROTECT, related_name="project_links")
    role = models.CharField(_("联系方式"), max_length=20, choices=LeaderRole.choices, default=LeaderRole.CONTRACTED)
    history = HistoricalRecords(user_db_constraint=False, no_db_index=["leader"])
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("项目联系领导")
        verbose_name_plural = _("项目联系领导")
        constraints = [models.UniqueConstraint(fields=["project", "leader"], name="projects_leader_unique")]

    def __str__(self) -> str:
        return f"{self.leader.name}（{self.get_role_display()}）"


class AnnualPlan(VersionedModel):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="annual_plans")
    year = models.PositiveIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    planned_investment = MoneyField(_("年度计划投资（万元）"))
    completed_before = MoneyField(
        _("开工至上年底累计完成投资（万元）"), default=0,
        help_text=_("上年底以前已完成的投资，用于计算剩余投资和开工累计"),
    )
    construction_goal = LimitedTextField(_("年度建设目标"), blank=True, max_length=TEXT_MAX)
    progress_goal = LimitedTextField(_("形象进度目标"), blank=True, max_length=TEXT_MAX)
    planned_start = models.DateField(_("年内计划开工"), null=True, blank=True)
    planned_completion = models.DateField(_("年内计划竣工"), null=True, blank=True)
    monthly_plan = models.JSONField(
        _("月度累计计划（万元）"), default=list, blank=True,
        help_text=_("1-12月累计计划投资；不填则按年内建设月份平均分解"),
    )
    # The year's counted 本年累计完成 by each rule, as its latest report of the year carries it
    # (ProgressReport.counted_approved / counted_handed_in, kept together by reports.services.
    # refresh_cumulative, filled when the plan is created: completion.plan_figures); 0 while nothing
    # counts. The plans page and the ledger's 合计 as of the year's latest period read these on the plan
    # instead of looking up a report per project (reports.selectors.completion_figure).
    counted_approved = MoneyField(_("本年累计完成（已审核口径）"), default=0, editable=False)
    counted_handed_in = MoneyField(_("本年累计完成（已上报口径）"), default=0, editable=False)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=[
        "updated_at", "counted_approved", "counted_handed_in"])
    objects = models.Manager.from_queryset(ProjectScopedQuerySet)()

    class Meta:
        verbose_name = _("年度计划")
        verbose_name_plural = _("年度计划")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="projects_annualplan_unique_year")]
        # Covering the year's plan join of the ledger totals (see Project.Meta.indexes).
        indexes = [models.Index(fields=["year", "project", "planned_investment", "id", "counted_approved",
                                        "counted_handed_in"], name="projects_plan_year_figures")]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年计划"
