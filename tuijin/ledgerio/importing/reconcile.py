"""Reconciliation: the 合计 row against the sum of the project rows, and what the user must confirm
before the file is written (a total that disagrees, new units and leaders)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..choices import MONEY_FIELDS, RowKind
from .analysis import ZERO, Analysis, F
from .matching import _LeaderMaker, _UnitMaker


def _reconcile(analysis: Analysis) -> None:
    """The 合计 row against the sum of the project rows, for each money column and the count."""
    total_row = next((r for r in analysis.rows if r.kind == RowKind.TOTAL), None)
    if total_row is None:
        return
    projects = analysis.project_rows
    for column in analysis.columns:
        if column.field not in MONEY_FIELDS or column.field == F.MONTHLY_PLAN:
            continue
        stated = total_row.values.get(column.field)
        if stated is None:
            continue
        summed = sum((r.values.get(column.field) or ZERO for r in projects), ZERO)
        analysis.reconciliation.append({
            "column": column.label, "letter": column.letter, "row": total_row.number,
            "stated": stated, "sum": summed, "difference": summed - stated, "ok": summed == stated,
        })
    match = re.search(r"(\d+)\s*(?:项|个)", total_row.label)
    if match:
        stated_count = int(match.group(1))
        analysis.reconciliation.append({
            "column": _("项目个数"), "letter": "", "row": total_row.number, "stated": stated_count,
            "sum": len(projects), "difference": len(projects) - stated_count, "ok": stated_count == len(projects),
        })


TOTAL_MISMATCH, CREATE_NEW = "total_mismatch", "create_new"
SHOWN_NAMES = 20


def _names(names: list[str]) -> str:
    shown = "、".join(names[:SHOWN_NAMES])
    return shown + (_("等%(n)s个") % {"n": len(names)} if len(names) > SHOWN_NAMES else "")


def _needs(analysis: Analysis, *, accept_total_mismatch: bool, create_new: bool) -> None:
    """What the user must confirm before the file is written: a 合计 row that disagrees with the rows
    read, and new units and leaders (never created unseen)."""
    differing = [item for item in analysis.reconciliation if not item["ok"]]
    if differing:
        # "比合计行少 500.00", not "相差 -500.00": a signed difference leaves the reader to guess its direction.
        parts = [(_("%(column)s：合计行 %(stated)s，逐项相加 %(sum)s，比合计行多 %(gap)s") if item["difference"] > 0
                  else _("%(column)s：合计行 %(stated)s，逐项相加 %(sum)s，比合计行少 %(gap)s"))
                 % {**{k: item[k] for k in ("column", "stated", "sum")}, "gap": abs(item["difference"])}
                 for item in differing]
        analysis.needs[TOTAL_MISMATCH] = _("合计行（第%(row)s行）与读到的项目行不一致：%(parts)s。请核对是否漏读或多读了行；确认差异无误后才能导入") % {
            "row": differing[0]["row"], "parts": "；".join(parts)}
        if accept_total_mismatch:
            analysis.confirmed.add(TOTAL_MISMATCH)
    if analysis.errors or analysis.dicts is None:
        return
    units = _UnitMaker(analysis.dicts, None)
    leaders = _LeaderMaker(analysis.dicts, None)
    region_by_id = analysis.dicts.region_by_id
    for row in analysis.project_rows:
        if row.built is None:
            continue
        values = row.values
        region = region_by_id[row.built[0].region_id]
        for name, kind in ((values.get(F.OWNER), "owner"), (values.get(F.LEAD_UNIT), "department")):
            if name:
                units.get(name, region, kind)
        for name in values.get(F.RESPONSIBLE_UNITS, ()):
            units.get(name, region, "department")
        for name, title, _role in values.get(F.LEADERS, ()):
            leaders.get(name, title)
    analysis.new_units = list(dict.fromkeys(p.obj["name"] for p in units.new.values()))
    analysis.new_leaders = list(dict.fromkeys(p.obj["name"] for p in leaders.new.values()))
    if analysis.new_units or analysis.new_leaders:
        parts = []
        if analysis.new_units:
            parts.append(_("新建单位%(n)s个：%(names)s") % {"n": len(analysis.new_units), "names": _names(analysis.new_units)})
        if analysis.new_leaders:
            parts.append(_("新建联系领导%(n)s人：%(names)s") % {"n": len(analysis.new_leaders),
                                                          "names": _names(analysis.new_leaders)})
        analysis.needs[CREATE_NEW] = _("系统中没有以下单位或领导，导入时将新建：%(parts)s。请核对名称（可能是已有单位的另一种写法）；确认后才能导入") % {
            "parts": "；".join(parts)}
        if create_new:
            analysis.confirmed.add(CREATE_NEW)


class NeedsConfirmation(ValidationError):
    """The file is valid but the user has not confirmed what Analysis.needs lists; nothing was written."""


def reconciliation_json(analysis: Analysis) -> list[dict]:
    return [{**item, **{k: str(item[k]) for k in ("stated", "sum", "difference")}} for item in analysis.reconciliation]
