"""Every write of the monthly dispatch: periods, reports and their workflow, reminders.

Each write validates (Chinese messages, nothing written on error), keeps history (simple_history on
periods and reports, a ReportEvent per state change), checks versions against lost updates and
refreshes what depends on it: the cumulative figures of the project's later reports and the counted
本年累计 its annual plan carries (refresh_cumulative, one pass for both).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.bulk import add_objects, copy_to_history, update_objects
from tuijin.core.exceptions import NotFound
from tuijin.core.fields import TEXT_MAX, to_money
from tuijin.core.history import stamp
from tuijin.core.notify import notify
from tuijin.core.parsing import parse_int
from tuijin.core.versioning import claim, claim_many, conflict, mark_changed, require_version
from tuijin.core.workflow import legal_step
from tuijin.org.selectors import require_office
from tuijin.projects.models import AnnualPlan, Project

from . import figures
from .choices import (
    DEFAULT_REPORTING_STAGES,
    EDITABLE_STATES,
    HANDED_IN_STATES,
    Cadence,
    PeriodStatus,
    ReportAction,
    ReportState,
    WorkStatus,
)
from .events import PeriodChanged, ReportChanged
from .models import (
    ProgressReport,
    Reminder,
    ReportEvent,
    ReportPeriod,
    ReportPhoto,
    default_due,
    period_bounds,
)
from .selectors import earlier_this_year, opening_balances, report_for_user, reporters_for_units
from .workflow import REPORT_WORKFLOW, REVIEW_STEPS

# The fields a clerk fills; everything else on a report is kept by these services.
REPORT_FIELDS = ("amount", "progress", "work_status", "workers_planned", "workers_on_site", "problems", "next_steps")
TEXT_LIMIT = TEXT_MAX  # core.fields: the models' limit on free text




def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


# ------------------------------------------------------------------------------------------ periods


def period_open_check(user, *, year: int, month: int, cadence: str = Cadence.MONTH, seq: int = 1,
                      due_on: date | None = None) -> tuple[date, date, date, str]:
    """What refuses a period before anything is written (the page asks it before queuing the job):
    (starts_on, ends_on, due_on, label), or ValidationError naming the field."""
    require_office(user)
    errors: dict[str, list[str]] = {}
    if cadence not in Cadence.values:
        errors["cadence"] = [_("填报周期不正确")]
    if not 2000 <= int(year) <= 2100:
        errors["year"] = [_("年度应在2000至2100之间")]
    if not 1 <= int(month) <= 12:
        errors["month"] = [_("月份应在1至12之间")]
    subperiods = {Cadence.MONTH: 1, Cadence.HALF: 2, Cadence.TEN_DAY: 3}.get(cadence, 1)
    if not 1 <= int(seq) <= subperiods:
        errors["seq"] = [_("期次不正确")]
    if errors:
        raise ValidationError(errors)
    starts_on, ends_on = period_bounds(cadence, year, month, seq)
    due_on = due_on or default_due(cadence, starts_on, ends_on)
    if due_on < starts_on:
        raise ValidationError({"due_on": [_("填报截止日期不能早于本期开始日期（%(d)s）") % {"d": starts_on}]})
    label = ReportPeriod(cadence=cadence, year=year, month=month, seq=seq).label
    if ReportPeriod.objects.filter(cadence=cadence, year=year, month=month, seq=seq).exists():
        raise ValidationError({"month": [_("%(label)s的调度期已经开启过") % {"label": label}]})
    overlap = ReportPeriod.objects.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlap:
        raise ValidationError({"month": [_("与已有调度期“%(other)s”时间重叠") % {"other": overlap.label}]})
    return starts_on, ends_on, due_on, label


@transaction.atomic
def period_open(user, *, year: int, month: int, cadence: str = Cadence.MONTH, seq: int = 1,
                due_on: date | None = None, stages=DEFAULT_REPORTING_STAGES, project_ids=None,
                note: str = "") -> ReportPeriod:
    """Open a report period and create a pending report for every project that must report: the
    office's projects in `stages` (in construction and 前期 by default), or exactly `project_ids`."""
    starts_on, ends_on, due_on, label = period_open_check(user, year=year, month=month, cadence=cadence, seq=seq,
                                                          due_on=due_on)
    projects = Project.objects.visible_to_acting(user).filter(is_archived=False)
    if project_ids is not None:
        wanted = set(project_ids)
        projects = projects.filter(pk__in=wanted)
        found = set(projects.values_list("pk", flat=True))
        _refuse_not_admitted(found)
        if wanted - found:
            raise ValidationError({"projects": [_("以下项目不存在或不在您的范围内：%(ids)s")
                                               % {"ids": "、".join(str(i) for i in sorted(wanted - found))}]})
    else:
        # Only projects in the ledger report: a clerk's 申报 awaiting the office (or returned) does not.
        projects = projects.admitted().filter(stage__canonical__in=list(stages))
    period = ReportPeriod(cadence=cadence, year=year, month=month, seq=seq, starts_on=starts_on, ends_on=ends_on,
                          due_on=due_on, note=note[:500], opened_by=user if getattr(user, "pk", None) else None)
    try:
        with transaction.atomic():
            stamp(period, user, _("开启调度期")).save()
    except IntegrityError as exc:
        raise ValidationError({"month": [_("%(label)s的调度期已经开启过") % {"label": label}]}) from exc
    rows = list(projects.values_list("pk", "lead_unit_id"))
    _create_pending(period, rows)
    transaction.on_commit(lambda: events.emit(PeriodChanged(period_id=period.pk, user=user)))
    return period


