"""Ledger columns: labels, sort keys and alignment, rendered by one lean template.

Kept as plain data rather than django-tables2: the ledger renders 50 rows x 11 columns within its
80 ms budget only if no per-cell template or per-row query is involved (docs/benchmarks.md). The rows
themselves are written by `render_rows` below: through the template engine 50 rows cost about as
much as all of the page's SQL.
"""

import html
from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.base import render_value_in_context
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tuijin.core.templatetags.tuijin import money

from .choices import Admission, Light


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort: str = ""  # ORM ordering expression; "" means not sortable
    numeric: bool = False


LEDGER_COLUMNS = (
    Column("light", _("预警"), "light"),
    Column("name", _("项目名称"), "name"),
    Column("region", _("区域"), "region__path"),
    Column("category", _("类别"), "category__sort"),
    Column("level", _("级别"), "level__sort"),
    Column("stage", _("阶段"), "stage__sort"),
    Column("total_investment", _("总投资（万元）"), "total_investment", numeric=True),
    Column("plan_investment", _("年度计划投资（万元）"), "plan_investment", numeric=True),
    Column("completed_ytd", _("本年累计完成（万元）"), numeric=True),
    Column("completion_rate", _("完成率"), numeric=True),
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


def _text(value, context: Context) -> str:
    """`{{ value }}`: strings escaped, integers as digits unless thousands are grouped, anything else
    (lazy strings, dates, decimals) through the template engine's own rendering."""
    if type(value) is str:
        return html.escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return render_value_in_context(value, context)


_URL_PK = 918273645  # a stand-in id, split on to build every row's link from one reverse()


def render_rows(rows, start_index: int) -> SafeString:
    """The ledger's body rows, byte for byte what a `{% for p in rows %}` loop in the template wrote.

    `rows` are `selectors.LedgerRow`s from `selectors.ledger_page` (the related objects' names,
    `plan_investment` and `leader_names`) with `completed` and `completion_rate` from
    `selectors.ledger_completion`; `start_index` is the page's first row number.
    """
    context = Context(autoescape=True)
    if not rows:
        empty = html.escape(gettext("没有符合条件的项目。请调整筛选条件，或点击“重置”。"))
        return mark_safe(f'<tr><td colspan="14" class="text-center text-muted py-4">{empty}</td></tr>')
    archived = html.escape(gettext("已归档"))
    paused = html.escape(gettext("暂停"))
    level_change = html.escape(gettext("级别调整申报中"))
    lights = {value: html.escape(str(label)) for value, label in Light.choices}
    # 申报中 / 已退回: listed, but outside the ledger's figures, so no light either.
    admissions = {value: html.escape(str(label)) for value, label in Admission.choices}
    # One reverse() for the page; a project's link differs only in its id.
    url_head, url_tail = html.escape(reverse("projects:detail", args=[_URL_PK])).split(str(_URL_PK))
    out = []
    for number, p in enumerate(rows, start=start_index):
        url = f"{url_head}{p.pk}{url_tail}"
        why = f"{lights[p.light]}：{html.escape(p.light_reason)}" if p.light_reason else lights[p.light]
        light = f'<span class="light-dot light-{p.light}" role="img" aria-label="{why}" title="{why}"></span>'
        badge = f' <span class="badge text-bg-secondary">{archived}</span>' if p.is_archived else ""
        if p.admission != Admission.ADMITTED:
            light = ""
            badge += f' <span class="badge text-bg-info admission-{p.admission}">{admissions[p.admission]}</span>'
        if p.requested_level_id:
            badge += f' <span class="badge text-bg-warning">{level_change}</span>'
        code = f'<div class="small text-muted">{_text(p.code, context)}</div>' if p.code else ""
        pause = f' <span class="badge text-bg-warning">{paused}</span>' if p.is_paused else ""
        period = f"{_text(p.start_year, context)}–{_text(p.end_year or '', context)}" if p.start_year else ""
        lead = _text(p.lead_unit.name or "", context) if p.lead_unit_id else ""
        leaders = "、".join(_text(name, context) for name in p.leader_names)
        muted = ' class="text-muted"' if p.is_archived else ""
        out.append(
            f"<tr{muted}>\n"
            f"<td>{_text(number, context)}</td>\n"
            f'<td class="text-center">{light}</td>\n'
            f'<td><a href="{url}">{_text(p.name, context)}</a>{badge}{code}</td>\n'
            f"<td>{_text(p.region.name, context)}</td>\n"
            f"<td>{_text(p.category.name, context)}</td>\n"
            f"<td>{_text(p.level.name, context)}</td>\n"
            f"<td>{_text(p.stage.name, context)}{pause}</td>\n"
            f'<td class="num">{_text(money(p.total_investment), context)}</td>\n'
            f'<td class="num">{_text(money(p.plan_investment), context)}</td>\n'
            f'<td class="num">{_text(money(done) if (done := getattr(p, "completed", None)) is not None else "—", context)}</td>\n'
            f'<td class="num">{_text(f"{rate}%" if (rate := getattr(p, "completion_rate", None)) is not None else "—", context)}</td>\n'
            f"<td>{period}</td>\n"
            f"<td>{lead}</td>\n"
            f"<td>{leaders}</td>\n"
            "</tr>"
        )
    return mark_safe("".join(out))
