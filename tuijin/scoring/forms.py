"""The scheme editor's rows ↔ the scheme's document.

The editor is a plain form: a row per 序列 (name, kind of subject, 红榜/黑榜 places, subjects — each
ticked box's value is the subject as kind:id, region:12) and a row per indicator (code, name, source,
figure, weight, curve kind and the curve's settings as short fields). Lists in a
curve are typed as people write them: 加分区间 "100:0.2，130:0.1", 分档 "0:3，10000:5", 名次分档
"1-3:7，4-6:5". What the office typed comes back as typed when the scheme refuses it; the document's
own checks (tuijin.scoring.schemes) say what is wrong.
"""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from tuijin.core.parsing import parse_int

from .choices import PeriodKind, SubjectKind

BLANK_SERIES, BLANK_INDICATORS, MAX_ROWS = 1, 3, 200
CURVE_FIELDS = ("target", "cap", "base", "step", "below", "above", "max_bonus", "max_penalty", "bands", "ranks",
                "each", "otherwise", "missing")
KIND_FIELDS = {
    "linear": ("target", "cap", "missing"),
    "per_point": ("base", "target", "step", "below", "above", "max_bonus", "max_penalty", "missing"),
    "bands": ("bands", "otherwise", "missing"),
    "rank": ("ranks", "otherwise", "missing"),
    "count": ("each", "cap", "missing"),
    "value": ("missing",),
}
CURVE_KINDS = (("linear", _("线性（分值×实际÷目标）")), ("per_point", _("按百分点增减")), ("bands", _("分档")),
               ("rank", _("按名次")), ("count", _("按个数加减分")), ("value", _("按指标值本身（十快十慢）")))
_SPLIT = re.compile(r"[，,；;\s]+")