def _refuse_not_admitted(project_ids) -> None:
    """A period's reporting projects are in the ledger: 申报中 or 已退回 ones are refused by name."""
    waiting = sorted(Project.objects.filter(pk__in=list(project_ids)).not_admitted().values_list("name", flat=True))
    if waiting:
        raise ValidationError({"projects": [_("以下项目尚未审核入库（申报中或已退回），不能加入调度：%(names)s")
                                            % {"names": "、".join(waiting)}]})


def _create_pending(period: ReportPeriod, rows) -> int:
    reports = [
        ProgressReport(period=period, project_id=pk, unit_id=unit_id, period_end=period.ends_on)
        for pk, unit_id in rows
    ]
    ProgressReport.objects.bulk_create(reports, batch_size=2000)
    refresh_cumulative([pk for pk, _unit in rows], period.year)
    return len(reports)


@transaction.atomic
def period_add_projects(user, period: ReportPeriod, project_ids) -> int:
    """Add projects that must also report this period (projects already in it are left alone)."""
    require_office(user)
    period = _open_period_for_update(period)
    wanted = set(project_ids)
    rows = list(Project.objects.visible_to_acting(user).filter(pk__in=wanted, is_archived=False).values_list("pk", "lead_unit_id"))
    _refuse_not_admitted(pk for pk, _u in rows)
    missing = wanted - {pk for pk, _u in rows}
    if missing:
        raise ValidationError(_("以下项目不存在或不在您的范围内：%(ids)s") % {"ids": "、".join(map(str, sorted(missing)))})
    present = set(period.reports.filter(project_id__in=wanted).values_list("project_id", flat=True))
    return _create_pending(period, [row for row in rows if row[0] not in present])


@transaction.atomic
def period_remove_report(user, report: ProgressReport) -> None:
    """Take a project out of the period; only while nothing has been reported for it."""
    require_office(user)
    report = report_for_user(user, report.pk)
    _open_period_for_update(report.period)
    if report.state != ReportState.PENDING:
        raise ValidationError(_("该项目本期已有填报内容，不能移出"))
    stamp(report, user, _("移出调度期")).delete()


def period_close_check(user, period: ReportPeriod, *, version, force: bool = False, lock: bool = False) -> ReportPeriod:
    """What refuses a close before anything is written (the page asks it before queuing the job): the
    period closed already, reports awaiting review (unless `force`), a version not the stored one."""
    require_office(user)
    rows = ReportPeriod.objects.select_for_update() if lock else ReportPeriod.objects
    period = rows.get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        raise ValidationError(_("%(label)s的调度期已关闭") % {"label": period.label})
    waiting = period.reports.filter(state=ReportState.SUBMITTED).count()
    if waiting and not force:
        raise ValidationError(_("还有%(n)s个填报待审核：请先审核通过或退回，再关闭调度期（关闭后不能再审核，数字不会进入台账）")
                              % {"n": waiting})
    if require_version(version) != period.version:
        raise conflict(ReportPeriod, period.pk)
    return period


