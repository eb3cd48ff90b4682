"""Lists leave the screen in a real browser (issue #16 §2).

1. On the 问题清单, filtered to 办理中, 导出Excel downloads a workbook with a Chinese name whose title row
   states the filter and which holds exactly that problem, its "=…" text inert.
2. Printed (print media), a list page shows the list alone: no navigation, filters or buttons. Its 打印
   button opens the print page, whose toolbar does not print; the problems list and the Gantt's wall chart
   print as A4 landscape PDFs (kept in test-artifacts/ to look at), the wall chart one row per project.
"""

import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from .conftest import E2EData

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROAD = "兰山区北城新区道路改造工程"
RIVER = "罗庄区河道综合治理"
HANDLING = "=1+1 征地拆迁未完成，影响路基施工"


@pytest.fixture
def problems(e2e_data: E2EData):
    from tuijin.org.models import Unit
    from tuijin.problems.models import Problem, ProblemType

    kind = ProblemType.objects.get_or_create(name="征地拆迁/民事纠纷")[0]
    today = timezone.localdate()
    lanshan = Unit.objects.get(name="兰山区人民政府")
    made = [
        Problem.objects.create(project=e2e_data.projects[ROAD], type=kind, description=HANDLING, raised_on=today,
                               handling_unit=lanshan, status="handling", deadline=today + timedelta(days=10)),
        Problem.objects.create(project=e2e_data.projects[RIVER], type=kind, description="河道清淤许可未批",
                               raised_on=today - timedelta(days=1), status="pending"),
    ]
    return made


def test_export_excel_downloads_the_filtered_problem_list(page, login, live_server, problems):
    login(page, "dispatcher")
    page.goto(f"{live_server.url}/problems/")
    page.get_by_label("状态", exact=True).select_option(label="办理中")
    page.get_by_role("button", name="查询", exact=True).click()
    expect(page.locator("#problems tbody tr")).to_have_count(1)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出Excel", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"问题清单_{timezone.localdate():%Y%m%d}.xlsx"
    with open(download.path(), "rb") as handle:
        ws = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert ws["A1"].value == "问题清单（状态：办理中）"
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert [(r[2], r[3], r[5]) for r in rows] == [(ROAD, HANDLING, "兰山区人民政府")]
    assert ws["D4"].data_type == "s"  # text, not a formula


def _landscape_a4(pdf: bytes) -> bool:
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    return bool(boxes) and all(abs(float(w) - 841.92) < 2 and abs(float(h) - 595.0) < 2 for w, h in boxes)


def test_a_printed_list_shows_the_list_alone_and_prints_on_a4_landscape(page, login, live_server, problems,
                                                                       e2e_data: E2EData, artifacts_dir):
    from tuijin.schedules import services
    from tuijin.schedules.models import MilestoneTemplate

    template = MilestoneTemplate.objects.get(kind="building")
    planned = [e2e_data.projects[ROAD], e2e_data.projects[RIVER]]
    for project in planned:
        services.apply_template(None, project, template, timezone.localdate() + timedelta(days=600))

    login(page, "dispatcher")
    page.goto(f"{live_server.url}/problems/?status=handling")
    page.emulate_media(media="print")
    for hidden in (".navbar", ".filter-bar", "#problems-nav", ".list-export", "footer"):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#problems")).to_be_visible()
    page.emulate_media(media="screen")
    expect(page.locator(".navbar")).to_be_visible()

    with page.context.expect_page() as opened:
        page.get_by_role("link", name="打印", exact=True).click()
    printed = opened.value
    printed.wait_for_load_state()
    expect(printed.locator("h1")).to_have_text("问题清单（状态：办理中）")
    expect(printed.locator("#print-toolbar")).to_be_visible()
    printed.emulate_media(media="print")
    expect(printed.locator("#print-toolbar")).to_be_hidden()
    pdf = printed.pdf(path=str(artifacts_dir / "problems-print.pdf"), prefer_css_page_size=True, print_background=True)
    assert _landscape_a4(pdf)

    printed.goto(f"{live_server.url}/schedules/gantt/print/")
    expect(printed.locator("#wall-chart tbody tr")).to_have_count(len(planned))  # one row per project
    expect(printed.locator("#wall-chart tbody tr").first).to_contain_text(ROAD)
    printed.emulate_media(media="print")
    expect(printed.locator("#print-toolbar")).to_be_hidden()
    pdf = printed.pdf(path=str(artifacts_dir / "gantt-wall-chart.pdf"), prefer_css_page_size=True, print_background=True)
    assert _landscape_a4(pdf)
