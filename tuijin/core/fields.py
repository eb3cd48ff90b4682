"""Money stored exactly on every database.

SQLite keeps a DecimalField as a float (NUMERIC affinity) and SUM() drifts in the cents, so money
is stored as an integer count of hundredths of 万元 (i.e. of 100 元) and returned as a Decimal in
万元 with two places. Sums over it are integer sums on both SQLite and PostgreSQL.
"""

import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core import checks, exceptions, validators
from django.db import models
from django.utils.translation import gettext_lazy as _

# Free text a user types or imports (备注, 形象进度, 问题描述, 意见 …) and the longer descriptions
# (建设内容及规模, 会议纪要, 督查情况): one limit each, kept by LimitedTextField on forms, services, imports.
TEXT_MAX = 2000
LONG_TEXT_MAX = 4000

CENT = Decimal("0.01")
MAX_MONEY = Decimal("9999999999999.99")  # 万元; far beyond any real project, inside BIGINT
_MAX_CENTS = int(MAX_MONEY * 100)


def number_text(value) -> str:
    """The one rule for a typed or imported amount's text: full-width digits, point, comma and minus
    become ASCII (NFKC: "１２３４５．６" → "12345.6"), surrounding spaces and thousands commas go.
    Forms, the report grid and both importers (core.sheets.values, NFKC too) read amounts this way,
    and the forms and the grid show the normalised text when they show the value again."""
    return unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")


def to_money(value) -> Decimal | None:
    """Parse a number into Decimal 万元 with two places; None stays None."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(number_text(value))
    except (InvalidOperation, ValueError) as exc:
        raise exceptions.ValidationError(_("金额格式不正确"), code="invalid") from exc
    if not result.is_finite():
        raise exceptions.ValidationError(_("金额格式不正确"), code="invalid")
    if abs(result) > MAX_MONEY:  # 1e26 or 29 digits cannot be quantized (nor stored): refuse, never a 500
        raise exceptions.ValidationError(_("金额超出允许范围"), code="max_value")
    return result.quantize(CENT, rounding=ROUND_HALF_UP)


class MoneyFormField(forms.DecimalField):
    """A form's amount: forms.DecimalField reading the text by ``number_text``, so "１２３４５．６" is
    12345.6, and a form shown again (with another error) shows "12345.6"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = number_text(value)
        return super().to_python(value)

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return number_text(data) if isinstance(data, str) else data


class NumberTextField(forms.CharField):
    """A text field for an amount parsed later (by to_money): its text normalised by ``number_text``,
    and shown normalised when the form is shown again."""

    def to_python(self, value):
        value = super().to_python(value)
        return number_text(value) if value else value

    def bound_data(self, data, initial):
        data = super().bound_data(data, initial)
        return number_text(data) if isinstance(data, str) else data


class MoneyField(models.BigIntegerField):
    """A Decimal amount in 万元 (two places) kept as an integer number of 0.01 万元."""

    description = _("金额（万元）")

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(CENT)

    def to_python(self, value):
        return to_money(value)

    def get_prep_value(self, value):
        value = super(models.IntegerField, self).get_prep_value(value)
        if value is None:
            return None
        if hasattr(value, "resolve_expression"):
            return value
        money = to_money(value)
        return int(money * 100)

    def bulk_db_value(self, value):
        """get_db_prep_save for bulk writers (tuijin.core.bulk): a Decimal of whole cents or an int (a
        default of 0) straight to its integer hundredths, anything else the long way."""
        kind = type(value)
        if kind is Decimal and value.is_finite():
            numerator, denominator = value.as_integer_ratio()
            if 100 % denominator == 0 and abs(numerator) <= _MAX_CENTS * denominator // 100:
                return numerator * (100 // denominator)
        elif kind is int and abs(value) <= MAX_MONEY:
            return value * 100
        return self.get_prep_value(value)

    def check(self, **kwargs):
        return [*super().check(**kwargs), *self._check_no_choices()]

    def _check_no_choices(self):
        if self.choices:
            return [checks.Error("MoneyField does not take choices.", obj=self)]
        return []

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if value is not None and abs(value) > MAX_MONEY:
            raise exceptions.ValidationError(_("金额超出允许范围"), code="max_value")

    @property
    def validators(self):
        # BigIntegerField's range validators speak in stored units; ours are checked in validate().
        return list(self._validators)

    def formfield(self, **kwargs):
        defaults = {
            "form_class": MoneyFormField,
            "max_digits": 15,
            "decimal_places": 2,
            "localize": False,
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


class LimitedTextField(models.TextField):
    """A TextField with a length limit that holds everywhere, not only in forms: like CharField, its
    max_length becomes a validator (full_clean, services' checks) as well as the form field's limit
    and the textarea's maxlength. The column stays TEXT (no ALTER of the table's type)."""

    def __init__(self, *args, max_length: int = TEXT_MAX, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(validators.MaxLengthValidator(self.max_length))


def text_too_long(value, limit: int) -> str | None:
    """The Chinese message for a text over `limit` characters, or None."""
    n = len(value or "")
    if n <= limit:
        return None
    return _("不能超过%(limit)s个字（现有%(n)s个）") % {"limit": limit, "n": n}