@transaction.atomic
def period_close(user, period: ReportPeriod, *, version: int, force: bool = False) -> ReportPeriod:
    """Close (freeze) a period read at `version`: no report of it changes any more. Refused while
    reports await review (their figures would never reach the ledger) unless `force`."""
    period = period_close_check(user, period, version=version, force=force, lock=True)
    claim(period, version)
    period.status = PeriodStatus.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = user if getattr(user, "pk", None) else None
    stamp(period, user, _("关闭调度期")).save()
    transaction.on_commit(lambda: events.emit(PeriodChanged(period_id=period.pk, user=user)))
    return period


@transaction.atomic
def period_set_due(user, period: ReportPeriod, due_on: date, *, version: int) -> ReportPeriod:
    require_office(user)
    period = _open_period_for_update(period)
    if due_on < period.starts_on:
        raise ValidationError({"due_on": [_("填报截止日期不能早于本期开始日期（%(d)s）") % {"d": period.starts_on}]})
    claim(period, version)
    period.due_on = due_on
    stamp(period, user, _("调整填报截止日期")).save()
    return period


def _open_period_for_update(period: ReportPeriod) -> ReportPeriod:
    period = ReportPeriod.objects.get(pk=period.pk)
    if period.status != PeriodStatus.OPEN:
        raise ValidationError(_("%(label)s的调度期已关闭，不能再修改") % {"label": period.label})
    return period


# ------------------------------------------------------------------------------- cumulative figures


def refresh_cumulative(project_ids, year: int) -> int:
    """Recompute 本年累计 and 开工累计 of every report of these projects from `year` on, and the counted
    figures their annual plans carry (AnnualPlan.counted_approved / counted_handed_in: the year's
    latest report's); returns the number of reports whose figures changed. One read of the reports and
    of the plans, one bulk update of each.

    Only amounts handed in (submitted or approved) count for the periods after them: a draft or a
    returned report shows its own amount on top of what counts, never carries it forward (so a
    figure the office sent back, or a clerk never submitted, does not flow into next month).
    A later year opens where the year before ended, unless that year's annual plan gives its own
    开工至上年底累计.
    """
    ids = sorted(set(project_ids))
    changed = []
    plans_changed = []
    for chunk_start in range(0, len(ids), 2000):
        chunk = ids[chunk_start:chunk_start + 2000]
        reports = list(
            ProgressReport.objects.filter(project_id__in=chunk, period_end__gte=date(year, 1, 1))
            .order_by("project_id", "period_end", "id")
            .only("id", "project_id", "period_end", "amount", "state", "year_to_date", "since_start",
                  "counted_approved", "counted_handed_in")
        )
        # Per project and period end: the amounts approved and handed in that day (reports of periods
        # ending the same day all show the figure through that day).
        on_day: dict[tuple[int, date], list] = defaultdict(lambda: [None, None])
        for report in reports:
            if report.amount is not None and report.state in HANDED_IN_STATES:
                sums = on_day[(report.project_id, report.period_end)]
                sums[1] = (sums[1] or figures.ZERO) + report.amount
                if report.state == ReportState.APPROVED:
                    sums[0] = (sums[0] or figures.ZERO) + report.amount
        counted_days: dict[int, tuple[int, date, Decimal | None, Decimal | None]] = {}  # project → (year, end, …)
        opening = opening_balances(chunk, year)
        given_later = defaultdict(dict)
        later_years = {r.period_end.year for r in reports} - {year}
        if later_years:
            for pk, y, before in AnnualPlan.objects.filter(
                project_id__in=chunk, year__in=later_years, completed_before__gt=0
            ).values_list("project_id", "year", "completed_before"):
                given_later[y][pk] = before
        current: dict[int, tuple[int, Decimal, Decimal]] = {}  # project → (year, opening, year to date)
        latest: dict[tuple[int, int], tuple[Decimal | None, Decimal | None]] = {}  # (project, year) → counted
        for report in reports:
            pk, y = report.project_id, report.period_end.year
            held = current.get(pk)
            if held is None or held[0] != y:
                if held is None:
                    start = opening[pk] if y == year else opening_balances([pk], y)[pk]
                else:
                    start = given_later[y].get(pk, held[1] + held[2])
                held = (y, start, figures.ZERO)
            own = report.amount or figures.ZERO
            ytd = held[2] + own
            counted = held[2] + own if report.state in HANDED_IN_STATES else held[2]
            current[pk] = (y, held[1], counted)
            since = held[1] + ytd
            approved, handed_in = _counted_through(counted_days, on_day, pk, report.period_end)
            latest[(pk, y)] = (approved, handed_in)  # reports in period-end order: the last one stays
            if (report.year_to_date, report.since_start, report.counted_approved, report.counted_handed_in) != (
                    ytd, since, approved, handed_in):
                report.year_to_date, report.since_start = ytd, since
                report.counted_approved, report.counted_handed_in = approved, handed_in
                changed.append(report)
        # Each annual plan of these years carries its latest report's figures (0 while nothing counts).
        for plan in AnnualPlan.objects.filter(project_id__in=chunk, year__gte=year).only(
                "id", "project_id", "year", "counted_approved", "counted_handed_in"):
            approved, handed_in = latest.get((plan.project_id, plan.year), (None, None))
            figures_now = (approved or figures.ZERO, handed_in or figures.ZERO)
            if (plan.counted_approved, plan.counted_handed_in) != figures_now:
                plan.counted_approved, plan.counted_handed_in = figures_now
                plans_changed.append(plan)
    update_objects(ProgressReport, changed, ["year_to_date", "since_start", "counted_approved", "counted_handed_in"])
    update_objects(AnnualPlan, plans_changed, ["counted_approved", "counted_handed_in"])
    return len(changed)


