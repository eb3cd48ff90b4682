"""Problem, order, meeting and inspection forms: field-level parsing (dates, choices); the rules are in
services, which give the Chinese messages for everything a form cannot see."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.org.models import Leader, Unit
from tuijin.projects.forms import MarkInvalidMixin, _style
from tuijin.projects.models import Project

from .choices import InspectionKind, MeetingKind, OrderBasis, Source
from .models import ProblemType

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": _("日期格式不正确，应为 年-月-日，如 2026-12-31")}
UNIT_ERRORS = {"invalid_choice": _("所选单位不存在或已停用")}
RAISE_SOURCES = [(Source.PATROL, Source.PATROL.label), (Source.INSPECTION, Source.INSPECTION.label),
                 (Source.INSTRUCTION, Source.INSTRUCTION.label), (Source.MEETING, Source.MEETING.label)]


def _units():
    return Unit.objects.filter(is_active=True).select_related("region").order_by("region__path", "kind", "name")


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class UnitsChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ProblemForm(MarkInvalidMixin, forms.Form):
    type = forms.ModelChoiceField(label=_("问题类型"), queryset=ProblemType.objects.filter(is_active=True),
                                  error_messages={"required": _("请选择问题类型"), "invalid_choice": _("请选择问题类型")})
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                  error_messages={"required": _("请填写问题描述"), "max_length": _("问题描述不能超过2000个字")})
    handling_unit = UnitChoice(label=_("责任单位"), queryset=_units(), required=False, error_messages=UNIT_ERRORS,
                               help_text=_("负责解决的单位；不确定时可留空，由调度员交办"))
    cooperating_units = UnitsChoice(label=_("配合单位"), queryset=_units(), required=False,
                                    error_messages={"invalid_choice": _("所选配合单位不存在或已停用")},
                                    widget=forms.SelectMultiple(attrs={"size": 4}), help_text=_("按住 Ctrl 可选多个"))
    deadline = forms.DateField(label=_("解决时限"), required=False, widget=DATE, error_messages=DATE_ERRORS)

    def __init__(self, *args, with_source=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_source:  # the office's 交办 form: the office is who decides
            self.fields["handling_unit"].help_text = _("负责解决问题的单位，交办后该单位会收到消息")
        if with_source:
            self.fields["source"] = forms.ChoiceField(label=_("来源"), choices=RAISE_SOURCES, initial=Source.PATROL,
                                                      error_messages={"invalid_choice": _("请选择问题来源")})
        self.fields["handling_unit"].queryset = _units()
        self.fields["cooperating_units"].queryset = _units()
        _style(self)


class OrderForm(MarkInvalidMixin, forms.Form):
    basis = forms.ChoiceField(label=_("督办事由"), choices=[(OrderBasis.PROJECT, OrderBasis.PROJECT.label),
                                                          (OrderBasis.WARNING, OrderBasis.WARNING.label)])
    unit = UnitChoice(label=_("承办单位"), queryset=_units(), error_messages={**UNIT_ERRORS, "required": _("请选择承办单位")})
    content = forms.CharField(label=_("督办内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                              error_messages={"required": _("请填写督办内容"), "max_length": _("督办内容不能超过2000个字")})
    reply_by = forms.DateField(label=_("回复时限"), widget=DATE, error_messages={**DATE_ERRORS, "required": _("请填写回复时限")},
                               help_text=_("承办单位须在此日期前回复整改方案（限时回复）"))
    rectify_by = forms.DateField(label=_("整改时限"), required=False, widget=DATE, error_messages=DATE_ERRORS)

    def __init__(self, *args, with_basis=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        if not with_basis:
            del self.fields["basis"]
        _style(self)


class LeaderChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


def _leaders():
    return Leader.objects.filter(is_active=True).order_by("sort", "id")


class MeetingForm(MarkInvalidMixin, forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=200, error_messages={"required": _("请填写会议名称")})
    held_on = forms.DateField(label=_("会议日期"), widget=DATE, error_messages={**DATE_ERRORS, "required": _("请填写会议日期")})
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    chair = LeaderChoice(label=_("主持领导"), queryset=_leaders(), required=False)
    attendees = forms.CharField(label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    projects = forms.ModelMultipleChoiceField(label=_("研究的项目"), queryset=Project.objects.none(), required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 8}),
                                              error_messages={"invalid_choice": _("所选项目不存在或无权查看")})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].queryset = _leaders()
        self.fields["projects"].queryset = Project.objects.visible_to(user).filter(is_archived=False).order_by("name")
        _style(self)


class InspectionForm(MarkInvalidMixin, forms.Form):
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("督查类型"), choices=InspectionKind.choices)
    title = forms.CharField(label=_("督查名称"), max_length=200, error_messages={"required": _("请填写督查名称")})
    held_on = forms.DateField(label=_("督查日期"), widget=DATE, error_messages={**DATE_ERRORS, "required": _("请填写督查日期")})
    leader = LeaderChoice(label=_("带队领导"), queryset=_leaders(), required=False)
    participants = forms.CharField(label=_("参加人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    findings = forms.CharField(label=_("督查情况"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    projects = forms.ModelMultipleChoiceField(label=_("察看的项目"), queryset=Project.objects.none(), required=False,
                                              widget=forms.SelectMultiple(attrs={"size": 8}),
                                              error_messages={"invalid_choice": _("所选项目不存在或无权查看")})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = _leaders()
        self.fields["projects"].queryset = Project.objects.visible_to(user).filter(is_archived=False).order_by("name")
        _style(self)


class DecisionForm(MarkInvalidMixin, forms.Form):
    """A meeting's decision or an inspection's finding, as a problem or an order in one step."""

    kind = forms.ChoiceField(label=_("交办方式"), choices=[("problem", _("列入问题清单")), ("order", _("下发督办单"))],
                             widget=forms.RadioSelect, initial="problem", error_messages={"required": _("请选择转为问题还是督办单")})
    project = forms.ModelChoiceField(label=_("项目"), queryset=Project.objects.none(),
                                     error_messages={"required": _("请选择项目"), "invalid_choice": _("所选项目不存在或无权查看")})
    content = forms.CharField(label=_("交办内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                              error_messages={"required": _("请填写交办内容"), "max_length": _("交办内容不能超过2000个字")})
    type = forms.ModelChoiceField(label=_("问题类型"), queryset=ProblemType.objects.filter(is_active=True), required=False,
                                  help_text=_("列入问题清单时填写"))
    unit = UnitChoice(label=_("责任（承办）单位"), queryset=_units(), required=False, error_messages=UNIT_ERRORS)
    deadline = forms.DateField(label=_("时限"), required=False, widget=DATE, error_messages=DATE_ERRORS,
                               help_text=_("问题的解决时限，或督办单的回复时限"))

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects if projects is not None else Project.objects.none()
        self.fields["unit"].queryset = _units()
        self.fields["type"].queryset = ProblemType.objects.filter(is_active=True)
        _style(self)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"

    def service_data(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == "problem":
            return {"type": data.get("type"), "description": data["content"], "handling_unit": data.get("unit"),
                    "deadline": data.get("deadline"), "cooperating_units": []}
        return {"unit": data.get("unit"), "content": data["content"], "reply_by": data.get("deadline"), "rectify_by": None}

