"""Every list leaves the screen: a list page declares its export once — its name, its filter in words and
one or more tables of columns and rows read through the page's own selector — and gets from it an .xlsx
download (core.sheets.writer: a title row naming the list and its filter, a 合计 row where it has sums,
formula-looking text inert) and a print page (A4, landscape where wide, the header repeated on every
sheet of paper). Knows no domain word: the apps' `exporting.py` modules say what their lists hold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_safe

from tuijin.core.sheets import writer
from tuijin.core.sheets.writer import DATE, DECIMAL, INTEGER, MONEY, RATE, Column

PRINT_LIMIT = 2000  # rows of one table on a print page; the .xlsx has them all
# Sum of the columns' widths (Excel's character units) beyond which a table needs A4 landscape: A4
# portrait's printable width holds about a hundred of them at the print page's font size.
PORTRAIT_WIDTH = 100
PRINT_DATE_WIDTH = 12.5  # a date's column on paper, in the same units


# ---------------------------------------------------------------------------------------- the filter


def list_title(name: str, terms: Sequence[tuple[str, str]]) -> str:
    """"问题清单（区县：高新区；状态：推进中）": the list's name and the filters in force, or the name alone."""
    # The punctuation is the interface language's ("（区县：高新区；状态：推进中）" / " (District: …; Status: …)").
    sep, colon, opening, closing = pgettext("list title", "；"), pgettext("list title", "："), \
        pgettext("list title", "（"), pgettext("list title", "）")
    stated = sep.join(f"{label}{colon}{words}" if label else words for label, words in terms)
    return f"{name}{opening}{stated}{closing}" if stated else name