def _counted_through(days: dict, on_day: dict, pk: int, end: date) -> tuple[Decimal | None, Decimal | None]:
    """The project's counted 本年累计 through `end` by each rule (approved, handed in), None while nothing
    counts; `days` carries the running figures from report to report (reports in period-end order)."""
    held = days.get(pk)
    if held is None or held[0] != end.year:
        held = (end.year, None, None, None)
    if held[1] != end:
        approved, handed_in = held[2], held[3]
        sums = on_day.get((pk, end))
        if sums is not None:
            if sums[0] is not None:
                approved = (approved or figures.ZERO) + sums[0]
            if sums[1] is not None:
                handed_in = (handed_in or figures.ZERO) + sums[1]
        held = (end.year, end, approved, handed_in)
    days[pk] = held
    return held[2], held[3]


# ------------------------------------------------------------------------------------------ reports


@dataclass
class RowErrors:
    """Why a batch of reports was not saved: {report id: {field: [messages]}} and the stale reports
    (as stored now, each with its `changed`: "已被张调度于 10:42 修改")."""

    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    conflicts: dict[int, ProgressReport] = field(default_factory=dict)

    def add(self, report_id: int, field_name: str, message: str) -> None:
        self.errors.setdefault(report_id, {}).setdefault(field_name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.errors or self.conflicts)


class BatchError(Exception):
    def __init__(self, problems: RowErrors):
        self.problems = problems
        super().__init__(_("填报未保存：请按提示修改后重新保存"))


def clean_report_data(data: dict) -> tuple[dict, dict[str, list[str]]]:
    """Parse a clerk's values (strings from a form or a sheet) into field values, with Chinese errors."""
    values: dict = {}
    errors: dict[str, list[str]] = {}
    raw = data.get("amount")
    if raw is not None and str(raw).strip() != "":
        try:
            amount = to_money(raw)
        except ValidationError as exc:
            errors["amount"] = [_("本期完成投资超出允许范围") if exc.code == "max_value" else _("本期完成投资应为数字（万元）")]
        else:
            if amount < 0:
                errors["amount"] = [_("本期完成投资不能为负数")]
            values["amount"] = amount
    elif "amount" in data:
        values["amount"] = None
    for name in ("progress", "problems", "next_steps"):
        if name in data:
            text = str(data[name] or "").strip()
            if len(text) > TEXT_LIMIT:
                errors[name] = [_("内容过长（不超过%(n)s字）") % {"n": TEXT_LIMIT}]
            values[name] = text
    if "work_status" in data:
        status = str(data["work_status"] or "").strip()
        if status and status not in WorkStatus.values:
            errors["work_status"] = [_("开复工情况不正确")]
        values["work_status"] = status
    for name, label in (("workers_planned", _("应出勤施工人数")), ("workers_on_site", _("现场施工人数"))):
        if name in data:
            raw = str(data[name] if data[name] is not None else "").strip()
            if not raw:
                values[name] = None
                continue
            try:
                number = int(raw)
            except ValueError:
                errors[name] = [_("%(label)s应为整数") % {"label": label}]
                continue
            if number < 0:
                errors[name] = [_("%(label)s不能为负数") % {"label": label}]
            elif number > 1_000_000:
                errors[name] = [_("%(label)s超出合理范围") % {"label": label}]
            values[name] = number
    return values, errors


