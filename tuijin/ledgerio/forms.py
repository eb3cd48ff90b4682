from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.core.sheets.reader import SheetReadError  # noqa: F401  (re-exported for views)

from .choices import LedgerField

ACCEPT = ".xlsx,.xls,.ods,.csv"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("台账文件"), help_text=_("Excel（.xlsx/.xls）、WPS/LibreOffice（.ods）或 CSV；不超过 %(mb)s MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT, "class": "form-control"}),
    )
    year = forms.IntegerField(
        label=_("计划年度"), required=False, min_value=2000, max_value=2100,
        help_text=_("留空时取自表头（如“2026年计划投资”）"),
        widget=forms.NumberInput(attrs={"class": "form-control", "placeholder": _("自动识别")}),
    )

    def __init__(self, *args, max_mb: int = 20, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.fields["file"].help_text % {"mb": max_mb}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.size:
            raise forms.ValidationError(_("文件是空的"))
        return upload


class OptionsForm(forms.Form):
    """The preview's choices: sheet, year, defaults; the column mapping comes as col_<index> fields."""

    sheet = forms.ChoiceField(label=_("工作表"), widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    year = forms.IntegerField(label=_("计划年度"), min_value=2000, max_value=2100,
                              widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}))
    region = forms.CharField(label=_("区域"), required=False)
    level = forms.CharField(label=_("项目级别"), required=False)
    category = forms.CharField(label=_("项目类别"), required=False)
    nature = forms.CharField(label=_("建设性质"), required=False)
    stage = forms.CharField(label=_("项目阶段"), required=False)
    remember = forms.BooleanField(label=_("记住这个列对应，下次上传同样表头的文件时自动使用"), required=False)

    def __init__(self, *args, sheets=(), columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(s, s) for s in sheets]
        self.column_indexes = [c.index for c in columns]
        for column in columns:
            self.fields[f"col_{column.index}"] = forms.ChoiceField(
                label=column.label or _("（无表头）"), choices=LedgerField.choices, required=False,
            )

    def overrides(self) -> dict[int, str]:
        """The posted column choices; a column left out keeps the dictionary's (or saved) mapping."""
        return {i: value for i in self.column_indexes if (value := self.cleaned_data.get(f"col_{i}"))}

    def defaults(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in ("region", "level", "category", "nature", "stage")}
