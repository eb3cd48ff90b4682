"""Problems (问题清单), supervision orders (督办单), meetings (例会、专题会…) and inspections (督导、观摩).

A problem belongs to a project, is owned by a handling unit with a deadline, climbs the escalation
ladder to the leader who can solve it and is closed off (销号) by the office; every step is an Event on
its timeline. A supervision order is issued to a unit with a reply deadline; the unit answers with a
rectification plan and progress, and the issuer verifies and closes it. A meeting's decisions and an
inspection's findings are problems or orders that point back to the meeting or inspection.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from tuijin.core.fields import LONG_TEXT_MAX, TEXT_MAX, LimitedTextField
from tuijin.core.models import DictionaryModel, VersionedModel
from tuijin.org.choices import Role, Scope
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import OFFICE_ROLES, may_supervise, user_access
from tuijin.projects.models import Project, ProjectScopedQuerySet
from tuijin.reports.models import ProgressReport

from .choices import (
    ACTIVE_PROBLEM_STATES,
    DUE_SOON_DAYS,
    OPEN_ORDER_STATES,
    OPEN_PROBLEM_STATES,
    InspectionKind,
    Interval,
    Ladder,
    MeetingKind,
    OrderAction,
    OrderBasis,
    OrderStatus,
    ProblemAction,
    ProblemStatus,
    Source,
)


class ProblemType(DictionaryModel):
    """资金、用地、征地拆迁… (seeded, edited by admins)."""

    history = HistoricalRecords(user_db_constraint=False)

    class Meta(DictionaryModel.Meta):
        verbose_name = _("问题类型")
        verbose_name_plural = _("问题类型")


# ------------------------------------------------------------------------------- the scoping rule
# Who sees and who may write on problems, orders, meetings and inspections (docs/architecture.md,
# Problems): each model's queryset has visible_to(user) and editable_by(user), as Project has; these
# are the facts about the user they ask, each read once per request.


def unit_ids(user) -> list[int]:
    """Every unit the user acts for (any role)."""
    return sorted({g.unit_id for g in user_access(user).grants})


def leader_of(user) -> Leader | None:
    """The leader the user is (their Leader row), or None."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_tuijin_leader", [])
    if not cache:
        cache.append(Leader.objects.filter(user=user, is_active=True).first())
    return cache[0]


def sees_every_project(user) -> bool:
    """True when the user's region grants cover every region (a province's office or leader): their
    lists then need no per-row project and region test, which on SQLite costs a join for every row
    of a 100,000-problem province. Read once per request."""
    access = user_access(user)
    if access.is_superuser:
        return True
    if not access.grants:
        return False
    cache = user.__dict__.setdefault("_tuijin_sees_all", [])
    if not cache:
        paths = {g.region_path for g in access.grants if g.scope == Scope.REGION}
        if not paths:
            cache.append(False)
        else:
            outside = Q()
            for path in paths:
                outside &= ~Q(path__startswith=path)
            cache.append(not Region.objects.filter(outside).exists())
    return cache[0]


def _project_q(user) -> Q:
    """Rows whose project the user sees: the ledger's rule as a subquery of project ids, which both
    databases evaluate once (a hash of a city's few thousand projects) instead of joining project and
    region for every problem."""
    if not user_access(user).grants:
        return Q(pk__in=[])
    return Q(project__in=Project.objects.visible_to(user).values("pk"))


def _theirs_q(user, field: str) -> Q:
    """Rows whose `field` (a user id) is this user."""
    pk = getattr(user, "pk", None)
    return Q(**{field: pk}) if pk else Q(pk__in=[])


class GatheringQuerySet(models.QuerySet):
    """Meetings and inspections: seen by those of the region that organised them (or above), and by
    whoever sees a project they took up; written (recorded, corrected, decisions, photos, attachments)
    by the office and inspectors among them."""

    def visible_to(self, user):
        access = user_access(user)
        if access.is_superuser:
            return self.all()
        if not access.grants:
            return self.none()
        query = Q(pk__in=[])
        for path in {g.region_path for g in access.grants if g.scope == Scope.REGION}:  # not a unit-only grant
            query |= Q(region__path__startswith=path)
        through = self.model.projects.through
        query |= Q(pk__in=through.objects.filter(project__in=Project.objects.visible_to(user).values("pk"))
                   .values(f"{self.model._meta.model_name}_id"))
        return self.filter(query)

    def editable_by(self, user):
        return self.visible_to(user) if may_supervise(user) else self.none()


