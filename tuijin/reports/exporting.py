"""The dispatch lists as they leave the screen (core.listexport): a period's 填报情况 — by unit, with
whom to chase (催报对象), by region, and the reports still missing — and the review queue. The counts
are the period overview's (selectors.period_overview), the figures the review page's (selectors.bases)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.listexport import ListExport, Section, totals_row
from tuijin.core.masking import mask_name, mask_phone
from tuijin.core.sheets.writer import INTEGER, MONEY, RATE, Column
from tuijin.org.models import Unit
from tuijin.org.selectors import sees_contacts

from . import selectors

CHUNK = 2000


def _people(users) -> str:
    return "、".join(selectors.person_name(user) for user in users)


def period_export(user, period, overview, missing, missing_terms) -> ListExport:
    """填报情况 of `period` as the page shows it (`overview`), with each unit's contact and the clerks a
    催报 reaches, and `missing`: the reports not handed in yet, as the page lists them (ReportFilterSet
    over selectors.missing_reports; `missing_terms` states its filter)."""
    missing = list(missing.select_related("project__region", "unit").iterator(chunk_size=CHUNK))
    # Whom to chase, per unit with reports missing (all of them, not only the filtered unit's): the same
    # people a 催报 reaches (services.period_remind).
    paths_by_unit: dict = {}
    for unit_id, path in selectors.missing_reports(user, period).order_by().values_list("unit_id", "project__region__path"):
        paths_by_unit.setdefault(unit_id, set()).add(path)
    reached = selectors.reporters_for_units(paths_by_unit)
    contacts = {pk: (contact, phone) for pk, contact, phone in
                Unit.objects.filter(pk__in=[t.key for t in overview.by_unit if t.key]).values_list("pk", "contact", "phone")}
    if not sees_contacts(user):  # personal information: in full for the office only (core.masking)
        contacts = {pk: (mask_name(contact), mask_phone(phone)) for pk, (contact, phone) in contacts.items()}

    unit_columns = [
        Column("unit", _("填报单位"), width=24, wrap=True),
        Column("required", _("应报"), kind=INTEGER, width=6),
        Column("handed_in", _("已上报"), kind=INTEGER, width=7),
        Column("approved", _("已审核"), kind=INTEGER, width=7),
        Column("returned", _("退回"), kind=INTEGER, width=6),
        Column("missing", _("未上报"), kind=INTEGER, width=7),
        Column("late", _("逾期上报"), kind=INTEGER, width=7),
        Column("reminders", _("已催报（次）"), kind=INTEGER, width=8),
        Column("last_reminder", _("最近催报"), width=12),
        Column("contact", _("单位联系人"), width=10, wrap=True),
        Column("phone", _("联系电话"), width=13, wrap=True),
        Column("reporters", _("催报对象（填报员）"), width=22, wrap=True),
    ]

    def unit_values(t, name):
        contact, phone = contacts.get(t.key, ("", ""))
        last = f"{timezone.localtime(t.last_reminder):%m-%d %H:%M}" if t.last_reminder else ""
        return [name, t.required, t.handed_in, t.counts["approved"], t.counts["returned"], t.missing, t.late,
                t.reminders or None, last, contact, phone, _people(reached.get(t.key, ())) if t.missing else ""]

    total = overview.total
    by_unit = [unit_values(t, t.name) for t in overview.by_unit]
    unit_totals = [_("合计"), total.required, total.handed_in, total.counts["approved"], total.counts["returned"],
                   total.missing, total.late, sum(t.reminders for t in overview.by_unit) or None, None, None, None, None]

    region_columns = [
        Column("region", _("区域"), width=16, wrap=True),
        Column("required", _("应报"), kind=INTEGER, width=6),
        Column("handed_in", _("已上报"), kind=INTEGER, width=7),
        Column("missing", _("未上报"), kind=INTEGER, width=7),
        Column("late", _("逾期上报"), kind=INTEGER, width=7),
        Column("rate", _("上报率（%）"), kind=RATE, width=8),
    ]

    def region_values(t, name):
        return [name, t.required, t.handed_in, t.missing, t.late, t.rate]

    missing_columns = [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("project", _("项目名称"), width=30, wrap=True),
        Column("code", _("项目代码"), width=22),
        Column("region", _("所属区域"), width=10, wrap=True),
        Column("unit", _("填报单位"), width=22, wrap=True),
        Column("state", _("状态"), width=8),
        Column("reporters", _("催报对象（填报员）"), width=22, wrap=True),
    ]
    missing_rows = [
        (number, r.project.name, r.project.code, r.project.region.name, r.unit.name if r.unit_id else "",
         r.get_state_display(), _people(reached.get(r.unit_id, ())))
        for number, r in enumerate(missing, start=1)
    ]
    due = _("填报截止%(due)s") % {"due": period.due_on.isoformat()}
    return ListExport(
        name=_("%(label)s调度填报情况") % {"label": period.label}, slug=f"period_{period.pk}",
        stated=f"{period.get_status_display()}　{due}",
        sections=[
            Section(unit_columns, by_unit, heading=_("按填报单位"), totals=unit_totals, unit=_("个单位"), freeze_columns=1,
                    note=_("未上报%(n)s个项目") % {"n": total.missing}),
            Section(region_columns, [region_values(t, t.name) for t in overview.by_region], heading=_("按区域"),
                    totals=region_values(total, _("合计")), unit=_("个区域")),
            Section(missing_columns, missing_rows, heading=_("未上报项目"), unit=_("个项目"), freeze_columns=2,
                    terms=missing_terms),
        ],
    )


def review_export(period, queue, bases) -> ListExport:
    """The review queue of `period` as the page lists it (selectors.review_queue), each report's figures
    from its basis (selectors.bases), as the page shows them; 合计 of the amounts."""
    columns = [
        Column("number", _("序号"), kind=INTEGER, width=5),
        Column("project", _("项目名称"), width=28, wrap=True),
        Column("unit", _("填报单位"), width=18, wrap=True),
        Column("amount", _("本期完成（万元）"), kind=MONEY, width=12),
        Column("year_to_date", _("本年累计（万元）"), kind=MONEY, width=12),
        Column("pct_of_plan", _("占年计划（%）"), kind=RATE, width=9),
        Column("gap", _("与序时比较"), width=16, wrap=True),
        Column("progress", _("形象进度"), width=32, wrap=True),
        Column("submitted_by", _("上报人"), width=8, wrap=True),
        Column("submitted_at", _("上报时间"), width=12),
        Column("late", _("逾期上报"), width=6),
    ]
    rows = []
    late = _("逾期")
    for number, report in enumerate(queue, start=1):
        f = bases[report.project_id].figures(report.amount, period.ends_on)
        at = f"{timezone.localtime(report.submitted_at):%m-%d %H:%M}" if report.submitted_at else ""
        rows.append((number, report.project.name, report.unit.name if report.unit_id else "", report.amount,
                     f.year_to_date, f.pct_of_plan, f.gap_text, report.progress,
                     selectors.person_name(report.submitted_by) if report.submitted_by_id else "", at,
                     late if report.is_late else ""))
    return ListExport(
        name=_("%(label)s调度审核") % {"label": period.label}, slug=f"review_{period.pk}",
        stated=_("单位：万元"),
        sections=[Section(columns, rows, heading=_("待审核"), unit=_("项"), freeze_columns=2,
                          totals=totals_row(columns, rows, ["amount", "year_to_date"], _("合计（%(n)s项）") % {"n": len(rows)}),
                          totals_label_span=3)],
    )
