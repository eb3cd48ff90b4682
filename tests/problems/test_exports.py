"""The problems app's lists leave the screen (issue #16 §2): 问题清单, 逾期与临期, 办结统计 and meetings'
decisions export to .xlsx with the filter stated in the title row, and print on A4; the same rows as the
page (its FilterSet, its scope, its figures), formula-looking text inert."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import exports as x
from tuijin.problems.choices import Ladder, OrderStatus, ProblemStatus
from tuijin.problems.models import Meeting, SupervisionOrder

from .conftest import kind, today


@pytest.fixture
def two_districts(problem_at, other_project, units):
    """An own (兰山区) problem handled by 市自然资源和规划局, in hand and overdue, and a 罗庄区 one pending."""
    mine = problem_at(ProblemStatus.HANDLING, description="路基施工受阻，3户未签协议",
                      deadline=today() - timedelta(days=4), level=Ladder.COUNTY)
    other = problem_at(ProblemStatus.PENDING, project=other_project, description="河道清淤许可未批",
                       handling_unit=units.luozhuang_government, coordinating_leader=None, type=kind("环评审批"))
    return mine, other


def test_the_problem_list_exports_the_rows_the_page_shows_with_the_filter_in_the_title(client, people, two_districts):
    mine, _other = two_districts
    client.force_login(people["dispatcher"])
    wanted = {"status": ProblemStatus.HANDLING, "level": str(Ladder.COUNTY)}
    ws = x.workbook(client.get(reverse("problems:list_xlsx"), wanted)).active
    assert ws["A1"].value == "问题清单（状态：办理中；协调层级：县区协调）"
    assert ws["A2"].value.startswith(f"逾期天数截至{today().isoformat()}　共1件　导出时间：")
    assert x.header(ws) == ["序号", "状态", "项目", "问题", "问题类型", "责任单位", "协调层级", "协调领导", "解决时限",
                            "逾期天数", "提出日期"]
    (row,) = x.values(ws)
    assert row[:8] == [1, "办理中", mine.project.name, mine.description, "征地拆迁/民事纠纷", "临沂市自然资源和规划局",
                       "县区协调", "王建国"]
    assert row[8].date() == mine.deadline and row[9] == 4 and row[10].date() == mine.raised_on
    # What the page shows in that row, cell by cell.
    page = x.page_rows(client.get(reverse("problems:list"), wanted), "problems")
    (shown,) = page[1:]
    assert shown == ["办理中", mine.project.name, mine.description, "征地拆迁/民事纠纷", "临沂市自然资源和规划局",
                     "县区协调王建国", f"{mine.deadline.isoformat()}逾期4天", mine.raised_on.isoformat()]


def test_an_unfiltered_export_lists_every_problem_and_a_filtered_one_exactly_the_filtered(client, people, two_districts):
    mine, other = two_districts
    client.force_login(people["dispatcher"])
    everything = x.workbook(client.get(reverse("problems:list_xlsx"))).active
    assert everything["A1"].value == "问题清单"
    assert sorted(x.column(everything, "问题")) == sorted([mine.description, other.description])
    pending = x.workbook(client.get(reverse("problems:list_xlsx"), {"status": "pending"})).active
    assert x.column(pending, "问题") == [other.description]
    assert x.column(pending, "责任单位") == ["罗庄区人民政府"]
    typed = x.workbook(client.get(reverse("problems:list_xlsx"), {"type": other.type_id, "q": "清淤"})).active
    assert typed["A1"].value == "问题清单（问题类型：环评审批；关键词：清淤）"
    assert x.column(typed, "问题") == [other.description]


def test_another_districts_problems_never_appear(client, people, two_districts):
    mine, _other = two_districts
    client.force_login(people["reporter_a"])
    ws = x.workbook(client.get(reverse("problems:list_xlsx"))).active
    assert x.column(ws, "问题") == [mine.description]
    printed = client.get(reverse("problems:list_print"))
    assert mine.description in printed.content.decode() and "河道清淤许可未批" not in printed.content.decode()


@pytest.mark.parametrize("text", ["=1+1", "+SUM(A1)", "-2+3", "@cmd"])
def test_a_formula_looking_problem_stays_text(client, people, problem_at, text):
    problem_at(description=text)
    client.force_login(people["dispatcher"])
    ws = x.workbook(client.get(reverse("problems:list_xlsx"))).active
    (cell,) = [c for c in x.text_cells(ws) if c.value == text]
    assert cell.data_type == "s"


def test_the_download_has_a_chinese_name(client, people, two_districts):
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:list_xlsx"))
    assert x.filename_of(response) == x.quoted(f"问题清单_{today():%Y%m%d}.xlsx")
    assert f'filename="problems_{today():%Y%m%d}.xlsx"' in response["Content-Disposition"]
    ws = x.workbook(response).active
    assert (ws.page_setup.paperSize, ws.page_setup.orientation) == (9, "landscape")  # A4, wide
    assert ws.print_title_rows == "$3:$3"  # the header on every printed page
    narrow = x.workbook(client.get(reverse("problems:stats_xlsx"))).active
    assert (narrow.page_setup.paperSize, narrow.page_setup.orientation) == (9, "portrait")  # A4 portrait
    assert "@page { size: A4; }" in client.get(reverse("problems:stats_print")).content.decode()


def test_the_print_page_has_every_row_on_a4_landscape_with_the_filter_in_the_title(client, people, two_districts):
    mine, _other = two_districts
    client.force_login(people["dispatcher"])
    response = client.get(reverse("problems:list_print"), {"status": "handling"})
    html = response.content.decode()
    assert "<h1>问题清单（状态：办理中）</h1>" in html
    assert "@page { size: A4 landscape; }" in html
    assert 'href="/problems/?status=handling"' in html  # 返回 to the list with its filter
    rows = x.print_rows(response)
    assert rows[0] == ["序号", "状态", "项目", "问题", "问题类型", "责任单位", "协调层级", "协调领导", "解决时限", "逾期天数",
                       "提出日期"]
    assert rows[1] == ["1", "办理中", mine.project.name, mine.description, "征地拆迁/民事纠纷", "临沂市自然资源和规划局",
                       "县区协调", "王建国", mine.deadline.isoformat(), "4", mine.raised_on.isoformat()]
    assert len(rows) == 2


def test_the_list_page_has_the_buttons_with_its_filter(client, people, two_districts):
    client.force_login(people["dispatcher"])
    html = client.get(reverse("problems:list"), {"status": "handling", "page": "1"}).content.decode()
    assert '<a class="btn btn-outline-secondary btn-sm" href="/problems/export.xlsx?status=handling" data-export="xlsx">导出Excel</a>' in html
    assert 'href="/problems/print/?status=handling"' in html and ">打印</a>" in html


# ----------------------------------------------------------------------------------- overdue


def test_the_overdue_export_has_the_problems_and_every_order_of_the_tab(client, people, two_districts, project, units):
    mine, _other = two_districts
    order = SupervisionOrder.objects.create(
        year=today().year, seq=7, project=project, basis="problem", problem=mine, unit=units.land, content="=HYPERLINK(1)",
        reply_by=today() - timedelta(days=2), status=OrderStatus.ISSUED, issued_by=people["dispatcher"],
        issued_on=today() - timedelta(days=9))
    client.force_login(people["dispatcher"])
    book = x.workbook(client.get(reverse("problems:overdue_xlsx")))
    problems, orders = book.worksheets
    assert problems.title == "问题" and orders.title == "督办单"
    assert problems["A1"].value == "逾期与临期·问题（时限：已逾期）"
    assert orders["A1"].value == "逾期与临期·督办单（时限：已逾期）"
    assert x.column(problems, "问题") == [mine.description] and x.column(problems, "逾期天数") == [4]
    (row,) = x.values(orders)
    assert row[1:6] == [order.number, "待回复", project.name, "临沂市自然资源和规划局", "=HYPERLINK(1)"] and row[7] == 2
    assert [c.data_type for c in x.text_cells(orders) if c.value == "=HYPERLINK(1)"] == ["s"]
    soon = x.workbook(client.get(reverse("problems:overdue_xlsx"), {"which": "soon"})).worksheets[0]
    assert soon["A1"].value == "逾期与临期·问题（时限：7天内到期）" and x.values(soon) == []
    printed = client.get(reverse("problems:overdue_print")).content.decode()
    assert "<h2>逾期与临期·督办单（时限：已逾期）</h2>" in printed and order.number in printed


# ------------------------------------------------------------------------------------ statistics


def test_the_closure_statistics_export_has_the_pages_figures_and_its_totals_row(client, people, problem_at, units):
    problem_at(ProblemStatus.CLOSED, raised_on=today() - timedelta(days=30))
    problem_at(ProblemStatus.HANDLING, deadline=today() - timedelta(days=1))
    problem_at(ProblemStatus.PENDING, handling_unit=units.transport)
    client.force_login(people["dispatcher"])
    start = today().replace(month=1, day=1)
    ws = x.workbook(client.get(reverse("problems:stats_xlsx"))).active
    assert ws["A1"].value == f"问题办结统计（统计口径：按责任单位；提出日期：{start.isoformat()} 至 今）"
    assert x.header(ws) == ["责任单位", "提出", "已销号", "办结率（%）", "平均办结用时（天）", "未办结", "其中逾期", "无法解决"]
    totals, *rows = x.values(ws)
    assert totals == ["合计", 3, 1, pytest.approx(33.3), 9, 2, 1, 0]
    assert rows == [["临沂市自然资源和规划局", 2, 1, 50, 9, 1, 1, 0], ["临沂市交通运输局", 1, 0, 0, None, 1, 0, 0]]
    page = x.page_rows(client.get(reverse("problems:stats")), "stats")
    assert page[1] == ["临沂市自然资源和规划局", "2", "1", "50.0%", "9.0", "1", "1", "0"]
    assert page[-1] == ["合计", "3", "1", "33.3%", "9.0", "2", "1", "0"]
    printed = x.print_rows(client.get(reverse("problems:stats_print")))
    assert printed[1] == ["合计", "3", "1", "33.3", "9.0", "2", "1", "0"]
    assert printed[2] == ["临沂市自然资源和规划局", "2", "1", "50.0", "9.0", "1", "1", "0"]
    by_type = x.workbook(client.get(reverse("problems:stats_xlsx"), {"by": "type", "start": "2026-06-20", "end": "2026-06-30"})).active
    assert by_type["A1"].value == "问题办结统计（统计口径：按问题类型；提出日期：2026-06-20 至 2026-06-30）"
    assert x.values(by_type)[1:] == [["征地拆迁/民事纠纷", 2, 0, 0, None, 2, 1, 0]]


def test_the_statistics_count_only_the_users_problems(client, people, problem_at, other_project, units):
    problem_at(ProblemStatus.HANDLING)
    problem_at(ProblemStatus.HANDLING, project=other_project, handling_unit=units.luozhuang_government)
    client.force_login(people["reporter_b"])
    ws = x.workbook(client.get(reverse("problems:stats_xlsx"))).active
    assert x.values(ws) == [["合计", 1, 0, 0, None, 1, 0, 0], ["罗庄区人民政府", 1, 0, 0, None, 1, 0, 0]]


# -------------------------------------------------------------------------------------- meetings


@pytest.fixture
def meeting(project, city, people, problem_at, units):
    """A 专题会 on the own project that handed out a problem and an order."""
    held = Meeting.objects.create(kind="topic", title="北城片区推进专题会", held_on=today() - timedelta(days=3),
                                  region=city.regions.city, created_by=people["dispatcher"])
    held.projects.set([project])
    problem_at(ProblemStatus.HANDLING, meeting=held, description="=协调电力迁改", deadline=today() - timedelta(days=1))
    SupervisionOrder.objects.create(
        year=today().year, seq=9, project=project, basis="project", meeting=held, unit=units.land, content="加快用地报批",
        reply_by=today() + timedelta(days=5), status=OrderStatus.ISSUED, issued_by=people["dispatcher"],
        issued_on=today() - timedelta(days=3))
    Meeting.objects.create(kind="regular", title="半月例会", held_on=today() - timedelta(days=10), region=city.regions.city)
    return held


def test_the_meetings_export_lists_each_decision_with_its_status_now(client, people, meeting, project):
    client.force_login(people["dispatcher"])
    ws = x.workbook(client.get(reverse("problems:meetings_xlsx"))).active
    assert ws["A1"].value == "会议交办事项"
    assert "2次会议，2项交办事项" in ws["A2"].value
    rows = x.values(ws)
    assert [r[3] for r in rows] == ["北城片区推进专题会", "北城片区推进专题会", "半月例会"]
    assert rows[0][4:] == ["问题", project.name, "=协调电力迁改", "临沂市自然资源和规划局", rows[0][8], "办理中", 1]
    assert rows[1][4] == f"督办单 督办〔{today().year}〕9号" and rows[1][9] == "待回复" and rows[1][10] is None
    assert rows[2][4:8] == [None, None, "（未交办事项）", None]
    assert [c.data_type for c in x.text_cells(ws) if c.value == "=协调电力迁改"] == ["s"]
    special = x.workbook(client.get(reverse("problems:meetings_xlsx"), {"kind": "topic"})).active
    assert special["A1"].value == "会议交办事项（类型：专题会）"
    assert {r[3] for r in x.values(special)} == {"北城片区推进专题会"}


def test_one_meetings_decisions_print_and_another_districts_do_not_show(client, people, meeting, other_project, units):
    SupervisionOrder.objects.create(
        year=today().year, seq=10, project=other_project, basis="project", meeting=meeting, unit=units.luozhuang_government,
        content="罗庄区河道督办", reply_by=today(), status=OrderStatus.ISSUED, issued_on=today())
    client.force_login(people["reporter_a"])
    ws = x.workbook(client.get(reverse("problems:meeting_xlsx", args=[meeting.pk]))).active
    assert ws["A1"].value == "北城片区推进专题会交办事项"
    assert [r[6] for r in x.values(ws)] == ["=协调电力迁改", "加快用地报批"]
    html = client.get(reverse("problems:meeting_print", args=[meeting.pk])).content.decode()
    assert "加快用地报批" in html and "罗庄区河道督办" not in html
    client.force_login(people["dispatcher"])
    assert "罗庄区河道督办" in client.get(reverse("problems:meeting_print", args=[meeting.pk])).content.decode()
