"""Assessment schemes (考核方案) and their runs: who is ranked, on which indicators, by which curves.

A scheme is data, not code: its subjects in one or more 序列, each 序列 of its own kind (县区/园区 are
regions, 市直部门/国企 units, …), its indicators (a figure of the statistics layer, a manual item, or
judges' scores), each with a weight and a scoring curve (tuijin.scoring.curves), and its boards (红榜
top N / 黑榜 bottom N per 序列), kept as one JSON document (Scheme.config); exemptions and vetoes are
records with their reasons. A subject is named by its kind and id together (a region and a unit may
share an id). A run computes every subject's values, points, total and rank for one period; a
published run is frozen with the scheme as it was and the inputs it used, numbered (2026年第10期),
and never changes when later reports arrive.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from tuijin.core.models import VersionedModel

from .choices import Board, PeriodKind, RunState, SubjectKind


class Scheme(VersionedModel):
    code = models.SlugField(_("方案代码"), max_length=50, unique=True,
                            help_text=_("英文字母、数字或连字符，命令行中用它指定方案，如 county-monthly"))
    name = models.CharField(_("方案名称"), max_length=100)
    period_kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.MONTH)
    basis = models.CharField(_("依据"), max_length=300, blank=True, help_text=_("如：某市重点项目考核办法（2024年）"))
    target_figure = models.CharField(_("目标完成指标"), max_length=40, default="plan_rate", blank=True,
                                     help_text=_("达到目标值的对象视为完成目标任务，不进入黑榜；留空则不设此例外"))
    target_value = models.DecimalField(_("目标值"), max_digits=8, decimal_places=1, default=100)
    red_needs_target = models.BooleanField(_("红榜须完成目标任务"), default=False,
                                           help_text=_("如绵阳：超额完成目标且量化评分靠前的进入红榜"))
    is_active = models.BooleanField(_("启用"), default=True)
    # The 序列 with their kind of subject, subjects and boards, and the indicators with weights and curves, as one
    # document (tuijin.scoring.schemes reads and checks it): what the editor writes, what a scheme
    # exports and imports as, what a run freezes, and what the history keeps before and after.
    config = models.JSONField(_("序列与指标"), default=dict)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def kinds(self) -> list[str]:
        """The kinds of subject its 序列 rank, in their order, each once."""
        return list(dict.fromkeys(s.get("kind") for s in (self.config or {}).get("series", []) if s.get("kind")))

    @property
    def kinds_display(self) -> str:
        """县区/园区、牵头（第一责任）单位 — what the scheme ranks, as its pages say it."""
        return kinds_text(self.kinds)


def kinds_text(kinds) -> str:
    labels = dict(SubjectKind.choices)
    return "、".join(str(labels.get(kind, kind)) for kind in kinds)


class Exemption(VersionedModel):
    """Excluded for a stated reason (不可抗力…), approved by the office, for the dates it names:
    - a subject (subject_kind and subject_id): it stays ranked but never enters the 黑榜;
    - a project (project): it leaves the scheme's figures — its plan, completion, starts … count for
      none of the subjects, nor in per-project bonuses and penalties; a 序列 of projects (十快十慢)
      does not rank it."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="exemptions")
    subject_kind = models.CharField(_("对象类型"), max_length=20, choices=SubjectKind.choices, blank=True)
    subject_id = models.PositiveBigIntegerField(_("对象"), null=True, blank=True)
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("原因"), max_length=300)
    starts = models.DateField(_("自"))
    ends = models.DateField(_("至"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批准人"), on_delete=models.PROTECT,
                                    related_name="+")
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at"],
                                no_db_index=["scheme", "project", "approved_by"])

    class Meta:
        verbose_name = _("豁免")
        verbose_name_plural = _("豁免")
        ordering = ["scheme", "-starts", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(project__isnull=True, subject_id__isnull=False) & ~models.Q(subject_kind=""))
                | models.Q(project__isnull=False, subject_id__isnull=True, subject_kind=""),
                name="scoring_exemption_subject_or_project"),
        ]

    def __str__(self) -> str:
        return self.reason


