"""Dispatch forms: field-level checks here, the rules in services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuijin.core.fields import TEXT_MAX, NumberTextField
from tuijin.projects.choices import CanonicalStage
from tuijin.projects.forms import MarkInvalidMixin, _style

from .choices import DEFAULT_REPORTING_STAGES, Cadence, WorkStatus
from .workflow import REPORT_WORKFLOW, REVIEW_STEPS

REPORTING_STAGE_CHOICES = [
    (value, label) for value, label in CanonicalStage.choices
    if value not in (CanonicalStage.CANCELLED,)
]


class PeriodOpenForm(MarkInvalidMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    month = forms.TypedChoiceField(label=_("月份"), coerce=int, choices=[(m, f"{m}月") for m in range(1, 13)])
    cadence = forms.ChoiceField(label=_("填报周期"), choices=Cadence.choices, initial=Cadence.MONTH)
    seq = forms.TypedChoiceField(
        label=_("期次"), coerce=int, initial=1,
        choices=[(1, _("第1期（月报为全月；半月报为上半月；旬报为上旬）")), (2, _("第2期（下半月 / 中旬）")), (3, _("第3期（下旬）"))],
    )
    due_on = forms.DateField(label=_("填报截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("不填：月报为当月25日，半月报、旬报为本期最后一天"))
    stages = forms.MultipleChoiceField(
        label=_("须填报的项目阶段"), choices=REPORTING_STAGE_CHOICES, initial=list(DEFAULT_REPORTING_STAGES),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一个项目阶段")},
    )
    note = forms.CharField(label=_("填报要求"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["month"].initial = today.month
        _style(self)


class ReportForm(MarkInvalidMixin, forms.Form):
    """The single-project report (the grid has the same fields per row). Values are parsed and
    checked by services.clean_report_data, so errors read the same everywhere."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    amount = NumberTextField(label=_("本期完成投资（万元）"), required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    progress = forms.CharField(label=_("形象进度"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    work_status = forms.ChoiceField(label=_("开复工情况"), required=False, choices=[("", "—"), *WorkStatus.choices])
    workers_planned = forms.CharField(label=_("应出勤施工人数"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    workers_on_site = forms.CharField(label=_("现场施工人数"), required=False, widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    problems = forms.CharField(label=_("存在问题及困难"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label=_("下步计划及需协调事项"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ReviewForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=[(name, REPORT_WORKFLOW.step(name).label) for name in REVIEW_STEPS])
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
