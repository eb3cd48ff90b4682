"""What an import found: the issues (where in the sheet), the rows and the analysis as a whole,
with the ledger fields every project needs. Each step of the import reads and fills these."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from tuijin.projects.models import Project

from ..choices import LedgerField, RowKind
from ..mapping import ColumnMap

F = LedgerField
ZERO = Decimal("0.00")
# Fields every project needs; the preview offers a default for each the sheet does not give.
REQUIRED = (F.REGION, F.LEVEL, F.CATEGORY, F.NATURE, F.STAGE)
DEFAULTABLE = REQUIRED
MAX_SHOWN_ERRORS = 500


@dataclass
class Issue:
    """An error or a warning, where the user will find it in the spreadsheet."""

    sheet: str
    row: int | None  # 1-based as the spreadsheet shows it; None for the whole file
    column: str  # the column's header (with its letter in `letter`)
    message: str
    letter: str = ""

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        where = [self.sheet]
        if self.row:
            where.append(_("第%(row)s行") % {"row": self.row})
        if self.column:
            where.append(f"{self.letter}列“{self.column}”" if self.letter else f"“{self.column}”")
        return "，".join(where) + "：" + self.message


@dataclass
class Row:
    number: int  # 1-based spreadsheet row
    kind: str
    label: str = ""
    values: dict = field(default_factory=dict)  # field → parsed value
    markers: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    context: dict = field(default_factory=dict)  # field → value from the group rows above
    project: Project | None = None  # existing project this row updates
    action: str = ""  # "create" | "update" for project rows
    built: tuple | None = None  # (Project, AnnualPlan | None) as they will be saved, once valid

    @property
    def valid(self) -> bool:
        return not self.errors

    def get_kind_display(self) -> str:
        return RowKind(self.kind).label


@dataclass
class Analysis:
    filename: str
    sheet: str
    sheet_names: list
    year: int
    title: str = ""
    sheet_reason: str = ""  # which sheet was read and why (shown in the preview and the CLI)
    region_from_address: bool = False  # no region column: 建设地点 gives the region
    header_rows: tuple = ()
    columns: list = field(default_factory=list)  # ColumnMap
    saved_mapping: bool = False
    units: dict = field(default_factory=dict)  # column index → unit
    sheet_unit: str | None = None
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # file-level Issues
    warnings: list = field(default_factory=list)
    reconciliation: list = field(default_factory=list)
    defaults: dict = field(default_factory=dict)  # field → object chosen for rows that lack it
    inferred: dict = field(default_factory=dict)  # field → how it was inferred (shown in the preview)
    missing: list = field(default_factory=list)  # required fields with no column and no default
    rows_read: int = 0
    user: object = None  # the importing user; None for the system (CLI without --user)
    editable_paths: list | None = None  # region paths the user may import into; None: all
    timings: dict = field(default_factory=dict)  # seconds per phase (the bench reports them)
    _by_field: tuple | None = field(default=None, repr=False)
    dicts: object = field(default=None, repr=False)  # the Dictionaries the rows were matched with
    editable_regions: dict = field(default_factory=dict, repr=False)  # region id → may import into it

    needs: dict = field(default_factory=dict)  # what the user must confirm before writing: kind → message
    confirmed: set = field(default_factory=set)  # the kinds of `needs` the user has confirmed
    new_units: list = field(default_factory=list)  # names of the units the import would create
    new_leaders: list = field(default_factory=list)  # names of the leaders it would create

    @property
    def unconfirmed(self) -> list[str]:
        return [kind for kind in self.needs if kind not in self.confirmed]

    @property
    def project_rows(self) -> list[Row]:
        return [row for row in self.rows if row.kind == RowKind.PROJECT]

    @property
    def all_errors(self) -> list[Issue]:
        return self.errors + [issue for row in self.rows for issue in row.errors]

    @property
    def all_warnings(self) -> list[Issue]:
        return self.warnings + [issue for row in self.rows for issue in row.warnings]

    @property
    def valid(self) -> bool:
        return not self.errors and all(row.valid for row in self.project_rows)

    def column(self, name: str) -> ColumnMap | None:
        if self._by_field is None or self._by_field[0] is not self.columns or self._by_field[1] != len(self.columns):
            by_field = {}
            for column in self.columns:
                by_field.setdefault(column.field, column)
            self._by_field = (self.columns, len(self.columns), by_field)
        return self._by_field[2].get(name)

    def totals(self, rows=None) -> dict[str, Decimal]:
        rows = self.project_rows if rows is None else rows
        return {
            "total_investment": sum((r.values.get(F.TOTAL_INVESTMENT) or ZERO for r in rows), ZERO),
            "annual_plan": sum((r.values.get(F.PLAN_INVESTMENT) or ZERO for r in rows), ZERO),
        }

    def counts(self) -> dict[str, int]:
        rows = self.project_rows
        return {
            "projects": len(rows),
            "create": sum(1 for r in rows if r.valid and r.action == "create"),
            "update": sum(1 for r in rows if r.valid and r.action == "update"),
            "invalid": sum(1 for r in rows if not r.valid),
        }

    def skipped_rows(self) -> list[dict]:
        return [{"row": r.number, "kind": r.kind} for r in self.rows if r.kind != RowKind.PROJECT]


class ImportError_(Exception):
    """The file cannot be imported at all (no header found, sheet missing): a Chinese message."""


def _present(analysis: Analysis) -> set:
    fields = {c.field for c in analysis.columns}
    if F.REGION_CODE in fields:
        fields.add(F.REGION)
    return fields
