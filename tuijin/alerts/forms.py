from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.projects.forms import MarkInvalidMixin, _style
from tuijin.projects.models import Category, Level

from .choices import Method, Preset


class RuleForm(MarkInvalidMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("规则名称"), max_length=100, error_messages={"required": _("请填写规则名称")})
    method = forms.ChoiceField(label=_("判定方法"), choices=Method.choices)
    yellow = forms.DecimalField(label=_("黄灯阈值"), max_digits=8, decimal_places=1,
                                error_messages={"required": _("请填写黄灯阈值"), "invalid": _("阈值应为数字，最多一位小数")})
    red = forms.DecimalField(label=_("红灯阈值"), max_digits=8, decimal_places=1,
                             error_messages={"required": _("请填写红灯阈值"), "invalid": _("阈值应为数字，最多一位小数")})
    min_annual_plan = forms.DecimalField(label=_("年度计划投资不低于（万元）"), required=False, max_digits=14, decimal_places=2,
                                         error_messages={"invalid": _("金额应为数字，最多两位小数")})
    levels = forms.ModelMultipleChoiceField(label=_("适用项目级别"), queryset=Level.objects.filter(is_active=True), required=False,
                                            widget=forms.CheckboxSelectMultiple)
    categories = forms.ModelMultipleChoiceField(label=_("适用项目类别"), queryset=Category.objects.filter(is_active=True, parent=None),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    is_active = forms.BooleanField(label=_("启用"), required=False)
    note = forms.CharField(label=_("依据与说明"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, methods=None, **kwargs):
        super().__init__(*args, **kwargs)
        if methods:
            self.fields["method"].choices = [(m, Method(m).label) for m in methods]
        _style(self)


class PresetForm(forms.Form):
    preset = forms.ChoiceField(label=_("预设规则"), choices=[c for c in Preset.choices if c[0] != Preset.CUSTOM])
