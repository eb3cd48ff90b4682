"""The ranking results leave the screen (issue #16 §2): the .xlsx's title row says what was ranked (scheme,
period, 考核对象), the download has a Chinese name, the print page is the lists' A4 landscape frame; a
subject outside a published run's rows for the user never appears."""

import pytest
from django.urls import reverse

from tests import exports as x
from tuijin.scoring import services

from ..figures.conftest import today, town  # noqa: F401
from .test_views import published_run

pytestmark = pytest.mark.django_db


def test_the_ranking_export_says_what_was_ranked(client, town):  # noqa: F811
    city = town.city
    _scheme, run = published_run(town)
    client.force_login(city.users["dispatcher"])
    response = client.get(reverse("scoring:run_export", args=[run.pk]))
    assert x.filename_of(response) == x.quoted("县区考核_2026年10月_草稿.xlsx")
    assert 'filename="ranking_' in response["Content-Disposition"]
    ws = x.workbook(response).active
    assert ws["A1"].value == "县区考核 2026年10月（考核对象：县区/园区）"
    assert ws["A2"].value.startswith("草稿　截至2026年10月末，已审核填报　")
    names = [row[2] for row in ws.iter_rows(min_row=5, values_only=True)]
    assert sorted(names) == ["兰山区", "罗庄区"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"  # A4 landscape


def test_the_ranking_prints_on_the_lists_a4_frame(client, town):  # noqa: F811
    city = town.city
    _scheme, run = published_run(town)
    services.run_publish(city.users["dispatcher"], run, version=run.version)
    client.force_login(city.users["dispatcher"])
    html = client.get(reverse("scoring:print", args=[run.pk])).content.decode()
    assert "<h1>县区考核 2026年10月（考核对象：县区/园区）</h1>" in html
    assert "@page { size: A4 landscape; }" in html and "data-print" in html
    assert f'href="{reverse("scoring:run", args=[run.pk])}"' in html  # 返回
    rows = x.print_rows(client.get(reverse("scoring:print", args=[run.pk])))
    assert rows[0][:3] == ["名次", "考核对象", "总分"] and {r[1] for r in rows[1:]} == {"兰山区", "罗庄区"}
    page = client.get(reverse("scoring:run", args=[run.pk])).content.decode()
    assert "导出Excel" in page and "打印" in page
