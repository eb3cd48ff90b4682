"""The period overview's two tables, written in Python.

A province dispatcher's overview lists every unit with reports in the period (about 900 at province
scale) and every region (about 200): through the template engine those rows cost more than all of the
page's SQL (docs/benchmarks.md, the reporting bench). These functions write byte for byte what the
`{% for t in overview.by_unit %}` and `{% for t in overview.by_region %}` loops of
reports/period_detail.html wrote (tests/test_bench_reporting.py compares them).
"""

import html

from django.conf import settings
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

WARNING = ' class="table-warning"'

def _text(value, context: Context) -> str:
    """`{{ value }}`: strings escaped, integers as digits unless thousands are grouped, anything else
    (decimals, lazy strings) through the template engine's own rendering."""
    if type(value) is str:
        return html.escape(value)
    if type(value) is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)
    return render_value_in_context(value, context)


def render_unit_rows(overview, *, period, is_office: bool, csrf_token: str) -> SafeString:
    """The by-unit rows: counts, reminders sent, and (for the office, while the period is open) a
    催报 button for every unit with reports missing."""
    context = Context(autoescape=True)
    if not overview.by_unit:
        return mark_safe(f'<tr><td colspan="8" class="text-center text-muted py-3">{gettext("本期没有需要填报的项目。")}</td></tr>')
    can_remind = is_office and period.is_open
    form_head = (
        f'<form method="post" action="{html.escape(reverse("reports:period_remind", args=[period.pk]))}" class="d-inline">'
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{html.escape(str(csrf_token))}">'
        '<input type="hidden" name="unit" value="'
    )
    form_tail = f'"><button class="btn btn-link btn-sm p-0" type="submit">{gettext("催报")}</button></form>'
    reminded = gettext("已催%(n)s次")
    out = []
    for t in overview.by_unit:
        missing = t.missing
        reminders = ""
        if t.reminders:
            when = _text(date_filter(template_localtime(t.last_reminder), "m-d H:i"), context)
            reminders = f'<span class="small text-muted">{reminded % {"n": _text(t.reminders, context)}} {when}</span>'
        name = _text(t.name, context)
        if missing:  # the list of that unit's missing projects, below the tables
            name = f'<a href="?unit={_text("none" if t.key is None else t.key, context)}#missing">{name}</a>'
        remind = ""
        if can_remind and missing:
            remind = f"{form_head}{_text('none' if t.key is None else t.key, context)}{form_tail}"
        out.append(
            f"<tr{WARNING if missing else ''}>\n"
            f'<td>{name}</td><td class="num">{_text(t.required, context)}</td>'
            f'<td class="num">{_text(t.handed_in, context)}</td><td class="num">{_text(t.counts["approved"], context)}</td>\n'
            f'<td class="num">{_text(t.counts["returned"], context)}</td>'
            f'<td class="num{" text-danger fw-bold" if missing else ""}">{_text(missing, context)}</td>'
            f'<td class="num">{_text(t.late, context)}</td>\n'
            f'<td class="text-nowrap">{reminders}\n{remind}</td>\n'
            "</tr>"
        )
    return mark_safe("".join(out))


def render_region_rows(overview) -> SafeString:
    """The by-region rows: counts and the hand-in rate."""
    context = Context(autoescape=True)
    out = []
    for t in overview.by_region:
        missing = t.missing
        rate = t.rate
        shown = "—" if rate is None else f"{_text(rate, context)}%"
        out.append(
            "<tr>\n"
            f'<td>{_text(t.name, context)}</td><td class="num">{_text(t.required, context)}</td>'
            f'<td class="num">{_text(t.handed_in, context)}</td>'
            f'<td class="num{" text-danger" if missing else ""}">{_text(missing, context)}</td>'
            f'<td class="num">{_text(t.late, context)}</td><td class="num">{shown}</td>\n'
            "</tr>"
        )
    return mark_safe("".join(out))