class SchemeHeaderForm(forms.Form):
    code = forms.CharField(label=_("方案代码"), max_length=50,
                           help_text=_("英文字母、数字或连字符，命令行中用它指定方案，如 county-monthly"))
    name = forms.CharField(label=_("方案名称"), max_length=100)
    period_kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    basis = forms.CharField(label=_("依据"), max_length=300, required=False)
    target_figure = forms.CharField(label=_("目标完成指标"), max_length=40, required=False)
    target_value = forms.CharField(label=_("目标值（%）"), max_length=20, required=False)
    red_needs_target = forms.BooleanField(label=_("红榜须完成目标任务"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)


def _pairs_text(pairs) -> str:
    return "，".join(f"{a}:{b}" for a, b in pairs or [])


def _ranks_text(ranks) -> str:
    return "，".join(f"{a}-{b}:{c}" if a != b else f"{a}:{c}" for a, b, c in ranks or [])


def _parse_pairs(text: str):
    """"100:0.2，130:0.1" → [["100", "0.2"], ["130", "0.1"]]; malformed parts are kept as they are so
    the document's check names the field."""
    pairs = []
    for part in filter(None, _SPLIT.split(text.strip())):
        low, sep, points = part.replace("：", ":").partition(":")
        pairs.append([low, points] if sep else part)
    return pairs


def _parse_ranks(text: str):
    ranks = []
    for part in filter(None, _SPLIT.split(text.strip())):
        span, sep, points = part.replace("：", ":").partition(":")
        first, dash, last = span.replace("—", "-").replace("–", "-").partition("-")
        ranks.append([first, last if dash else first, points] if sep else part)
    return ranks


def _rows(data, key: str) -> int:
    """How many rows the editor posted (a tampered count is no rows, and never more than MAX_ROWS)."""
    return max(0, min(parse_int(data.get(key)) or 0, MAX_ROWS))


def curve_fields(curve: dict) -> dict[str, str]:
    """A curve as the editor's short fields."""
    fields = {name: "" for name in CURVE_FIELDS}
    for name in CURVE_FIELDS:
        value = curve.get(name)
        if value is None:
            continue
        if name in ("above", "bands"):
            fields[name] = _pairs_text(value)
        elif name == "ranks":
            fields[name] = _ranks_text(value)
        else:
            fields[name] = str(value)
    fields["kind"] = curve.get("kind", "linear")
    fields["whole_steps"] = bool(curve.get("whole_steps"))
    return fields


def curve_from_fields(kind: str, fields: dict) -> dict:
    curve: dict = {"kind": kind}
    for name in KIND_FIELDS.get(kind, ()):
        text = (fields.get(name) or "").strip()
        if not text:
            continue
        if name in ("above", "bands"):
            curve[name] = _parse_pairs(text)
        elif name == "ranks":
            curve[name] = _parse_ranks(text)
        else:
            curve[name] = text
    if kind == "per_point" and fields.get("whole_steps"):
        curve["whole_steps"] = True
    return curve


def editor_rows(config: dict) -> tuple[list[dict], list[dict]]:
    """The editor's rows for a document, with blank rows to add more (a blank 序列 of the last row's
    kind, or of regions)."""
    series = [{"name": s.get("name", ""), "kind": s.get("kind", ""), "red": s.get("red", 0), "black": s.get("black", 0),
               "members": [f"{s.get('kind')}:{m}" for m in s.get("members", [])]} for s in config.get("series", [])]
    blank_kind = series[-1]["kind"] if series else SubjectKind.REGION
    series += [{"name": "", "kind": blank_kind, "red": "", "black": "", "members": []} for _ in range(BLANK_SERIES)]
    indicators = [{"code": i.get("code", ""), "name": i.get("name", ""), "source": i.get("source", "figure"),
                   "figure": i.get("figure", ""), "weight": i.get("weight", ""),
                   "higher_is_better": i.get("higher_is_better", True), **curve_fields(i.get("curve") or {})}
                  for i in config.get("indicators", [])]
    indicators += [{"code": "", "name": "", "source": "figure", "figure": "", "weight": "", "higher_is_better": True,
                    **curve_fields({})} for _ in range(BLANK_INDICATORS)]
    return series, indicators


def _member(value: str, kind: str):
    """A ticked subject of a 序列 of `kind`: region:12 (or a bare 12) → 12; anything else as it came,
    for the document's check to refuse."""
    named, sep, number = value.partition(":")
    if not sep:
        named, number = kind, value
    return int(number) if named == kind and number.isdigit() else value


def kind_changed(data) -> list[str]:
    """The names of the 序列 whose ticked subjects are of another kind than the one now chosen (its kind
    was changed in the form): their subjects must be chosen again."""
    changed = []
    for index in range(_rows(data, "series_rows")):
        kind = data.get(f"s-{index}-kind", "")
        if any(":" in m and m.partition(":")[0] != kind for m in data.getlist(f"s-{index}-members")):
            changed.append(data.get(f"s-{index}-name", "").strip() or str(index + 1))
    return changed


def config_from_post(data) -> dict:
    """The document the editor's rows describe; a row left wholly blank is no row."""
    series = []
    for index in range(_rows(data, "series_rows")):
        prefix = f"s-{index}-"
        name = data.get(prefix + "name", "").strip()
        members = data.getlist(prefix + "members")
        if not name and not members:
            continue
        kind = data.get(prefix + "kind", "")
        series.append({"name": name, "kind": kind, "red": data.get(prefix + "red", "0").strip() or "0",
                       "black": data.get(prefix + "black", "0").strip() or "0",
                       "members": [_member(m, kind) for m in members]})
    indicators = []
    for index in range(_rows(data, "indicator_rows")):
        prefix = f"i-{index}-"
        row = {name: data.get(prefix + name, "") for name in (*CURVE_FIELDS, "code", "name", "source", "figure", "weight", "kind")}
        if not any((row["code"].strip(), row["name"].strip(), row["weight"].strip())):
            continue
        row["whole_steps"] = data.get(prefix + "whole_steps") == "1"
        indicators.append({
            "code": row["code"].strip(), "name": row["name"].strip(), "source": row["source"],
            "figure": row["figure"].strip(), "weight": row["weight"].strip(),
            "higher_is_better": data.get(prefix + "higher_is_better") == "1",
            "curve": curve_from_fields(row["kind"], row),
        })
    boards = {key: data.get(f"board_{key}", "").strip() for key in ("red", "black")}
    document = {"series": series, "indicators": indicators}
    if any(boards.values()):
        document["boards"] = {key: label for key, label in boards.items() if label}
    return document


def rows_from_post(data) -> tuple[list[dict], list[dict]]:
    """The editor's rows as posted (shown again, as typed, when the save is refused or the page lists a
    序列's subjects anew), with a blank 序列 row to add another when the last one is filled."""
    series = []
    for i in range(_rows(data, "series_rows")):
        kind = data.get(f"s-{i}-kind", "")
        members = [m if ":" in m else f"{kind}:{m}" for m in data.getlist(f"s-{i}-members")]
        series.append({"name": data.get(f"s-{i}-name", ""), "kind": kind, "red": data.get(f"s-{i}-red", ""),
                       "black": data.get(f"s-{i}-black", ""), "members": members})
    if not series or series[-1]["name"].strip() or series[-1]["members"]:
        kind = series[-1]["kind"] if series else SubjectKind.REGION
        series.append({"name": "", "kind": kind, "red": "", "black": "", "members": []})
    indicators = []
    for i in range(_rows(data, "indicator_rows")):
        row = {name: data.get(f"i-{i}-{name}", "") for name in (*CURVE_FIELDS, "code", "name", "source", "figure", "weight", "kind")}
        row["whole_steps"] = data.get(f"i-{i}-whole_steps") == "1"
        row["higher_is_better"] = data.get(f"i-{i}-higher_is_better") == "1"
        indicators.append(row)
    return series, indicators
