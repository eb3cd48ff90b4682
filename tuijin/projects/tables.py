"""Ledger columns: labels, sort keys and alignment, rendered by one lean template.

Kept as plain data rather than django-tables2: the ledger renders 50 rows x 11 columns within its
80 ms budget only if no per-cell template or per-row query is involved (PERFORMANCE.md).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str = ""  # ORM ordering expression; "" means not sortable
    numeric: bool = False


LEDGER_COLUMNS = (
    Column("name", _("项目名称"), "name"),
    Column("region", _("区域"), "region__path"),
    Column("category", _("类别"), "category__sort"),
    Column("level", _("级别"), "level__sort"),
    Column("stage", _("阶段"), "stage__sort"),
    Column("total_investment", _("总投资（万元）"), "total_investment", numeric=True),
    Column("plan_investment", _("年度计划投资（万元）"), "plan_investment", numeric=True),
    Column("period", _("建设年限"), "start_year"),
    Column("lead_unit", _("牵头单位"), "lead_unit__name"),
    Column("leaders", _("联系领导")),
)
SORTS = {c.key: c.sort for c in LEDGER_COLUMNS if c.sort}
DEFAULT_SORT = "-total_investment"


def parse_sort(value: str | None) -> tuple[str, list[str]]:
    """Turn `?sort=-total_investment` into (the key shown in the URL, ORM ordering)."""
    value = value or DEFAULT_SORT
    key = value.lstrip("-")
    if key not in SORTS:
        value, key = DEFAULT_SORT, DEFAULT_SORT.lstrip("-")
    prefix = "-" if value.startswith("-") else ""
    return value, [prefix + SORTS[key]]
