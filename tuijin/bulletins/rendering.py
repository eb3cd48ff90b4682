"""A bulletin as a file: .docx from its document and template, the 附件 tables as .xlsx, file names."""

from decimal import Decimal, InvalidOperation

from tuijin.core.sheets import writer

from . import selectors
from .document import Document
from .models import Bulletin


def docx_of(bulletin: Bulletin) -> bytes:
    """The issue as .docx, in Chinese whatever the language of the page that asks."""
    from django.conf import settings
    from django.utils import translation

    from .render_docx import render_docx

    document, _headline = selectors.document_of(bulletin)
    with translation.override(settings.LANGUAGE_CODE):
        return render_docx(document, template=selectors.template_bytes(bulletin))


def annex_tables(document: Document) -> list[writer.Table]:
    """The 附件 tables (and the body's tables after them) as sheets, numbers as the bulletin prints them."""
    tables = []
    for index, table in enumerate(document.annexes, start=1):
        tables.append(_sheet(f"附件{index} {table.title}", table))
    for section in document.sections:
        for block in section.blocks:
            if block.kind == "table":
                tables.append(_sheet(block.title, block))
    return tables


def _number(text: str):
    """A cell printed as a plain number (an amount, a count) goes to the sheet as a number."""
    try:
        return Decimal(text) if text and text[0] in "0123456789-" and text != "-" else text
    except InvalidOperation:
        return text


def _sheet(title: str, table) -> writer.Table:
    numeric = list(table.numeric) + [False] * (len(table.columns) - len(table.numeric))
    columns = [writer.Column(f"c{i}", name, width=max(8, min(40, len(name) * 2 + 2)), wrap=not numeric[i])
               for i, name in enumerate(table.columns)]
    rows = [[_number(cell) if numeric[i] else cell for i, cell in enumerate(row)] for row in table.rows]
    totals = [_number(c) if numeric[i] else c for i, c in enumerate(table.totals)] if table.totals else None
    return writer.Table(columns=columns, rows=rows, title=title, totals=totals, sheet_name=title[:31], paper=writer.A4,
                        landscape=table.landscape or len(columns) > 6)


def annex_workbook(document: Document) -> bytes:
    tables = annex_tables(document)
    return writer.xlsx_bytes(*tables)


def filename(bulletin: Bulletin, extension: str) -> tuple[str, str]:
    """(the Chinese file name, an ASCII fallback)."""
    stem = bulletin.title if not bulletin.number_label else f"{bulletin.title}（{bulletin.number_label}）"
    return f"{stem}.{extension}", f"bulletin-{bulletin.pk}.{extension}"
