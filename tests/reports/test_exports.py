"""A period's 填报情况 and its review queue leave the screen (issue #16 §2): the units with reports missing,
their counts and whom a 催报 reaches, by region, the missing reports, and the queue with the page's
figures — read back from the .xlsx and the print page; scope as on the page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests import exports as x
from tests import factories as f
from tests.clock import at
from tuijin.core.models import Notification
from tuijin.reports import services
from tuijin.reports.models import ProgressReport

UNIT_HEADER = ["填报单位", "应报", "已上报", "已审核", "退回", "未上报", "逾期上报", "已催报（次）", "最近催报", "单位联系人",
               "联系电话", "催报对象（填报员）"]


@pytest.fixture
def period(time_machine, city, own_project, other_project):
    """2026年11月, both districts' projects required; on November 20th 兰山区's report was handed in (12.50
    万元, 形象进度 "=1+1"), on time."""
    time_machine.move_to(at(2026, 11, 20))
    period = services.period_open(None, year=2026, month=11, project_ids=[own_project.pk, other_project.pk])
    mine = period.reports.get(project=own_project)
    services.reports_save(city.users["reporter_a"], period, [
        {"id": mine.pk, "version": mine.version, "amount": "12.50", "progress": "=1+1"}], submit=True)
    return period


def test_the_period_export_lists_the_units_with_counts_and_whom_to_chase(client, users, units, period, other_project):
    units.luozhuang_government.contact, units.luozhuang_government.phone = "刘主任", "0539-8888888"
    units.luozhuang_government.save()
    client.force_login(users["dispatcher"])
    response = client.get(reverse("reports:period_xlsx", args=[period.pk]))
    assert x.filename_of(response).startswith(x.quoted("2026年11月调度填报情况_"))
    by_unit, by_region, missing = x.workbook(response).worksheets
    assert [ws.title for ws in (by_unit, by_region, missing)] == ["按填报单位", "按区域", "未上报项目"]
    assert by_unit["A1"].value == "2026年11月调度填报情况·按填报单位"
    assert by_unit["A2"].value.startswith("填报中　填报截止2026-11-")
    assert "未上报1个项目　共2个单位" in by_unit["A2"].value
    assert x.header(by_unit) == UNIT_HEADER
    totals, *rows = x.values(by_unit)
    assert totals == ["合计", 2, 1, 0, 0, 1, 0, None, None, None, None, None]
    assert rows == [["罗庄区人民政府", 1, 0, 0, 0, 1, 0, None, None, "刘主任", "0539-8888888", "赵罗庄"],
                    ["兰山区人民政府", 1, 1, 0, 0, 0, 0, None, None, None, None, None]]
    # The page's table, row by row.
    page = x.page_rows(client.get(reverse("reports:period", args=[period.pk])), "by-unit")
    assert [row[:7] for row in page[1:]] == [[str(v) for v in row[:7]] for row in rows]
    assert x.values(by_region) == [["合计", 2, 1, 1, 0, 50], ["兰山区", 1, 1, 0, 0, 100], ["罗庄区", 1, 0, 1, 0, 0]]
    assert missing["A1"].value == "2026年11月调度填报情况·未上报项目"
    assert x.values(missing) == [[1, other_project.name, other_project.code, "罗庄区", "罗庄区人民政府", "未填报", "赵罗庄"]]


def test_the_missing_reports_follow_the_pages_unit_filter(client, users, units, period):
    client.force_login(users["dispatcher"])
    lanshan = x.workbook(client.get(reverse("reports:period_xlsx", args=[period.pk]), {"unit": units.lanshan_government.pk}))
    assert lanshan.worksheets[2]["A1"].value == "2026年11月调度填报情况·未上报项目（填报单位：兰山区人民政府）"
    assert x.values(lanshan.worksheets[2]) == []
    assert len(x.values(lanshan.worksheets[0])) == 3  # the units' table is the page's, whatever the filter
    luozhuang = x.workbook(client.get(reverse("reports:period_xlsx", args=[period.pk]), {"unit": units.luozhuang_government.pk}))
    assert [r[4] for r in x.values(luozhuang.worksheets[2])] == ["罗庄区人民政府"]


def test_a_unit_without_a_clerk_is_chased_through_its_districts_clerks_as_the_reminder_does(
        client, users, city, units, period, other_project):
    housing = f.UnitFactory(name="罗庄区住房和城乡建设局", region=city.regions.luozhuang)
    ProgressReport.objects.filter(period=period, project=other_project).update(unit=housing)
    client.force_login(users["dispatcher"])
    rows = x.values(x.workbook(client.get(reverse("reports:period_xlsx", args=[period.pk]))).worksheets[0])
    assert rows[1][0] == "罗庄区住房和城乡建设局" and rows[1][-1] == "赵罗庄"
    services.period_remind(users["dispatcher"], period, all_units=True)
    assert list(Notification.objects.values_list("user__first_name", flat=True)) == ["赵罗庄"]
    rows = x.values(x.workbook(client.get(reverse("reports:period_xlsx", args=[period.pk]))).worksheets[0])
    assert rows[0][7] == 1 and rows[1][7] == 1 and rows[1][8]  # 已催报 once, when


def test_a_district_clerk_exports_only_their_district(client, users, period, other_project):
    client.force_login(users["reporter_a"])
    by_unit, by_region, missing = x.workbook(client.get(reverse("reports:period_xlsx", args=[period.pk]))).worksheets
    assert [r[0] for r in x.values(by_unit)] == ["合计", "兰山区人民政府"]
    assert [r[0] for r in x.values(by_region)] == ["合计", "兰山区"]
    assert x.values(missing) == []
    html = client.get(reverse("reports:period_print", args=[period.pk])).content.decode()
    assert "兰山区人民政府" in html and "罗庄区" not in html and other_project.name not in html


def test_the_period_prints_its_three_tables_on_a4(client, users, period):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("reports:period_print", args=[period.pk]))
    html = response.content.decode()
    assert "<h1>2026年11月调度填报情况</h1>" in html
    assert "<h2>2026年11月调度填报情况·按填报单位</h2>" in html and "<h2>2026年11月调度填报情况·未上报项目</h2>" in html
    assert "@page { size: A4 landscape; }" in html
    rows = x.print_rows(response)
    assert rows[0] == UNIT_HEADER and rows[1][:7] == ["合计", "2", "1", "0", "0", "1", "0"]
    page = client.get(reverse("reports:period", args=[period.pk])).content.decode()
    assert f'href="/reports/periods/{period.pk}/export.xlsx"' in page and f'href="/reports/periods/{period.pk}/print/"' in page


# ------------------------------------------------------------------------------------------ review


def test_the_review_queue_exports_the_pages_figures_with_a_totals_row(client, users, period, own_project):
    client.force_login(users["dispatcher"])
    ws = x.workbook(client.get(reverse("reports:review_xlsx", args=[period.pk]))).active
    assert ws["A1"].value == "2026年11月调度审核"
    assert x.header(ws) == ["序号", "项目名称", "填报单位", "本期完成（万元）", "本年累计（万元）", "占年计划（%）", "与序时比较",
                            "形象进度", "上报人", "上报时间", "逾期上报"]
    totals, row = x.values(ws)
    assert totals[0] == "合计（1项）" and totals[3:5] == [12.5, 12.5]
    assert row[:5] == [1, own_project.name, "兰山区人民政府", 12.5, 12.5] and row[7:9] == ["=1+1", "李兰山"]
    assert [c.data_type for c in x.text_cells(ws) if c.value == "=1+1"] == ["s"]
    page = x.page_rows(client.get(reverse("reports:review", args=[period.pk])), "review-queue")
    shown = page[1]
    assert shown[1:6] == [own_project.name, "兰山区人民政府", "12.50", "12.50", f"{row[5]}%"]
    assert shown[6] == row[6]
    printed = x.print_rows(client.get(reverse("reports:review_print", args=[period.pk])))
    assert printed[1][:3] == ["合计（1项）", "12.50", "12.50"]
    assert printed[2][:5] == ["1", own_project.name, "兰山区人民政府", "12.50", "12.50"]


def test_the_review_queue_export_is_the_offices(client, users, period):
    client.force_login(users["reporter_a"])
    assert client.get(reverse("reports:review_xlsx", args=[period.pk])).status_code == 403
    assert client.get(reverse("reports:review_print", args=[period.pk])).status_code == 403


def test_amounts_in_the_review_totals_are_exact(client, users, period, other_project, city):
    report = period.reports.get(project=other_project)
    services.reports_save(city.users["reporter_b"], period, [
        {"id": report.pk, "version": report.version, "amount": "0.10", "progress": "清淤"}], submit=True)
    client.force_login(users["dispatcher"])
    printed = x.print_rows(client.get(reverse("reports:review_print", args=[period.pk])))
    assert printed[1][:3] == ["合计（2项）", "12.60", "12.60"]
    ws = x.workbook(client.get(reverse("reports:review_xlsx", args=[period.pk]))).active
    assert Decimal(str(x.values(ws)[0][3])) == Decimal("12.6")


def test_a_closed_periods_review_queue_exports_nothing_as_its_page_shows_nothing(client, users, period, city):
    """Submitted reports can no longer be reviewed once the period is closed: the page hides its table,
    and the export and the print page list no report either."""
    services.period_close(city.users["dispatcher"], period, version=period.version, force=True)
    client.force_login(users["dispatcher"])
    page = client.get(reverse("reports:review", args=[period.pk])).content.decode()
    assert "该调度期已关闭，不能再审核。" in page and 'id="review-queue"' not in page
    ws = x.workbook(client.get(reverse("reports:review_xlsx", args=[period.pk]))).active
    totals, *rows = x.values(ws)
    assert totals[0] == "合计（0项）" and rows == []
    printed = x.print_rows(client.get(reverse("reports:review_print", args=[period.pk])))
    assert [r for r in printed[1:] if r and r[0] == "1"] == []
