"""A month's reports from a unit's spreadsheet (e.g. 南平 "重点项目月报表"), with the ledger's sheet
machinery (tuijin.core.sheets): safe reading, header detection over merged rows, total / group /
footnote rows, units in headers. Rows are matched to the period's reports by 项目代码 or name within
what the user may fill; the amounts are this period's (本月完成), or derived from a year-to-date
column ("1-3月实际完成投资") minus what earlier periods reported. Saving goes through
services.reports_save: the same rules as the grid, all rows or none.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.sheets import rows as sheet_rows
from tuijin.core.sheets.headers import find_header
from tuijin.core.sheets.isolated import read_isolated
from tuijin.core.sheets.values import (
    BLANKS,
    UNITS,
    normalize_label,
    normalize_text,
    parse_amount,
    strip_markers,
    unit_in,
)

from . import selectors, services
from .choices import EDITABLE_STATES, WorkStatus
from .models import ProgressReport, ReportPeriod

# field → (label pattern, labels that must not match). Labels are header paths ("组/列").
FIELD_RULES = {
    "serial": (re.compile(r"^序号$"), None),
    "code": (re.compile(r"项目代码|项目编码|统一代码"), None),
    "name": (re.compile(r"项目名称"), None),
    "amount": (re.compile(r"(?:本月|当月|本期|本旬|本半月)(?:实际)?完成(?:投资)?"), re.compile(r"计划|占")),
    "ytd": (re.compile(r"(?:1|一)\s*[-－～~—至到]\s*(?:\d+|[一二三四五六七八九十]+)?\s*月.*完成(?:投资)?|本年(?:累计)?完成|年初至今|今年累计完成"),
            re.compile(r"计划|占|上一?年|开工至")),
    "progress": (re.compile(r"形象进度"), re.compile(r"目标|计划")),
    "problems": (re.compile(r"存在(?:的)?问题|问题及困难|困难和问题|困难问题"), None),
    "next_steps": (re.compile(r"下[一]?步|需协调|协调事项"), None),
    "workers_planned": (re.compile(r"应出勤"), None),
    "workers_on_site": (re.compile(r"(?:现场|实际|在岗).*人数|施工人数"), re.compile(r"应出勤")),
    "work_status": (re.compile(r"开复工|开工情况|是否开工"), None),
}
LABELS = {
    "serial": "序号", "code": "项目代码", "name": "项目名称", "amount": "本期完成投资", "ytd": "本年累计完成投资",
    "progress": "形象进度", "problems": "存在问题及困难", "next_steps": "下步计划及需协调事项",
    "workers_planned": "应出勤施工人数", "workers_on_site": "现场施工人数", "work_status": "开复工情况",
}
WORK_STATUS_WORDS = {str(label): value for value, label in WorkStatus.choices} | {
    "在建": WorkStatus.STARTED, "开工": WorkStatus.STARTED, "是": WorkStatus.STARTED, "复工": WorkStatus.RESUMED,
    "否": WorkStatus.NOT_STARTED, "未开": WorkStatus.NOT_STARTED, "停工": WorkStatus.STOPPED, "竣工": WorkStatus.COMPLETED,
}


def _field_of(label: str) -> str | None:
    for name, (pattern, exclude) in FIELD_RULES.items():
        if pattern.search(label) and not (exclude and exclude.search(label)):
            return name
    return None


def _key(text) -> str:
    return re.sub(r"\s+", "", normalize_text(text or "")).lower()


@dataclass
class Issue:
    row: int | None
    column: str
    message: str

    def as_dict(self, sheet: str) -> dict:
        return {"sheet": sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportRow:
    row: int  # as numbered in the spreadsheet (1-based)
    name: str
    report: ProgressReport | None = None
    values: dict = field(default_factory=dict)


@dataclass
class ReportImport:
    period: ReportPeriod
    sheet: str = ""
    columns: dict = field(default_factory=dict)  # field → header label
    rows: list[ImportRow] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)  # {row, kind}
    issues: list[Issue] = field(default_factory=list)
    saved: int = 0

    @property
    def column_labels(self) -> list[tuple[str, str]]:
        """(what Tuijin reads, the sheet's header) for the preview."""
        return [(LABELS[k], v) for k, v in self.columns.items()]

    @property
    def valid(self) -> bool:
        return not self.issues

    def as_dict(self) -> dict:
        total = sum((Decimal(r.values["amount"]) for r in self.rows if r.values.get("amount")), Decimal("0.00"))
        return {
            "period": self.period.label, "sheet": self.sheet,
            "columns": {LABELS[k]: v for k, v in self.columns.items()},
            "reports": len(self.rows), "saved": self.saved, "amount_total": f"{total:.2f}",
            "skipped_rows": self.skipped, "errors": [i.as_dict(self.sheet) for i in self.issues],
        }


def analyze(user, period: ReportPeriod, content, filename: str, *, sheet: str | None = None,
            submit: bool = False) -> ReportImport:
    """Read and check a file; nothing is written. Raises SheetReadError for an unreadable file."""
    from django.conf import settings

    result = ReportImport(period=period)
    book = read_isolated(content, filename, max_bytes=settings.TUIJIN_IMPORT_MAX_BYTES,
                         max_rows=settings.TUIJIN_IMPORT_MAX_ROWS, sheet=sheet)
    found = None
    for candidate in book.sheets:
        header = find_header(candidate, lambda label: _field_of(normalize_label(label)) is not None)
        if header is None:
            continue
        columns = {}
        for column in header.columns:
            name = _field_of(normalize_label(column.label))
            if name and name not in columns:
                columns[name] = column
        if "name" in columns or "code" in columns:
            found = (candidate, header, columns)
            break
    if found is None:
        result.issues.append(Issue(None, "", _("没有找到含“项目名称”或“项目代码”列的表头，请确认这是调度月报表")))
        return result
    sheet_obj, header, columns = found
    result.sheet = sheet_obj.name
    result.columns = {name: column.label for name, column in columns.items()}
    if "amount" not in columns and "ytd" not in columns:
        result.issues.append(Issue(None, "", _("表中没有“本月完成投资”或“1-N月累计完成投资”列，无法导入完成投资")))
        return result
    _read_rows(user, period, result, sheet_obj, header, columns)
    if result.rows:  # the save rules on the rows that matched, so one check finds every error
        _check(user, period, result, submit)
    return result


def _check(user, period: ReportPeriod, result: ReportImport, submit: bool) -> None:
    """The grid's rules on the matched rows, without writing: so 只检查 / --dry-run find every error."""
    rows = [{"id": r.report.pk, "version": r.report.version, **r.values} for r in result.rows]
    _checked, problems = services.check_rows(user, period, rows, submit_ids={r["id"] for r in rows} if submit else set())
    _issues_from(result, problems)


def _issues_from(result: ReportImport, problems) -> None:
    by_report = {r.report.pk: r for r in result.rows}
    for pk, errors in problems.errors.items():
        for field_name, messages in errors.items():
            for message in messages:
                result.issues.append(Issue(by_report[pk].row, LABELS.get(field_name, ""), message))
    for pk in problems.conflicts:
        result.issues.append(Issue(by_report[pk].row, LABELS["name"], _("该项目的填报刚被他人修改，请重新导入")))


def _unit_factor(label: str, header) -> Decimal:
    unit = unit_in(label) or header.unit or "万元"
    return UNITS[unit]


def _read_rows(user, period, result: ReportImport, sheet, header, columns) -> None:
    reports = list(ProgressReport.objects.editable_by_acting(user).filter(period=period).select_related("project"))
    by_code = {r.project.code: r for r in reports if r.project.code}
    by_name: dict[str, list[ProgressReport]] = {}
    for report in reports:
        by_name.setdefault(_key(report.project.name), []).append(report)
    earlier = selectors.earlier_this_year([r.project_id for r in reports], period)
    seen: dict[int, int] = {}
    index = {name: column.index for name, column in columns.items()}

    def cell(cells, name):
        position = index.get(name)
        return cells[position] if position is not None and position < len(cells) else None

    for number, cells in enumerate(sheet.rows[header.bottom + 1:], start=header.bottom + 2):
        texts = [normalize_text(c) if c not in (None, "") else "" for c in cells]
        if not any(t and t not in BLANKS for t in texts):
            continue
        name, _markers = strip_markers(normalize_text(cell(cells, "name") or ""))
        code = normalize_text(cell(cells, "code") or "")
        serial, _markers = strip_markers(normalize_text(cell(cells, "serial") or ""))
        first = next((t for t in texts if t), "")
        compact = (name or first).replace(" ", "")
        kind = _row_kind(first, compact, serial, name, code)
        if kind:
            result.skipped.append({"row": number, "kind": kind})
            continue
        report = by_code.get(code) if code else None
        if report is None and name:
            matches = by_name.get(_key(name), [])
            if len(matches) > 1:
                result.issues.append(Issue(number, LABELS["name"], _("“%(name)s”对应本期多个项目，请在表中填写项目代码") % {"name": name}))
                continue
            report = matches[0] if matches else None
        if report is None:
            shown = code or name
            result.issues.append(Issue(number, LABELS["code" if code and not name else "name"],
                                       _("本期须填报的项目中没有“%(name)s”，或该项目不在您的填报范围内") % {"name": shown}))
            continue
        if report.project_id in seen:
            result.issues.append(Issue(number, LABELS["name"], _("与第%(row)s行是同一项目（%(name)s）")
                                       % {"row": seen[report.project_id], "name": report.project.name}))
            continue
        seen[report.project_id] = number
        if report.state not in EDITABLE_STATES:
            result.issues.append(Issue(number, LABELS["name"], _("“%(name)s”本期%(state)s，不能再导入覆盖")
                                       % {"name": report.project.name, "state": report.get_state_display()}))
            continue
        row = ImportRow(row=number, name=report.project.name, report=report)
        _values(row, result, cells, cell, columns, header, earlier.get(report.project_id, Decimal("0.00")))
        result.rows.append(row)


def _row_kind(first: str, compact: str, serial: str, name: str, code: str) -> str | None:
    """"blank", "footnote", "total", "subtotal", "group" for the rows that are not projects."""
    if name and serial.replace(".", "").isdigit() and float(serial) > 0:
        return None  # a numbered row with a name is a project, whatever words its name contains
    if sheet_rows.FOOTNOTE.match(first) or sheet_rows.FOOTNOTE.match(compact):
        return "footnote"
    if sheet_rows.TOTAL.match(compact) or sheet_rows.TOTAL.match(serial.replace(" ", "")):
        return "total"
    if compact.startswith("其中") or sheet_rows.SUBTOTAL.search(name.replace(" ", "")):
        return "subtotal"
    if code:
        return None
    if serial and not serial.replace(".", "").isdigit() and sheet_rows.GROUP_NUMBER.match(serial):
        return "group"
    if not serial.replace(".", "").isdigit() and sheet_rows.COUNT_SUFFIX.search(compact):
        return "group"  # "预备重点项目（10项）", "龙海市合计14个"
    if not serial and name and sheet_rows.GROUP_LABEL.match(name) and sheet_rows.GROUP_NUMBER.match(name).end() < len(name):
        return "group"
    if not name:
        return "blank" if not code else None
    return None


def _values(row: ImportRow, result: ReportImport, cells, cell, columns, header, earlier: Decimal) -> None:
    def bad(name, message):
        result.issues.append(Issue(row.row, columns[name].label, message))

    amount = ytd = None
    for name in ("amount", "ytd"):
        if name in columns:
            try:
                value = parse_amount(cell(cells, name), _unit_factor(columns[name].label, header))
            except ValidationError as exc:
                bad(name, exc.messages[0])
                return
            if name == "amount":
                amount = value
            else:
                ytd = value
    if amount is None and ytd is not None:
        amount = ytd - earlier
        if amount < 0:
            bad("ytd", _("累计完成投资（%(ytd)s万元）少于此前各期已报的本年累计（%(earlier)s万元）")
                % {"ytd": f"{ytd:,.2f}", "earlier": f"{earlier:,.2f}"})
            return
    elif amount is not None and ytd is not None and earlier + amount != ytd:
        bad("ytd", _("本期完成（%(amount)s万元）加此前已报（%(earlier)s万元）不等于表中累计（%(ytd)s万元）")
            % {"amount": f"{amount:,.2f}", "earlier": f"{earlier:,.2f}", "ytd": f"{ytd:,.2f}"})
        return
    if amount is not None:
        row.values["amount"] = f"{amount:.2f}"
    for name in ("progress", "problems", "next_steps"):
        if name in columns:
            row.values[name] = normalize_text(cell(cells, name) or "")
    for name in ("workers_planned", "workers_on_site"):
        if name in columns:
            raw = cell(cells, name)
            row.values[name] = "" if raw in (None, "") else str(int(raw) if isinstance(raw, float) and raw.is_integer() else raw)
    if "work_status" in columns:
        word = normalize_text(cell(cells, "work_status") or "").replace(" ", "")
        if word and word not in BLANKS:
            status = WORK_STATUS_WORDS.get(word)
            if status is None:
                bad("work_status", _("开复工情况“%(value)s”无法识别（可填：未开工、已开工、已复工、停工、已竣工）") % {"value": word[:20]})
                return
            row.values["work_status"] = status


def commit(user, analysis: ReportImport, *, submit: bool = False) -> list[ProgressReport]:
    """Save the analysed rows as drafts (or hand them in); all or nothing, like the grid. Problems
    found only now (a stale row, a rule across periods) come back as issues with the sheet row."""
    if not analysis.valid or not analysis.rows:
        return []
    rows = [{"id": r.report.pk, "version": r.report.version, **r.values} for r in analysis.rows]
    try:
        saved = services.reports_save(user, analysis.period, rows, submit=submit)
    except services.BatchError as exc:
        _issues_from(analysis, exc.problems)
        return []
    analysis.saved = len(saved)
    return saved


def audit(user, filename: str, content: bytes, *, analysis: ReportImport | None = None, refused: str = "") -> None:
    """The import's 导入 entry in the audit trail (tuijin.audit): accepted with the reports saved, or
    refused with why; the file's name and SHA-256 either way. Called after the import's transaction."""
    import hashlib

    from tuijin.audit import services as audit_services
    from tuijin.audit.choices import Action, Result

    detail = {"what": "月度填报", "filename": filename, "sha256": hashlib.sha256(content).hexdigest()}
    if analysis is not None:
        detail.update(period=analysis.period.label, saved=analysis.saved, errors=len(analysis.issues))
    if analysis is None or not analysis.saved:
        refused = refused or (_("文件有%(n)s处错误，没有导入任何内容") % {"n": len(analysis.issues)} if analysis else "")
        detail["rejected"] = refused or _("没有导入任何内容")
    audit_services.record(Action.IMPORT, actor=user if getattr(user, "pk", None) else None, target=filename,
                          detail=detail, result=Result.SUCCESS if "rejected" not in detail else Result.FAILURE)

