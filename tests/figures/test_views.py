"""The 统计分析 page and its drill-down in the browser's terms: what each principal sees, the stated
basis, the links from every number and to the ledger, and bad input."""

import re
from html import unescape

import pytest
from django.urls import reverse


def get(client, user, name="figures:index", **params):
    client.force_login(user)
    return client.get(reverse(name), params)


def test_the_page_states_the_basis_and_links_each_number_to_its_rows(town, city, client):
    response = get(client, city.users["dispatcher"], period="2026-10", by="region")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span class="small ms-2" id="figures-basis">截至2026年10月，已审核填报</span>' in page
    assert 'data-group="371302"' in page and 'data-group="371311"' in page and 'data-group="371300-self"' in page
    links = [unescape(href) for href in re.findall(r'href="(/figures/explain/\?[^"]+)"', page)]
    assert any("figure=plan_rate" in link and "group=371302" in link and "period=2026-10" in link for link in links)
    ledger = unescape(re.search(r'id="figures-ledger" href="([^"]+)"', page).group(1))
    assert ledger.startswith("/projects/?") and "admission=admitted" in ledger and "year=2026" in ledger
    assert "1—10月累计完成投资0.23亿元，完成年度计划的32.4%，低于序时进度47.8个百分点" in page


def test_the_drill_down_lists_the_rows_and_opens_the_ledger(town, city, client):
    response = get(client, city.users["dispatcher"], "figures:explain", period="2026-10", by="region",
                   figure="completed", group="371302")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<span id="explain-value">1,032.00</span>' in page
    assert "截至2026年10月，已审核填报" in page
    assert "兰山快速路" in page and "2026年10月 已审核 572.00万元" in page
    assert "罗庄河道" not in page
    ledger = unescape(re.search(r'id="explain-ledger" href="([^"]+)"', page).group(1))
    assert "region=" in ledger and "as_of=" in ledger


def test_a_district_clerk_sees_only_their_district(town, city, client):
    page = get(client, city.users["reporter_a"], period="2026-10", by="region").content.decode()
    assert "兰山区" in page and "罗庄区" not in page and "临沂市本级" not in page
    response = get(client, city.users["reporter_a"], "figures:explain", period="2026-10", by="region",
                   figure="projects", group="371311")
    assert response.status_code == 404
    response = get(client, city.users["reporter_b"], "figures:explain", period="2026-10", by="lead_unit",
                   figure="completed", group=str(city.units.lanshan_government.pk))
    assert response.status_code == 404


@pytest.mark.parametrize(("params", "message"), [
    ({"period": "2026-13"}, "统计期“2026-13”格式不正确"),
    ({"period": "2026-10", "by": "town"}, "分组“town”不存在"),
    ({"period": "2026-10", "level": "999999"}, "筛选条件不正确"),
])
def test_bad_input_shows_the_reason(town, city, client, params, message):
    response = get(client, city.users["dispatcher"], **params)
    assert response.status_code == 400
    assert message in response.content.decode()
    response = get(client, city.users["dispatcher"], "figures:explain", figure="projects", **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unknown_figure_is_a_bad_request(town, city, client):
    response = get(client, city.users["dispatcher"], "figures:explain", period="2026-10", figure="speed")
    assert response.status_code == 400
    assert "指标“speed”不存在" in response.content.decode()


def test_without_a_period_the_page_takes_the_latest_month_begun(town, city, client):
    page = get(client, city.users["dispatcher"]).content.decode()
    assert "截至2026年11月，已审核填报" in page