def filter_terms(filterset, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The filters of a bound django-filter FilterSet in force, as (label, words) in the FilterSet's
    order: what the list's title states. A value the form refused is not in force (the list is shown
    unfiltered by it) and is not stated. A filter is stated by the FilterSet's `describe_<name>(value)`
    when it has one (an id naming a record), else by its choice's label, its record's name, or the value;
    `extra_terms()`, when the FilterSet has it, adds what its fields do not hold."""
    form = filterset.form
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    skipped = set(skip)
    terms = []
    for name, flt in filterset.filters.items():
        value = cleaned.get(name)
        if name in skipped or value in (None, "", [], (), False):
            continue
        describe = getattr(filterset, f"describe_{name}", None)
        words = describe(value) if describe is not None else _words(form.fields.get(name), value)
        if words:
            label = flt.label if flt.label is not None else getattr(form.fields.get(name), "label", name)
            terms.append((str(label or ""), str(words)))
    extra = getattr(filterset, "extra_terms", None)
    if extra is not None:
        terms.extend(extra())
    return terms


def _words(form_field, value) -> str:
    if isinstance(form_field, forms.ModelChoiceField):
        return str(value)
    if isinstance(form_field, forms.ChoiceField):
        return str(dict((str(k), v) for k, v in form_field.choices).get(str(value), value))
    if value is True:
        return _("是")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# ---------------------------------------------------------------------------------------- the tables


@dataclass
class Section:
    """One table of an export: a sheet of the workbook and a table of the print page. `rows` hold one
    value per column (str, Decimal, int, date or None); `totals` is the 合计 row under the header, its
    first `totals_label_span` cells one label; `unit` counts the rows in the subtitle (共12件)."""

    columns: Sequence[Column]
    rows: list[Sequence]
    heading: str = ""  # the sheet's name and, when an export has several tables, the table's heading
    totals: Sequence | None = None
    totals_label_span: int = 1
    freeze_columns: int = 0
    unit: str | None = "条"  # None: the note counts what the rows hold
    note: str = ""  # one more line in the subtitle (what is counted, what is left out)
    terms: Sequence[tuple[str, str]] | None = None  # a filter only this table has (None: the export's)

    @property
    def wide(self) -> bool:
        return sum(column.width for column in self.columns) > PORTRAIT_WIDTH


def totals_row(columns: Sequence[Column], rows: Sequence[Sequence], keys: Iterable[str], label: str) -> list:
    """A 合计 row: `label` in the first cell and the exact sum of each column of `keys` over `rows` (the
    very rows written, so the 合计 always equals them); None where a column has no value at all."""
    row: list = [None] * len(columns)
    row[0] = label
    index = {column.key: i for i, column in enumerate(columns)}
    for key in keys:
        i = index[key]
        found = [r[i] for r in rows if r[i] is not None]
        row[i] = sum(found, Decimal("0.00") if columns[i].kind in (MONEY, DECIMAL) else 0) if found else None
    return row


@dataclass
class ListExport:
    """A list as it leaves the screen: `name` (问题清单) and `terms` (its filter in words) make the title;
    `stated` says what the figures are (单位：万元；截至…), `slug` names the file for old clients."""

    name: str
    sections: Sequence[Section]
    terms: Sequence[tuple[str, str]] = ()
    stated: str = ""
    slug: str = "list"
    now: datetime = field(default_factory=timezone.now)
    chart: object = None  # what a print page of its own draws instead of the tables (the Gantt's wall chart)

    @property
    def title(self) -> str:
        return list_title(self.name, self.terms)

    @property
    def landscape(self) -> bool:
        return any(section.wide for section in self.sections)

    @property
    def filename(self) -> str:
        return f"{self.name}_{timezone.localtime(self.now):%Y%m%d}"

    def section_title(self, section: Section) -> str:
        terms = self.terms if section.terms is None else section.terms
        if len(self.sections) > 1 and section.heading:
            return list_title(f"{self.name}·{section.heading}", terms)
        return list_title(self.name, terms)

    def subtitle(self, section: Section, *, printed: bool = False) -> str:
        count = _("共%(n)s%(unit)s") % {"n": len(section.rows), "unit": section.unit} if section.unit is not None else ""
        at = f"{timezone.localtime(self.now):%Y-%m-%d %H:%M}"
        parts = [self.stated, section.note, count,
                 _("打印时间：%(at)s") % {"at": at} if printed else _("导出时间：%(at)s") % {"at": at}]
        return "　".join(part for part in parts if part)

    def rows(self) -> int:
        return sum(len(section.rows) for section in self.sections)

    def audited(self, request, format: str) -> None:
        """Tell the audit trail (core.signals.exported) what left the screen: the list, its filter, rows."""
        from tuijin.core.signals import send_export

        send_export(request, what=self.name, filter=self.title, rows=self.rows(), format=format,
                    filename=f"{self.filename}.xlsx" if format == "xlsx" else "")

    def tables(self) -> list[writer.Table]:
        return [
            writer.Table(
                columns=section.columns, rows=section.rows, title=self.section_title(section),
                subtitle=self.subtitle(section), totals=section.totals, totals_label_span=section.totals_label_span,
                sheet_name=section.heading or self.name, freeze_columns=section.freeze_columns,
                paper=writer.A4, landscape=section.wide,
            )
            for section in self.sections
        ]


# ------------------------------------------------------------------------------------- the responses


def xlsx_response(export: ListExport) -> HttpResponse:
    response = HttpResponse(writer.xlsx_bytes(*export.tables()), content_type=writer.XLSX_CONTENT_TYPE)
    stamp = f"{timezone.localtime(export.now):%Y%m%d}"
    response["Content-Disposition"] = writer.attachment_header(f"{export.filename}.xlsx",
                                                               fallback=f"{export.slug}_{stamp}.xlsx")
    return response


def print_cell(value, kind: str) -> str:
    """A value as the print page shows it: money and quantities with two places and separators, rates
    with one, dates as 年-月-日, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, (int, float, Decimal)):
        if kind in (MONEY, DECIMAL):
            return f"{Decimal(value):,.2f}"
        if kind == RATE:
            return f"{Decimal(value):.1f}"
        return str(value)
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return writer.clean_text(str(value))


NUMERIC = (MONEY, DECIMAL, INTEGER, RATE)


def cell_class(kind: str) -> str:
    """A printed cell's class: numbers right-aligned, numbers and dates never broken across lines."""
    return "num" if kind in NUMERIC else "date" if kind == DATE else ""


@dataclass
class PrintTable:
    """A section as the print page's template reads it: header rows, cells as text with their class."""

    title: str
    subtitle: str
    widths: list[float]  # percent of the table's width per column
    header_rows: list[list[tuple[str, int, int, str]]]  # (text, colspan, rowspan, class)
    totals: list[tuple[str, str, int]] | None  # (text, class, colspan)
    rows: list[list[tuple[str, str]]]  # (text, class)
    left_out: int  # rows beyond PRINT_LIMIT


