"""Reading a list's exports back in the tests: the .xlsx through openpyxl (title row, subtitle, header,
rows), the print page and the list page's own table as text, cell by cell."""

import io
import re
from html.parser import HTMLParser
from urllib.parse import quote

import openpyxl

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3  # 1-based, as in Excel; one header row


def workbook(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == XLSX
    return openpyxl.load_workbook(io.BytesIO(response.content))


def values(ws, first_row: int = HEADER_ROW + 1) -> list[list]:
    return [list(row) for row in ws.iter_rows(min_row=first_row, values_only=True)]


def header(ws, row: int = HEADER_ROW) -> list[str]:
    return [cell.value for cell in ws[row]]


def column(ws, name: str, first_row: int = HEADER_ROW + 1, header_row: int = HEADER_ROW) -> list:
    """The values of the column headed `name`, below the header."""
    index = header(ws, header_row).index(name)
    return [row[index] for row in values(ws, first_row)]


def filename_of(response) -> str:
    """The download's real (RFC 5987) file name."""
    found = re.search(r"filename\*=UTF-8''(\S+)", response["Content-Disposition"])
    assert found, response["Content-Disposition"]
    return found.group(1)


def quoted(name: str) -> str:
    return quote(name, safe="")


def text_cells(ws) -> list:
    """Every cell holding text, with its value and type (a formula is type "f")."""
    return [cell for row in ws.iter_rows() for cell in row if isinstance(cell.value, str)]


class _Tables(HTMLParser):
    """The rows of every <table> of a page, as lists of cell texts (whitespace folded), by table id."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.stack: list[str] = []
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.unnamed = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            key = attrs.get("id") or f"table{self.unnamed}"
            self.unnamed += 1
            self.stack.append(key)
            self.tables[key] = []
        elif tag == "tr" and self.stack:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()
        elif tag == "tr" and self.row is not None and self.stack:
            self.tables[self.stack[-1]].append(self.row)
            self.row = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def page_rows(response, table_id: str) -> list[list[str]]:
    """The rows of the page's table `table_id` (header rows included), cell texts."""
    assert response.status_code == 200
    return tables(response.content.decode())[table_id]


def print_rows(response) -> list[list[str]]:
    """The rows of the print page's tables, one after the other (header rows included)."""
    assert response.status_code == 200
    found = tables(response.content.decode())
    return [row for key, rows in found.items() for row in rows]