class Run(VersionedModel):
    """One computation of a scheme for one period. Published: frozen, numbered, reproducible."""

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    period_end = models.DateField(_("截至"))
    state = models.CharField(_("状态"), max_length=10, choices=RunState.choices, default=RunState.DRAFT)
    year = models.PositiveSmallIntegerField(_("年度"), null=True, blank=True)
    number = models.PositiveIntegerField(_("期数"), null=True, blank=True)
    snapshot = models.JSONField(_("方案与输入快照"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("计算人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(user_db_constraint=False, excluded_fields=["updated_at", "snapshot"])

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["-period_end", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period_end"], condition=models.Q(state="published"),
                                    name="scoring_run_one_published_per_period"),
            models.UniqueConstraint(fields=["scheme", "period_end"], condition=models.Q(state="draft"),
                                    name="scoring_run_one_draft_per_period"),
            models.UniqueConstraint(fields=["scheme", "year", "number"], condition=models.Q(number__isnull=False),
                                    name="scoring_run_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme_id}@{self.period_end:%Y-%m}"


class ManualScore(models.Model):
    """A manual item's score for one subject of a run: the office's (one per item) or a judge's sheet
    (several judges; the result takes the trimmed mean)."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="manual_scores")
    indicator = models.CharField(_("指标代码"), max_length=40)
    subject_kind = models.CharField(_("对象类型"), max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("对象"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评分人"), on_delete=models.PROTECT,
                              related_name="+")
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    scored_at = models.DateTimeField(_("评分时间"), auto_now=True)

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [models.UniqueConstraint(fields=["run", "indicator", "subject_kind", "subject_id", "judge"],
                                               name="scoring_manual_one_sheet_per_judge")]

    def __str__(self) -> str:
        return f"{self.indicator}:{self.subject_id}={self.score}"


class Veto(models.Model):
    """一票否决: the subject's total is 0 and it ranks last in its 序列, with the reason shown."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="vetoes")
    subject_kind = models.CharField(_("对象类型"), max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("对象"))
    reason = models.CharField(_("否决原因"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("一票否决")
        verbose_name_plural = _("一票否决")
        constraints = [models.UniqueConstraint(fields=["run", "subject_kind", "subject_id"], name="scoring_veto_once")]

    def __str__(self) -> str:
        return self.reason


class Result(models.Model):
    """One subject's line of a run: values and points per indicator (decimal strings), total, rank."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="results")
    series = models.CharField(_("序列"), max_length=50)
    series_sort = models.PositiveSmallIntegerField(_("序列次序"), default=0)
    subject_kind = models.CharField(_("对象类型"), max_length=20, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("对象"))
    subject_name = models.CharField(_("对象名称"), max_length=200)
    values = models.JSONField(_("指标值"), default=dict)
    points = models.JSONField(_("得分"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=8, decimal_places=2)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    tied = models.BooleanField(_("并列"), default=False)
    previous_rank = models.PositiveIntegerField(_("上期名次"), null=True, blank=True)
    board = models.CharField(_("上榜"), max_length=10, choices=Board.choices, blank=True)
    target_met = models.BooleanField(_("完成目标任务"), default=False)
    vetoed = models.CharField(_("一票否决原因"), max_length=300, blank=True)
    exempted = models.CharField(_("豁免原因"), max_length=300, blank=True)
    # The subject's projects left out of its figures for a stated reason: [{"project", "name", "code",
    # "reason", "approved_by"}] as the run found them.
    exempt_projects = models.JSONField(_("豁免项目"), default=list, blank=True)

    class Meta:
        verbose_name = _("考核得分")
        verbose_name_plural = _("考核得分")
        # A line not ranked (a withdrawn project) after the ranked ones on every database.
        ordering = ["run", "series_sort", models.F("rank").asc(nulls_last=True), "id"]
        constraints = [models.UniqueConstraint(fields=["run", "subject_kind", "subject_id"], name="scoring_result_once")]

    def __str__(self) -> str:
        return f"{self.subject_name} {self.total}"

    @property
    def key(self) -> str:
        """The subject as the pages and the snapshot name it: region:12."""
        return f"{self.subject_kind}:{self.subject_id}"

    @property
    def movement(self) -> str:
        """↑2 / ↓1 / — / 新 against the last published period's rank."""
        from .ranks import movement

        return movement(self.previous_rank, self.rank)
