"""What a read spreadsheet is (``Workbook`` of ``Sheet``), the ``SheetReadError`` every reader raises with
its Chinese messages, and the limits each sheet is checked against. Shared by the format modules."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MB = 1024 * 1024

Cell = tuple[int, int]
MergedRange = tuple[Cell, Cell]


class SheetReadError(Exception):
    """The file cannot be read as a spreadsheet; ``message`` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """One worksheet: rows of cell values from (0, 0), as the file lays them out.

    Values are str, int, float, bool, datetime.date, datetime.datetime, or '' / None when empty;
    rows from spreadsheets are all as wide as the widest. ``merged`` holds 0-based inclusive
    ((row, col), (row, col)) ranges, clipped to the rows present; the value sits in the first cell
    only. ``uncalculated`` lists cells that hold a formula without a cached result, or whose result
    is an error such as #DIV/0!; they read as ''.
    """

    name: str
    rows: list[list[object]]
    merged: list[MergedRange] = field(default_factory=list)
    visible: bool = True
    uncalculated: list[Cell] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


@dataclass
class Workbook:
    """The sheets of one file; ``epoch_1904`` tells how plain serial-number dates count."""

    sheets: list[Sheet]
    format: str
    epoch_1904: bool = False

    def sheet(self, name: str) -> Sheet:
        for sheet in self.sheets:
            if sheet.name == name:
                return sheet
        raise KeyError(name)


def _mb(limit: int) -> str:
    return f"{limit / MB:g}"


def _corrupt() -> SheetReadError:
    return SheetReadError(_("文件已损坏，无法读取；请在 Excel/WPS 中打开并另存为 .xlsx 后重新上传"))


def _encrypted() -> SheetReadError:
    return SheetReadError(_("文件已加密，请在 Excel/WPS 中取消密码后重新上传"))


def _not_spreadsheet() -> SheetReadError:
    return SheetReadError(_("不是电子表格文件（.xlsx/.xls/.ods/.csv）"))


def _no_data() -> SheetReadError:
    return SheetReadError(_("文件中没有数据"))


def _unsafe_xml() -> SheetReadError:
    return SheetReadError(_("文件包含不安全的 XML 内容（实体声明），已拒绝"))


def _too_many_rows(sheet: str | None, limit: int) -> SheetReadError:
    if sheet is None:
        return SheetReadError(_("表格超过 %(limit)s 行上限，请拆分后分批上传") % {"limit": limit})
    return SheetReadError(
        _("工作表“%(sheet)s”超过 %(limit)s 行上限，请拆分后分批上传") % {"sheet": sheet, "limit": limit}
    )


def _too_many_cols(sheet: str | None, limit: int) -> SheetReadError:
    if sheet is None:
        return SheetReadError(_("表格超过 %(limit)s 列上限，请删除多余的列后重新上传") % {"limit": limit})
    return SheetReadError(
        _("工作表“%(sheet)s”超过 %(limit)s 列上限，请删除多余的列后重新上传")
        % {"sheet": sheet, "limit": limit}
    )


def _too_many_cells(sheet: str | None, limit: int) -> SheetReadError:
    return SheetReadError(
        _("文件过大：工作表“%(sheet)s”的行数 × 列数超过 %(limit)s 个单元格上限，请删除多余的行列或拆分后分批上传")
        % {"sheet": sheet or "", "limit": limit}
    )


@dataclass
class _Limits:
    max_rows: int
    max_cols: int
    max_cells: int | None = None

    def check(self, name: str | None, rows: int, cols: int) -> None:
        if rows > self.max_rows:
            raise _too_many_rows(name, self.max_rows)
        if cols > self.max_cols:
            raise _too_many_cols(name, self.max_cols)
        if self.max_cells is not None and rows * cols > self.max_cells:
            raise _too_many_cells(name, self.max_cells)

    def over(self, rows: int, cols: int) -> bool:
        """Already beyond a limit: scanning can stop, the sheet will be refused."""
        return rows > self.max_rows or cols > self.max_cols or (
            self.max_cells is not None and rows * cols > self.max_cells
        )



def _has_value(rows: list[list[object]]) -> bool:
    return any(value not in ("", None) for row in rows for value in row)



@dataclass
class _SheetScan:
    rows: int = 0
    cols: int = 0
    uncalculated: list[Cell] = field(default_factory=list)
    merged: list[MergedRange] | None = None
