"""Which column is which: header words to ledger fields, through the synonym dictionaries (data)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from tuijin.core.sheets.values import normalize_text, unit_in, year_in

from .choices import MONEY_FIELDS, LedgerField
from .models import HeaderSynonym, SavedMapping

_YEAR = re.compile(r"(?<!\d)(19|20)\d{2}(?=年)")
_BRACKETED = re.compile(r"\((?:[^()]*?(?:元|亩|%|项|个|平方米|公里|千米|米|°)[^()]*?)\)")
_NOISE = re.compile(r"[\s\"'“”‘’:：、,，.。]")
_CN_MONTH = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}
# A month's planned investment: "3月计划投资", "3月份计划", "1-3月累计计划投资" (from January: cumulative),
# or a bare "3月" under a group that says 计划 ("2026年分月计划/3月").
_MONTH_PLAN = re.compile(
    r"^(?:(?P<first>1|一)[-~～至到])?(?P<month>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月(?:份)?"
    r"(?P<cum1>累计)?计划(?:完成)?(?:投资)?(?P<cum2>累计)?(?:额)?$"
)
_BARE_MONTH = re.compile(r"^(?P<month>1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])月(?:份)?$")


def plan_month(label: str) -> tuple[int, bool] | None:
    """(month, cumulative) when a header names a month's planned investment, else None."""
    key = header_key(label)
    parent, _, last = key.rpartition("/")
    match = _MONTH_PLAN.match(last)
    if match is None and "计划" in parent:
        match = _BARE_MONTH.match(last)
    if match is None:
        return None
    month = match.group("month")
    number = int(month) if month.isdigit() else _CN_MONTH[month]
    groups = match.groupdict()
    cumulative = bool(groups.get("first") or groups.get("cum1") or groups.get("cum2") or "累计" in parent)
    return number, cumulative


def header_key(label: str) -> str:
    """A header label reduced to what identifies it: "2010年计划投资（万元）" → "{年}年计划投资".

    NFKC (full-width brackets and digits → half-width), no spaces or quotes, units and other measures
    in brackets dropped, four-digit years written {年}. Paths keep their "/" between levels.
    """
    parts = []
    for part in str(label).split("/"):
        text = normalize_text(part)
        text = _BRACKETED.sub("", text)
        text = _YEAR.sub("{年}", text)
        text = _NOISE.sub("", text)
        if text:
            parts.append(text)
    return "/".join(parts)


@dataclass
class ColumnMap:
    index: int  # 0-based column in the sheet
    label: str  # the header path as shown, e.g. "项目业主单位/业主名称"
    field: str  # a LedgerField value ("ignore" when not imported)
    unit: str | None = None  # money columns: 元/万元/亿元 from the header
    year: int | None = None  # a year written in the header
    guessed: bool = True  # from the synonym dictionary (False: chosen by a user or a saved mapping)

    @property
    def letter(self) -> str:
        return column_letter(self.index)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class SynonymIndex:
    """The active header synonyms, keyed by header_key."""

    def __init__(self, pairs=None):
        if pairs is None:
            pairs = HeaderSynonym.objects.filter(is_active=True).values_list("text", "field")
        self.fields: dict[str, str] = {}
        for text, field in pairs:
            self.fields.setdefault(header_key(text), field)

    def known(self, label: str) -> bool:
        """For header detection: is this one cell a known header word?"""
        return self.field_of(label) is not None

    def field_of(self, label: str) -> str | None:
        key = header_key(label)
        if not key:
            return None
        field = self.fields.get(key)
        if field is not None:
            return field
        if plan_month(label) is not None:
            return LedgerField.MONTHLY_PLAN
        if "/" in key:
            parent, _, last = key.rpartition("/")
            # "2010年实际完成情况/1-3月实际完成投资" is not a plan; the lower cell alone decides only
            # when its upper cell is no ledger word itself ("项目业主单位/负责人" is not the owner).
            if self.fields.get(parent) is None and self.fields.get(parent.split("/")[0]) is None:
                return self.fields.get(last)
            # "联系领导/分包领导" (the export's leader columns): both levels name the same field.
            if self.fields.get(last) is not None and self.fields.get(last) == self.fields.get(parent):
                return self.fields[last]
        return None


def signature(labels: list[str]) -> str:
    """Identifies a header layout: the same labels in the same columns."""
    return hashlib.sha256(json.dumps([header_key(label) for label in labels], ensure_ascii=False).encode()).hexdigest()


def map_columns(columns, index: SynonymIndex, *, overrides: dict[int, str] | None = None) -> tuple[list[ColumnMap], bool]:
    """Map header columns (tuijin.core.sheets.headers.Column) to fields.

    Order of precedence: `overrides` (the user's corrections in the preview), then a SavedMapping for
    the same layout, then the synonym dictionary. Returns (maps, used_saved_mapping).
    """
    labels = [column.label for column in columns]
    saved = None
    if not overrides:
        saved = SavedMapping.objects.filter(signature=signature(labels)).first()
    chosen = {int(k): v for k, v in (overrides or (saved.fields if saved else {})).items()}
    valid = set(LedgerField.values)
    maps = []
    for column in columns:
        field = chosen.get(column.index)
        guessed = field is None or field not in valid
        if guessed:
            field = index.field_of(column.label) or LedgerField.IGNORE
        unit = unit_in(column.label) if field in MONEY_FIELDS else None
        maps.append(ColumnMap(column.index, column.label, field, unit, year_in(column.label), guessed))
    return maps, saved is not None


def remember(columns, maps: list[ColumnMap], user) -> SavedMapping:
    """Keep the user's mapping for files with the same header layout."""
    labels = [column.label for column in columns]
    saved, _ = SavedMapping.objects.update_or_create(
        signature=signature(labels),
        defaults={
            "labels": labels,
            "fields": {str(m.index): m.field for m in maps},
            "updated_by": user if getattr(user, "pk", None) else None,
        },
    )
    return saved