def _later_peaks(project_ids, period: ReportPeriod) -> dict[int, tuple[date, Decimal]]:
    """Per project, its highest 开工累计 in later periods (with that period's end)."""
    peaks: dict[int, tuple[date, Decimal]] = {}
    rows = ProgressReport.objects.filter(project_id__in=project_ids, period_end__gt=period.ends_on).values_list(
        "project_id", "period_end", "since_start")
    for pk, end, since in rows:
        if pk not in peaks or since > peaks[pk][1]:
            peaks[pk] = (end, since)
    return peaks


def check_rows(user, period: ReportPeriod, rows: list[dict], *, submit_ids: set[int]) -> tuple[list, RowErrors]:
    """Read and validate a batch: [(report, values)] and the problems; nothing written (reports_save
    runs it first; the import runs it alone to check a file)."""
    problems = RowErrors()
    ids = [int(row["id"]) for row in rows]
    reports = {
        r.pk: r for r in ProgressReport.objects.editable_by_acting(user).filter(pk__in=ids, period=period)
        .select_related("project")
    }
    missing = [pk for pk in ids if pk not in reports]
    if missing:
        raise NotFound(_("填报不存在或不在您的范围内"))
    if len(set(ids)) != len(ids):
        raise ValidationError(_("同一项目在本次提交中出现了多次"))
    earlier = earlier_this_year([r.project_id for r in reports.values()], period)
    openings = opening_balances([r.project_id for r in reports.values()], period.year)
    later_peaks = _later_peaks([r.project_id for r in reports.values()], period)
    checked = []
    for row in rows:
        report = reports[int(row["id"])]
        values, errors = clean_report_data(row)
        for name, messages in errors.items():
            for message in messages:
                problems.add(report.pk, name, message)
        version = parse_int(row.get("version"))
        if version is None:  # a row without the version it was read at cannot prove it is current
            problems.add(report.pk, "__all__", _("页面数据有误（版本号不正确），本行没有保存，请刷新页面后重试"))
            continue
        if report.version != version:
            problems.conflicts[report.pk] = report
            continue
        try:
            legal_step(REPORT_WORKFLOW, ReportAction.SUBMIT if report.pk in submit_ids else ReportAction.SAVE,
                       report.state)
        except ValidationError as exc:
            problems.add(report.pk, "__all__", exc.messages[0])
            continue
        if errors:
            continue
        amount = values.get("amount", report.amount)
        total = report.project.total_investment
        if amount is not None and total is not None:
            since = openings[report.project_id] + earlier[report.project_id] + amount
            if since > total:
                problems.add(report.pk, "amount", _("开工累计完成投资（%(since)s万元）将超过总投资（%(total)s万元）")
                             % {"since": _money(since), "total": _money(total)})
            elif report.project_id in later_peaks:
                # Later periods carry this amount too: their 开工累计 moves by the change.
                end, peak = later_peaks[report.project_id]
                # (An editable report's own amount does not count for them yet: all of it moves them.)
                moved = peak + amount
                if moved > total:
                    problems.add(report.pk, "amount", _("将使%(period)s的开工累计完成投资（%(since)s万元）超过总投资（%(total)s万元）")
                                 % {"period": f"{end.year}年{end.month}月", "since": _money(moved), "total": _money(total)})
        if report.pk in submit_ids:
            final = {name: values.get(name, getattr(report, name)) for name in REPORT_FIELDS}
            if final["amount"] is None:
                problems.add(report.pk, "amount", _("上报前请填写本期完成投资（没有完成请填0）"))
            if not final["progress"]:
                problems.add(report.pk, "progress", _("上报前请填写形象进度"))
        checked.append((report, values))
    mark_changed(ProgressReport, problems.conflicts)
    return checked, problems


