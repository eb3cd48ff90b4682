"""The audit page's search: who, what, how it ended, when, from where, and any text."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Action, Result
from .models import AuditEntry


class AuditFilterSet(django_filters.FilterSet):
    who = django_filters.CharFilter(label=_("操作人"), method="filter_who")
    action = django_filters.ChoiceFilter(label=_("事件类型"), choices=Action.choices, empty_label=_("全部"))
    result = django_filters.ChoiceFilter(label=_("结果"), choices=Result.choices, empty_label=_("全部"))
    since = django_filters.DateFilter(label=_("起始日期"), method="filter_since",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label=_("截止日期"), method="filter_until",
                                      widget=forms.DateInput(attrs={"type": "date"}))
    address = django_filters.CharFilter(label=_("地址"), field_name="address", lookup_expr="startswith")
    text = django_filters.CharFilter(label=_("关键字"), method="filter_text")

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if select else "form-control form-control-sm"

    def filter_who(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(username__iexact=value) if value else queryset

    # Days are Beijing time's; compared as a range of `at`, so its index serves.
    def filter_since(self, queryset, name, value):
        return queryset.filter(at__gte=_midnight(value))

    def filter_until(self, queryset, name, value):
        return queryset.filter(at__lt=_midnight(value + timedelta(days=1)))

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(target__icontains=value) | Q(detail__icontains=value) | Q(username__icontains=value))


def _midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
