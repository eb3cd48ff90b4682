"""Schedule and approval forms: field-level parsing here (dates, choices), the rules in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.core.parsing import parse_int
from tuijin.projects.forms import MarkInvalidMixin, _style

from .choices import ApprovalStatus, WallGrouping, WallWindow
from .models import MilestoneTemplate

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SMALL_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
DATE_ERRORS = {"invalid": _("日期格式不正确，应为 年-月-日，如 2026-12-31")}


class ApplyTemplateForm(MarkInvalidMixin, forms.Form):
    template = forms.ModelChoiceField(label=_("节点模板"), queryset=MilestoneTemplate.objects.filter(is_active=True),
                                      empty_label=None, error_messages={"required": _("请选择节点模板"),
                                                                        "invalid_choice": _("请选择启用中的节点模板")})
    target_date = forms.DateField(label=_("目标日期"), widget=DATE, required=False, error_messages=DATE_ERRORS,
                                  help_text=_("最后一个节点（如正式投产、建成通车）的完成日期。开工节点排在项目的实际开工日期"
                                              "（未开工的排在计划开工日期），之前的节点按标准工期倒排，之后的节点按标准工期比例排在"
                                              "开工与目标日期之间；不填目标日期时按标准工期顺排。项目没有开工日期时必须填写，各节点从目标日期倒排"))
    replace = forms.BooleanField(label=_("替换现有节点"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class MilestoneForm(MarkInvalidMixin, forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("节点名称"), max_length=100, error_messages={"required": _("请填写节点名称"),
                                                                          "max_length": _("节点名称不能超过100个字")})
    planned_date = forms.DateField(label=_("计划完成日期"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    actual_date = forms.DateField(label=_("实际完成日期"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    responsible = forms.CharField(label=_("责任人"), max_length=50, required=False,
                                  error_messages={"max_length": _("责任人不能超过50个字")})
    note = forms.CharField(label=_("说明"), max_length=500, required=False, error_messages={"max_length": _("说明不能超过500个字")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class BaselineForm(forms.Form):
    reason = forms.CharField(label=_("调整原因"), max_length=500, required=False,
                             error_messages={"max_length": _("原因不能超过500个字")})


class ApprovalForm(MarkInvalidMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    required = forms.BooleanField(label=_("需要办理"), required=False)
    status = forms.ChoiceField(label=_("办理状态"), choices=ApprovalStatus.choices, error_messages={"invalid_choice": _("办理状态不正确")})
    target_date = forms.DateField(label=_("计划办结日期"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    done_date = forms.DateField(label=_("办结日期"), required=False, widget=DATE, error_messages=DATE_ERRORS)
    document_no = forms.CharField(label=_("批准文号"), max_length=100, required=False, error_messages={"max_length": _("批准文号不能超过100个字")})
    approving_unit = forms.CharField(label=_("审批单位"), max_length=100, required=False, error_messages={"max_length": _("审批单位不能超过100个字")})
    responsible = forms.CharField(label=_("责任人"), max_length=50, required=False, error_messages={"max_length": _("责任人不能超过50个字")})
    note = forms.CharField(label=_("需协调解决问题"), max_length=500, required=False, error_messages={"max_length": _("需协调解决问题不能超过500个字")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class WallOptionsForm(forms.Form):
    """How 挂图作战 shows the filtered projects (not which: that is the filters'): grouped or not, over this
    year or the whole plan, which page. A value outside the choices (a stale or mistyped link) is the
    default; nothing here is refused."""

    group = forms.ChoiceField(label=_("分组"), choices=WallGrouping.choices, required=False, widget=SMALL_SELECT)
    window = forms.ChoiceField(label=_("时间范围"), choices=WallWindow.choices, required=False, widget=SMALL_SELECT)

    def options(self) -> tuple[str, str, int]:
        """(grouping, window, page) as asked, or their defaults."""
        data = self.data
        group = data.get("group", "") if data.get("group", "") in WallGrouping.values else WallGrouping.NONE
        window = data.get("window") if data.get("window") in WallWindow.values else WallWindow.YEAR
        return group, window, parse_int(data.get("page"), minimum=1) or 1