# Every column a save writes: the clerk's fields and what the workflow keeps (one UPDATE for the batch).
SAVED_COLUMNS = (*REPORT_FIELDS, "state", "version", "submitted_at", "submitted_by", "is_late", "review_comment",
                 "updated_at")


def reports_save(user, period: ReportPeriod, rows: list[dict], *, submit=False) -> list[ProgressReport]:
    """Save a batch of one period's reports (the batch grid, a single report, an import): each row is
    {"id", "version", field: value…}. All or nothing: any invalid or stale row raises BatchError and
    writes nothing. `submit` hands the reports in as well (→ submitted): True for every row, or a set
    of report ids (the grid's ticked rows; the others are saved as drafts).

    Validation reads before the write transaction (on SQLite a transaction holds the database's one
    write lock from its start); the transaction then claims the rows — their versions must still be
    the ones validated — and writes the batch in a fixed number of statements whatever its size: one
    UPDATE of the reports, a history INSERT per kind of change, one INSERT of the events, one refresh
    of the cumulative figures (issue #13 §7)."""
    period = ReportPeriod.objects.get(pk=period.pk)
    if period.status != PeriodStatus.OPEN:
        raise ValidationError(_("%(label)s的调度期已关闭，不能再填报") % {"label": period.label})
    if not rows:
        raise ValidationError(_("没有要保存的填报"))
    submit_ids = {int(row["id"]) for row in rows} if submit is True else set(submit or ())
    checked, problems = check_rows(user, period, rows, submit_ids=submit_ids)
    if problems:
        raise BatchError(problems)
    with transaction.atomic():
        return _write_reports(user, period, checked, submit_ids)


def _write_reports(user, period: ReportPeriod, checked: list, submit_ids: set[int]) -> list[ProgressReport]:
    if not ReportPeriod.objects.filter(pk=period.pk, status=PeriodStatus.OPEN).exists():
        raise ValidationError(_("%(label)s的调度期已关闭，不能再填报") % {"label": period.label})
    now = timezone.now()
    late = timezone.localdate() > period.due_on
    writing = [(report, values) for report, values in checked
               if report.pk in submit_ids or any(getattr(report, name) != value for name, value in values.items())]
    if not writing:
        return []
    # Claim the rows (core.versioning.claim_many: locked in primary-key order, then compared): someone who
    # saved between our read and now makes the whole batch a conflict, nothing written.
    stale, _stored = claim_many(ProgressReport, {report.pk: report.version for report, _values in writing})
    if stale:
        conflicts = {r.pk: r for r in ProgressReport.objects.filter(pk__in=stale)}
        if len(conflicts) < len(stale):  # taken out of the period meanwhile
            raise NotFound(_("填报已被移出本期"))
        raise BatchError(RowErrors(conflicts=mark_changed(ProgressReport, conflicts)))
    saved, events_rows, reasons = [], [], defaultdict(list)
    for report, values in sorted(writing, key=lambda item: item[0].pk):
        handing_in = report.pk in submit_ids
        step = REPORT_WORKFLOW.step(ReportAction.SUBMIT if handing_in else ReportAction.SAVE)
        before = report.state
        for name, value in values.items():
            setattr(report, name, value)
        report.version += 1
        report.updated_at = now
        report.state = step.target
        if handing_in:
            report.submitted_at, report.submitted_by = now, user
            report.is_late = late
            report.review_comment = report.review_comment if before == ReportState.RETURNED else ""
        reasons[str(ReportAction(step.name).label)].append(report.pk)
        events_rows.append(ReportEvent(report=report, action=step.name, from_state=before, to_state=step.target,
                                       user=user, at=now))
        saved.append(report)
    update_objects(ProgressReport, saved, SAVED_COLUMNS)
    for reason, pks in reasons.items():  # the history of what is stored now, as stamp().save() wrote it
        copy_to_history(ProgressReport, pks, history_type="~", user=user, reason=reason, when=now)
    add_objects(ReportEvent, events_rows)
    project_ids = [r.project_id for r in saved]
    if any("amount" in values for _report, values in writing) or any(r.pk in submit_ids for r in saved):
        refresh_cumulative(project_ids, period.year)
    transaction.on_commit(lambda: events.emit(ReportChanged(project_ids=tuple(project_ids), period_id=period.pk, user=user)))
    return saved


