"""Hard input seen to answer 500 (issue #13 §6): each is now a 400 or a form error with a Chinese
message, and nothing is written. tests/test_fuzz.py searches for the rest."""


import pytest
from django.urls import reverse

from tuijin.core.parsing import DB_INT_MAX, parse_id, parse_int
from tuijin.reports import services as report_services

from . import factories as f

pytestmark = pytest.mark.django_db

BIG_ID = "99999999999999999999"
HUGE_AMOUNTS = ["1e309", "-1e309", "1e26", "9" * 29]


@pytest.fixture
def period(on_day, city, own_project, other_project):
    return report_services.period_open(None, year=on_day.year, month=on_day.month,
                                       project_ids=[own_project.pk, other_project.pk])


@pytest.fixture
def report(period, own_project):
    return period.reports.get(project=own_project)


@pytest.fixture
def reporter(client, users):
    client.force_login(users["reporter_a"])
    return client


def test_parse_int_refuses_what_the_database_cannot_hold():
    assert parse_int("42") == 42 and parse_int(" -7 ") == -7
    assert parse_int(str(DB_INT_MAX)) == DB_INT_MAX
    for junk in (str(DB_INT_MAX + 1), BIG_ID, "1e3", "1.0", "abc", "", None, "1_000", "０", True):
        assert parse_int(junk) is None, junk
    assert parse_id("0") is None and parse_id("-3") is None and parse_id("3") == 3
    assert parse_int("5", minimum=1, maximum=4) is None


@pytest.mark.parametrize("amount", HUGE_AMOUNTS)
def test_a_huge_amount_in_the_report_form_is_a_form_error(reporter, report, db_state, amount):
    before = db_state()
    response = reporter.post(reverse("reports:report", args=[report.pk]),
                             {"action": "save", "version": report.version, "amount": amount})
    assert response.status_code == 400
    assert "本期完成投资超出允许范围" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("amount", HUGE_AMOUNTS)
@pytest.mark.parametrize("autosave", [False, True])
def test_a_huge_amount_in_the_grid_is_refused(reporter, period, report, db_state, amount, autosave):
    before = db_state()
    headers = {"HTTP_X_TUIJIN_AUTOSAVE": "1"} if autosave else {}
    response = reporter.post(reverse("reports:grid", args=[period.pk]), {
        "action": "save", "row": [report.pk], f"r{report.pk}-version": report.version, f"r{report.pk}-amount": amount,
    }, **headers)
    assert response.status_code == 400
    if autosave:
        assert response.json()["errors"][str(report.pk)]["amount"] == ["本期完成投资超出允许范围"]
    else:
        assert "本期完成投资超出允许范围" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize("version", ["abc", "1.5", BIG_ID])
@pytest.mark.parametrize("autosave", [False, True])
def test_a_non_numeric_version_in_the_grid_is_a_400(reporter, period, report, db_state, version, autosave):
    before = db_state()
    headers = {"HTTP_X_TUIJIN_AUTOSAVE": "1"} if autosave else {}
    response = reporter.post(reverse("reports:grid", args=[period.pk]), {
        "action": "save", "row": [report.pk], f"r{report.pk}-version": version, f"r{report.pk}-amount": "12.00",
    }, **headers)
    assert response.status_code == 400
    message = "页面数据有误（版本号不正确），本行没有保存，请刷新页面后重试"
    if autosave:
        assert response.json()["errors"][str(report.pk)]["__all__"] == [message]
    else:
        assert message in response.content.decode()
    assert db_state() == before


def test_a_page_number_beyond_bigint_shows_the_last_page(client, users, own_project):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("projects:list"), {"page": BIG_ID})
    assert response.status_code == 200
    assert own_project.name in response.content.decode()


@pytest.mark.parametrize("name", ["region", "leader", "unit", "program", "level", "category", "stage"])
def test_an_out_of_range_filter_id_on_the_ledger_is_a_form_error(client, users, own_project, name):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("projects:list"), {name: BIG_ID})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()


@pytest.mark.parametrize("name", ["unit", "type", "level"])
def test_an_out_of_range_filter_on_the_problem_list_is_a_400(client, users, name):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("problems:list"), {name: BIG_ID})
    assert response.status_code == 400
    body = response.content.decode()
    assert "请求有误" in body and f"参数“{name}”" in body


def test_the_problem_list_pages_past_bigint(client, users):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("problems:list"), {"page": BIG_ID})
    assert response.status_code == 200
    page = response.context["page"]
    assert page.number == page.paginator.num_pages  # the last page, as for any page past the end


@pytest.mark.parametrize("year", ["99999999999999", "-5", "1999", "2101"])
def test_an_impossible_year_on_a_projects_report_page_is_a_400(client, users, own_project, year):
    client.force_login(users["dispatcher"])
    response = client.get(reverse("reports:project", args=[own_project.pk]), {"year": year})
    assert response.status_code == 400
    assert "年度不正确（应为2000至2100年）" in response.content.decode()


def test_an_out_of_range_id_in_a_multiple_choice_is_a_form_error(client, users, regions, db_state):
    client.force_login(users["dispatcher"])
    before = db_state()
    data = f.project_form_data(f.ProjectFactory.build(name="超大编号项目", region=regions.lanshan))
    data["contracted_leaders"] = BIG_ID
    response = client.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert "contracted_leaders" in response.context["form"].errors
    assert db_state() == before


@pytest.mark.parametrize("where", ["get", "post"])
def test_a_nul_character_in_a_parameter_is_a_400(client, users, own_project, db_state, where):
    client.force_login(users["dispatcher"])
    before = db_state()
    if where == "get":
        response = client.get(reverse("projects:list"), {"q": "北城\x00"})
    else:
        data = f.project_form_data(own_project, remarks="备注\x00")
        response = client.post(reverse("projects:edit", args=[own_project.pk]), data)
    assert response.status_code == 400
    assert "提交的内容含有不允许的控制字符（NUL）" in response.content.decode()
    assert db_state() == before


def test_an_id_beyond_bigint_in_any_url_path_is_a_404_or_refusal(client, users):
    """/projects/99999999999999999999/ and the like: never a 500 (the lookups match nothing)."""
    from django.urls import NoReverseMatch

    from .test_permission_matrix import project_url_names

    client.force_login(users["dispatcher"])
    client.raise_request_exception = False
    tried = []
    for name in sorted(project_url_names()):
        for args in ([BIG_ID], [BIG_ID, "2026"], [BIG_ID, "accept"]):
            try:
                url = reverse(name, args=args)
            except NoReverseMatch:
                continue
            for method in (client.get, client.post):
                status = method(url).status_code
                assert status in {302, 400, 403, 404, 405}, f"{url} → {status}"
            tried.append(url)
            break
    assert len(tried) > 40