class Meeting(VersionedModel):
    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(_("会议名称"), max_length=200)
    held_on = models.DateField(_("会议日期"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    chair = models.ForeignKey(Leader, verbose_name=_("主持领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attendees = LimitedTextField(_("参会人员"), blank=True, max_length=TEXT_MAX)
    minutes = LimitedTextField(_("会议纪要"), blank=True, max_length=LONG_TEXT_MAX)
    projects = models.ManyToManyField(Project, verbose_name=_("研究的项目"), blank=True, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("组织区域"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"], no_db_index=["chair", "region", "created_by"])
    objects = models.Manager.from_queryset(GatheringQuerySet)()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["kind", "held_on"], name="problems_meeting_kind_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Inspection(VersionedModel):
    kind = models.CharField(_("督查类型"), max_length=20, choices=InspectionKind.choices, default=InspectionKind.SUPERVISION)
    title = models.CharField(_("督查名称"), max_length=200)
    held_on = models.DateField(_("督查日期"))
    leader = models.ForeignKey(Leader, verbose_name=_("带队领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    participants = LimitedTextField(_("参加人员"), blank=True, max_length=TEXT_MAX)
    findings = LimitedTextField(_("督查情况"), blank=True, max_length=LONG_TEXT_MAX)
    projects = models.ManyToManyField(Project, verbose_name=_("察看的项目"), blank=True, related_name="+")
    region = models.ForeignKey(Region, verbose_name=_("组织区域"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"], no_db_index=["leader", "region", "created_by"])
    objects = models.Manager.from_queryset(GatheringQuerySet)()

    class Meta:
        verbose_name = _("督查观摩")
        verbose_name_plural = _("督查观摩")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["kind", "held_on"], name="problems_inspection_kind_day")]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class InspectionPhoto(models.Model):
    """A site photo from an inspection, with the time and place its camera recorded (EXIF)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="photos")
    project = models.ForeignKey(Project, verbose_name=_("项目"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(_("照片"), upload_to="inspections/", max_length=200)
    content_type = models.CharField(max_length=40)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False, no_db_index=["project", "uploaded_by"])

    class Meta:
        verbose_name = _("督查照片")
        verbose_name_plural = _("督查照片")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.file.name


class MeetingCadence(models.Model):
    """A standing rhythm such as 半月一例会 or 一月一督导: shows when the next one is due and what is due for it."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    meeting_kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices, blank=True)
    inspection_kind = models.CharField(_("督查类型"), max_length=20, choices=InspectionKind.choices, blank=True)
    interval = models.CharField(_("周期"), max_length=20, choices=Interval.choices)
    first_on = models.DateField(_("首次日期"), help_text=_("还没有记录时，从这一天起排"))
    sort = models.PositiveIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords(user_db_constraint=False)

    class Meta:
        verbose_name = _("例会制度")
        verbose_name_plural = _("例会制度")
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(meeting_kind="") & ~Q(inspection_kind="")) | (~Q(meeting_kind="") & Q(inspection_kind="")),
                name="problems_cadence_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProblemQuerySet(ProjectScopedQuerySet):
    """Who sees a problem and who may act on it, and its deadline conditions, written once: the
    lists, the statistics, the `problems overdue` command and the warning engine all ask these.

    逾期 (overdue) is still 待受理 or 办理中 with the deadline *before* today: a problem due today is not
    late yet, it is among the due-soon ones; one solved (待销号), closed or unsolvable never is."""

    @staticmethod
    def overdue_q(today: date) -> Q:
        """As a Q, for a filtered count (closure statistics)."""
        return Q(status__in=OPEN_PROBLEM_STATES, deadline__lt=today)

    def overdue(self, today: date):
        return self.filter(self.overdue_q(today))

    def due_soon(self, today: date, days: int = DUE_SOON_DAYS):
        """临期: open and due from today to `days` days ahead, both ends included."""
        return self.filter(status__in=OPEN_PROBLEM_STATES, deadline__gte=today, deadline__lte=today + timedelta(days=days))

    def due_by(self, day: date):
        """Open and due on or before `day` (overdue ones included): what a meeting on that day takes up."""
        return self.filter(status__in=OPEN_PROBLEM_STATES, deadline__lte=day)

    @staticmethod
    def _place_q(user) -> Q:
        """Problems the user stands in whatever their project: their unit handles or helps with it, or it
        was escalated to them as the coordinating leader."""
        query = Q(pk__in=[])
        units = unit_ids(user)
        if units:
            query |= Q(handling_unit_id__in=units)
            query |= Q(pk__in=Problem.cooperating_units.through.objects.filter(unit_id__in=units).values("problem_id"))
        leader = leader_of(user)
        if leader is not None:
            query |= Q(coordinating_leader=leader)
        return query

    def visible_to(self, user):
        """Problems whose project the user sees (the ledger's rule), and those they stand in (_place_q)."""
        if sees_every_project(user):
            return self.all()
        return self.filter(_project_q(user) | self._place_q(user))

    def editable_by(self, user):
        """The visible problems the user may act on at some point of the workflow (which step, and from
        which status: problems/workflow.py): every one for the office, inspectors and leaders; those
        their unit handles or helps with; those escalated to them; those they raised (附件)."""
        visible = self.visible_to(user)
        if user_access(user).has_role(*OFFICE_ROLES, Role.INSPECTOR, Role.LEADER):
            return visible
        return visible.filter(self._place_q(user) | _theirs_q(user, "raised_by_id"))


class Problem(VersionedModel):
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="problems")
    type = models.ForeignKey(ProblemType, verbose_name=_("问题类型"), on_delete=models.PROTECT, related_name="+")
    description = LimitedTextField(_("问题描述"), max_length=TEXT_MAX)
    source = models.CharField(_("来源"), max_length=20, choices=Source.choices, default=Source.PATROL)
    report = models.ForeignKey(ProgressReport, verbose_name=_("来源月报"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    meeting = models.ForeignKey(Meeting, verbose_name=_("来源会议"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problems")
    inspection = models.ForeignKey(Inspection, verbose_name=_("来源督查"), null=True, blank=True, on_delete=models.SET_NULL, related_name="problems")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提出人"), null=True, on_delete=models.SET_NULL, related_name="+")
    raised_on = models.DateField(_("提出日期"))
    handling_unit = models.ForeignKey(Unit, verbose_name=_("责任单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    cooperating_units = models.ManyToManyField(Unit, verbose_name=_("配合单位"), blank=True, related_name="+")
    coordinating_leader = models.ForeignKey(Leader, verbose_name=_("协调领导"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("协调层级"), choices=Ladder.choices, default=Ladder.UNIT)
    deadline = models.DateField(_("解决时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ProblemStatus.choices, default=ProblemStatus.PENDING)
    resolution = LimitedTextField(_("解决情况"), blank=True, max_length=TEXT_MAX)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    days_to_close = models.PositiveIntegerField(_("办结用时（天）"), null=True, blank=True, editable=False)

    history = HistoricalRecords(
        user_db_constraint=False, excluded_fields=["updated_at"],
        no_db_index=["project", "type", "report", "meeting", "inspection", "raised_by", "handling_unit", "coordinating_leader"],
    )
    objects = models.Manager.from_queryset(ProblemQuerySet)()

    class Meta:
        verbose_name = pgettext_lazy("problem", "问题")
        verbose_name_plural = pgettext_lazy("problem", "问题")
        ordering = ["-raised_on", "-id"]
        constraints = [  # a month report's 存在问题 becomes one problem, even when two hand-ins race
            models.UniqueConstraint(fields=["report"], condition=Q(report__isnull=False), name="problems_one_per_report"),
        ]
        indexes = [
            models.Index(fields=["handling_unit", "status", "deadline"], name="problems_unit_inbox"),
            models.Index(fields=["status", "deadline"], name="problems_status_deadline"),
            models.Index(fields=["coordinating_leader", "status"], name="problems_leader_inbox"),
            models.Index(fields=["project", "status"], name="problems_project_status"),
            models.Index(fields=["raised_on"], name="problems_raised_on"),
            # Covering the statistics' pass over each project's problems of a year and their 办结
            # (tuijin.figures: 问题办结率, average days): no row of this wide table is read.
            models.Index(fields=["project", "raised_on", "status", "closed_on", "days_to_close"],
                         name="problems_project_raised"),
            # Partial indexes in the lists' own order (PostgreSQL walks them and stops at a page's end
            # instead of sorting every unfinished or overdue problem): a unit's inbox, the overdue and
            # due-soon lists. SQLite does not use them (Django binds the statuses as parameters).
            models.Index(fields=["handling_unit", "deadline", "id"], name="problems_unit_active",
                         condition=Q(status__in=[s.value for s in ACTIVE_PROBLEM_STATES])),
            models.Index(fields=["deadline", "id"], name="problems_open_deadline",
                         condition=Q(status__in=[s.value for s in OPEN_PROBLEM_STATES])),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.description[:30]}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_PROBLEM_STATES


class OrderQuerySet(ProjectScopedQuerySet):
    """The order's deadline conditions, written once (see ProblemQuerySet). The date that counts is
    `SupervisionOrder.due`: the reply deadline while 已下发, the rectification one while 整改中; an
    order in any other state is never overdue nor due soon."""

    @staticmethod
    def _due_q(**lookups) -> Q:
        return (Q(status=OrderStatus.ISSUED, **{f"reply_by__{k}": v for k, v in lookups.items()})
                | Q(status=OrderStatus.RECTIFYING, **{f"rectify_by__{k}": v for k, v in lookups.items()}))

    def overdue(self, today: date):
        return self.filter(self._due_q(lt=today))

    def due_soon(self, today: date, days: int = DUE_SOON_DAYS):
        return self.filter(self._due_q(gte=today, lte=today + timedelta(days=days)))

    def due_by(self, day: date):
        return self.filter(self._due_q(lte=day))

    @staticmethod
    def _unit_q(user) -> Q:
        units = unit_ids(user)
        return Q(unit_id__in=units) if units else Q(pk__in=[])

    def visible_to(self, user):
        """Orders whose project the user sees, or that were issued to their unit."""
        if sees_every_project(user):
            return self.all()
        return self.filter(_project_q(user) | self._unit_q(user))

    def editable_by(self, user):
        """The visible orders the user may write on: the office and inspectors (issue, verify), their
        own unit's (reply, progress) and those they issued."""
        visible = self.visible_to(user)
        if may_supervise(user):
            return visible
        return visible.filter(self._unit_q(user) | _theirs_q(user, "issued_by_id"))


class SupervisionOrder(VersionedModel):
    """督办单: numbered per year (督办〔2026〕12号), to one unit, with a reply deadline."""

    year = models.PositiveIntegerField(_("年度"))
    seq = models.PositiveIntegerField(_("序号"))
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="supervision_orders")
    basis = models.CharField(_("督办事由"), max_length=20, choices=OrderBasis.choices, default=OrderBasis.PROJECT)
    problem = models.ForeignKey(Problem, verbose_name=_("督办的问题"), null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    warning = models.CharField(_("督办的预警"), max_length=300, blank=True, help_text=_("下发时项目的预警，原样保留"))
    meeting = models.ForeignKey(Meeting, verbose_name=_("来源会议"), null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    inspection = models.ForeignKey(Inspection, verbose_name=_("来源督查"), null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")
    unit = models.ForeignKey(Unit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+")
    content = LimitedTextField(_("督办内容"), max_length=TEXT_MAX)
    reply_by = models.DateField(_("回复时限"))
    rectify_by = models.DateField(_("整改时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.ISSUED)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签发人"), null=True, on_delete=models.SET_NULL, related_name="+")
    issued_on = models.DateField(_("下发日期"))
    plan = LimitedTextField(_("整改方案"), blank=True, max_length=TEXT_MAX)
    replied_on = models.DateField(_("回复日期"), null=True, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)

    history = HistoricalRecords(
        user_db_constraint=False, excluded_fields=["updated_at"],
        no_db_index=["project", "problem", "meeting", "inspection", "unit", "issued_by"],
    )
    objects = models.Manager.from_queryset(OrderQuerySet)()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-year", "-seq"]
        constraints = [models.UniqueConstraint(fields=["year", "seq"], name="problems_order_number")]
        indexes = [
            models.Index(fields=["unit", "status", "reply_by"], name="problems_order_unit"),
            models.Index(fields=["status", "reply_by"], name="problems_order_status"),
            models.Index(fields=["project", "status"], name="problems_order_project"),
            # The overdue and due-soon orders in their list's order (PostgreSQL; see Problem).
            models.Index(fields=["reply_by", "id"], name="problems_order_open",
                         condition=Q(status__in=[s.value for s in OPEN_ORDER_STATES])),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"督办〔{self.year}〕{self.seq}号"

    @property
    def due(self):
        """The date that counts now: the reply deadline until a plan is in, then the rectification one."""
        if self.status == OrderStatus.ISSUED:
            return self.reply_by
        if self.status == OrderStatus.RECTIFYING:
            return self.rectify_by
        return None


class Event(models.Model):
    """One step on a problem's or an order's timeline: who, when, what, and what it changed."""

    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    order = models.ForeignKey(SupervisionOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("操作"), max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+")
    actor_unit = models.ForeignKey(Unit, verbose_name=_("操作单位"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("时间"))
    text = LimitedTextField(_("内容"), blank=True, max_length=TEXT_MAX)
    status_before = models.CharField(max_length=20, blank=True)
    status_after = models.CharField(max_length=20, blank=True)
    level_before = models.PositiveSmallIntegerField(null=True, blank=True)
    level_after = models.PositiveSmallIntegerField(null=True, blank=True)
    deadline_before = models.DateField(null=True, blank=True)
    deadline_after = models.DateField(null=True, blank=True)
    leader = models.ForeignKey(Leader, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(problem__isnull=False) & Q(order__isnull=True)) | (Q(problem__isnull=True) & Q(order__isnull=False)),
                name="problems_event_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_label()}"

    def get_action_label(self) -> str:
        labels = OrderAction if self.order_id else ProblemAction
        return str(labels(self.action).label) if self.action in labels.values else self.action

    def _status_label(self, value: str) -> str:
        labels = OrderStatus if self.order_id else ProblemStatus
        return str(labels(value).label) if value in labels.values else value

    @property
    def status_before_label(self) -> str:
        return self._status_label(self.status_before)

    @property
    def status_after_label(self) -> str:
        return self._status_label(self.status_after)

    @property
    def level_before_label(self) -> str:
        return str(Ladder(self.level_before).label) if self.level_before in Ladder.values else ""

    @property
    def level_after_label(self) -> str:
        return str(Ladder(self.level_after).label) if self.level_after in Ladder.values else ""


class Attachment(models.Model):
    """A document (PDF, Word, Excel, image) on a problem, an order or a meeting: 会议纪要, 整改报告…"""

    problem = models.ForeignKey(Problem, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    order = models.ForeignKey(SupervisionOrder, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to="problems/", max_length=200)
    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("大小"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords(user_db_constraint=False, no_db_index=["problem", "order", "meeting", "uploaded_by"])

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(problem__isnull=False, order__isnull=True, meeting__isnull=True)
                           | Q(problem__isnull=True, order__isnull=False, meeting__isnull=True)
                           | Q(problem__isnull=True, order__isnull=True, meeting__isnull=False)),
                name="problems_attachment_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name