def report_save(user, report: ProgressReport, data: dict, *, version: int, submit: bool = False) -> ProgressReport:
    """One report (the single-project form): the batch rules for a batch of one — they check that the
    user may edit it (else NotFound) and that it is of its period. Returns the report as stored now."""
    reports_save(user, ReportPeriod(pk=report.period_id), [{**data, "id": report.pk, "version": version}],
                 submit=submit)
    report.refresh_from_db()
    return report


def reports_submit(user, period: ReportPeriod, report_ids) -> list[ProgressReport]:
    """Hand in saved drafts as they stand (the inbox's 上报 button). Not one transaction around the
    read: reports_save validates outside its write transaction and claims the versions read here."""
    reports = ProgressReport.objects.editable_by(user).filter(period=period, pk__in=list(report_ids))
    rows = [{"id": r.pk, "version": r.version} for r in reports]
    if len(rows) != len(set(report_ids)):
        raise NotFound(_("填报不存在或不在您的范围内"))
    return reports_save(user, period, rows, submit=True)


def _review(user, report: ProgressReport, *, version: int, action: str, comment: str) -> ProgressReport:
    """One of the office's steps (REVIEW_STEPS) on a report, as the workflow table says: its role,
    the state it leaves, separation of duties."""
    if action not in REVIEW_STEPS:
        raise ValueError(f"not a review step: {action!r}")
    REPORT_WORKFLOW.step(action).require(user)
    report = report_for_user(user, report.pk)
    if report.period.status != PeriodStatus.OPEN:
        raise ValidationError(_("%(label)s的调度期已关闭，不能再审核") % {"label": report.period.label})
    step = legal_step(REPORT_WORKFLOW, action, report.state, user=user, record=report)
    comment = (comment or "").strip()
    if action == ReportAction.RETURN and not comment:
        raise ValidationError({"comment": [_("请填写退回原因")]})
    if len(comment) > TEXT_LIMIT:
        raise ValidationError({"comment": [_("内容过长（不超过%(n)s字）") % {"n": TEXT_LIMIT}]})
    claim(report, version, state__in=list(step.sources))
    before = report.state
    report.state = step.target
    report.reviewed_at, report.reviewed_by, report.review_comment = timezone.now(), user, comment
    stamp(report, user, ReportAction(action).label).save()
    ReportEvent.objects.create(report=report, action=action, from_state=before, to_state=report.state,
                               user=user, comment=comment)
    # Returned: its amount stops counting for the months after it; either way the counted 本年累计 of
    # this month and the later ones moves (ProgressReport.counted_approved / counted_handed_in).
    refresh_cumulative([report.project_id], report.period.year)
    if action == ReportAction.RETURN:
        url = reverse("reports:report", args=[report.pk])
        notify(_submitter_and_unit_reporters(report),
               _("%(period)s“%(project)s”的填报被退回：%(comment)s")
               % {"period": report.period.label, "project": report.project.name, "comment": comment}, url)
    transaction.on_commit(lambda: events.emit(
        ReportChanged(project_ids=(report.project_id,), period_id=report.period_id, user=user)))
    return report


@transaction.atomic
def report_review(user, report: ProgressReport, action: str, *, version: int, comment: str = "") -> ProgressReport:
    """Approve or return (`action`, one of REVIEW_STEPS) a handed-in report read at `version`."""
    return _review(user, report, version=version, action=action, comment=comment)


@transaction.atomic
def report_approve(user, report: ProgressReport, *, version: int, comment: str = "") -> ProgressReport:
    return _review(user, report, version=version, action=ReportAction.APPROVE, comment=comment)


@transaction.atomic
def report_return(user, report: ProgressReport, *, version: int, comment: str) -> ProgressReport:
    return _review(user, report, version=version, action=ReportAction.RETURN, comment=comment)


@transaction.atomic
def reports_approve_many(user, period: ReportPeriod, versions: dict[int, int]) -> int:
    """Approve several submitted reports at once ({id: version}); any stale or unsubmitted one stops
    the whole batch."""
    count = 0
    for pk, version in versions.items():
        report = ProgressReport(pk=pk)
        _review(user, report, version=version, action=ReportAction.APPROVE, comment="")
        count += 1
    return count