def header_rows(columns: Sequence[Column]) -> list[list[tuple[str, int, int, str]]]:
    """The header as the sheet writes it: one row, or two when some columns have a group header (merged
    over the consecutive columns that share it; a column without one spans both rows)."""
    classes = ["num" if c.kind in NUMERIC else "" for c in columns]
    if not any(c.group for c in columns):
        return [[(c.header, 1, 1, k) for c, k in zip(columns, classes, strict=True)]]
    upper: list[tuple[str, int, int, str]] = []
    lower: list[tuple[str, int, int, str]] = []
    previous = None
    for column, k in zip(columns, classes, strict=True):
        if not column.group:
            upper.append((column.header, 1, 2, k))
        elif previous is not None and previous.group == column.group:
            text, span, rows, _class = upper[-1]
            upper[-1] = (text, span + 1, rows, "")
        else:
            upper.append((column.group, 1, 1, ""))
        if column.group:
            lower.append((column.header, 1, 1, k))
        previous = column
    return [upper, lower]


def print_widths(columns: Sequence[Column]) -> list[float]:
    """Each column's share of the printed table's width (percent), from its width in the sheet; a date
    column gets at least what 年-月-日 needs on one line."""
    widths = [max(c.width, PRINT_DATE_WIDTH) if c.kind == DATE else c.width for c in columns]
    total = sum(widths) or 1
    return [round(w * 100 / total, 2) for w in widths]


def print_tables(export: ListExport) -> list[PrintTable]:
    tables = []
    for section in export.sections:
        columns = list(section.columns)
        kinds = [c.kind for c in columns]
        classes = [cell_class(k) for k in kinds]
        totals = None
        if section.totals is not None:
            span = max(1, min(section.totals_label_span, len(columns)))
            totals = [(print_cell(section.totals[0], kinds[0]), "", span)]
            totals += [(print_cell(v, k), c, 1)
                       for v, k, c in zip(section.totals[span:], kinds[span:], classes[span:], strict=True)]
        shown = section.rows[:PRINT_LIMIT]
        rows = [[(print_cell(v, k), c) for v, k, c in zip(row, kinds, classes, strict=True)] for row in shown]
        tables.append(PrintTable(
            title=export.section_title(section) if len(export.sections) > 1 else "",
            subtitle=export.subtitle(section, printed=True), widths=print_widths(columns),
            header_rows=header_rows(columns), totals=totals, rows=rows, left_out=len(section.rows) - len(shown),
        ))
    return tables


def print_response(request, export: ListExport, *, back: str = "", template: str = "list_print.html",
                   **context) -> HttpResponse:
    return render(request, template, {
        "export": export, "title": export.title, "landscape": export.landscape, "tables": print_tables(export),
        "back": back, "print_limit": PRINT_LIMIT, **context,
    })


# ----------------------------------------------------------------------------------------- the URLs


def export_urls(route: str, build: Callable[..., ListExport], name: str, *, page: str,
                printed: Callable | None = None) -> list:
    """The two URLs of a list page's export: `<route>export.xlsx` (`<name>_xlsx`) and `<route>print/`
    (`<name>_print`). `build(request, *args, **kwargs)` returns the ListExport of the page's current
    filter (its GET parameters) through the page's own selector; `page` is the list page's URL name (the
    print page's 返回 leads back to it with the same filter). `printed(request, export, back=…)` draws
    a print page of its own (the Gantt chart's wall chart) instead of the tables."""

    def back_to(request, args, kwargs) -> str:
        query = request.GET.copy()
        query.pop("page", None)
        encoded = query.urlencode()
        return reverse(page, args=args, kwargs=kwargs) + (f"?{encoded}" if encoded else "")

    @login_required
    @require_safe
    def xlsx_view(request, *args, **kwargs):
        export = build(request, *args, **kwargs)
        response = xlsx_response(export)
        export.audited(request, "xlsx")
        return response

    @login_required
    @require_safe
    def print_view(request, *args, **kwargs):
        export = build(request, *args, **kwargs)
        draw = printed or print_response
        response = draw(request, export, back=back_to(request, args, kwargs))
        export.audited(request, "print")
        return response

    return [
        path(f"{route}export.xlsx", xlsx_view, name=f"{name}_xlsx"),
        path(f"{route}print/", print_view, name=f"{name}_print"),
    ]