# ---------------------------------------------------------------------------------------- reminders


def _submitter_and_unit_reporters(report: ProgressReport):
    users = reporters_for_units({report.unit_id: {report.project.region.path}})[report.unit_id]
    if report.submitted_by_id:
        users.insert(0, report.submitted_by)
    return users


@transaction.atomic
def period_remind(user, period: ReportPeriod, *, unit_id: int | None = None, all_units: bool = False) -> list[Reminder]:
    """Chase the units with reports not yet handed in (one unit, or every unit with `all_units`)."""
    require_office(user)
    period = _open_period_for_update(period)
    missing = ProgressReport.objects.visible_to_acting(user).filter(period=period, state__in=list(EDITABLE_STATES))
    if not all_units:
        missing = missing.filter(unit_id=unit_id) if unit_id else missing.filter(unit__isnull=True)
    by_unit: dict[int | None, set[str]] = defaultdict(set)
    counts: dict[int | None, int] = defaultdict(int)
    for unit, path in missing.values_list("unit_id", "project__region__path"):
        by_unit[unit].add(path)
        counts[unit] += 1
    if not by_unit:
        raise ValidationError(_("没有需要催报的单位：所选单位的项目都已上报"))
    url = reverse("reports:inbox")
    reminders = []
    reached = reporters_for_units(by_unit)  # the same people the period's export names as 催报对象
    for unit in by_unit:
        recipients = reached[unit]
        due = f"{period.due_on.month}月{period.due_on.day}日"
        if timezone.localdate() > period.due_on:
            text = _("%(period)s调度填报已超过截止日期（%(due)s），尚有%(n)s个项目未上报，请尽快填报") % {
                "due": due, "period": period.label, "n": counts[unit]}
        else:
            text = _("请于%(due)s前完成%(period)s调度填报：尚有%(n)s个项目未上报") % {
                "due": due, "period": period.label, "n": counts[unit]}
        notify(recipients, text, url)
        reminders.append(Reminder(period=period, unit_id=unit, sent_by=user if getattr(user, "pk", None) else None,
                                  missing=counts[unit], recipients=len({u.pk for u in recipients})))
    return Reminder.objects.bulk_create(reminders)


# ------------------------------------------------------------------------------------------- photos


@transaction.atomic
def photo_add(user, report: ProgressReport, upload, *, caption: str = "") -> ReportPhoto:
    """Attach a site photo to a report the user may fill (while it can still change)."""
    from django.conf import settings
    from django.core.files.storage import default_storage

    from tuijin.core import photos

    report = report_for_user(user, report.pk, editable=True)
    if report.period.status != PeriodStatus.OPEN:
        raise ValidationError(_("%(label)s的调度期已关闭，不能再上传照片") % {"label": report.period.label})
    if report.state not in EDITABLE_STATES:
        raise ValidationError(_("该填报%(state)s，不能再上传照片") % {"state": report.get_state_display()})
    if report.photos.count() >= settings.TUIJIN_PHOTOS_PER_REPORT:
        raise ValidationError(_("每个填报最多上传%(n)s张照片") % {"n": settings.TUIJIN_PHOTOS_PER_REPORT})
    info = photos.inspect(upload)
    now = timezone.now()
    name = default_storage.save(photos.stored_name(info, timezone.localtime(now)), upload)
    photo = ReportPhoto(
        report=report, file=name, original_name=(upload.name or "")[:200], content_type=info.content_type,
        size=upload.size, width=info.width, height=info.height, taken_at=info.taken_at,
        latitude=info.latitude, longitude=info.longitude, caption=(caption or "").strip()[:200],
        uploaded_by=user if getattr(user, "pk", None) else None,
    )
    try:
        stamp(photo, user, _("上传现场照片")).save()
    except Exception:
        default_storage.delete(name)
        raise
    return photo


@transaction.atomic
def photo_delete(user, photo) -> None:
    from django.core.files.storage import default_storage

    report = report_for_user(user, photo.report_id, editable=True)
    if report.period.status != PeriodStatus.OPEN or report.state not in EDITABLE_STATES:
        raise ValidationError(_("该填报已不能修改，照片不能删除"))
    name = photo.file.name
    stamp(photo, user, _("删除现场照片")).delete()
    transaction.on_commit(lambda: default_storage.delete(name))
