"""Bad input on every ledger form: the Chinese message is shown and nothing is written."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.projects import services
from tuijin.projects.models import AnnualPlan, Project
from tuijin.projects.selectors import current_year

from . import factories as f
from .clock import YEAR_END

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("on_day")]  # on a chosen day of 2026 (tests/clock.py)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def as_reporter(client, users):
    client.force_login(users["reporter_a"])
    return client


@pytest.fixture
def as_dispatcher(client, users):
    client.force_login(users["dispatcher"])
    return client


@pytest.fixture
def new_project_data(regions):
    """A valid 新增项目 form for 兰山区; tests spoil one field at a time."""

    def data(**overrides):
        draft = f.ProjectFactory.build(name="兰山区新建测试项目", region=regions.lanshan, total_investment=Decimal("100.00"))
        return f.project_form_data(draft, **overrides)

    return data


def test_the_valid_new_project_form_is_accepted(as_reporter, new_project_data):
    """The baseline every bad-input test spoils: without it a 200 could mean anything."""
    response = as_reporter.post(reverse("projects:create"), new_project_data())
    assert response.status_code == 302
    assert Project.objects.filter(name="兰山区新建测试项目").exists()


# ------------------------------------------------------------------------------ project: create


def test_a_code_in_the_national_format_is_accepted(as_reporter, new_project_data):
    response = as_reporter.post(reverse("projects:create"), new_project_data(code="2026-371302-48-01-012345"))
    assert response.status_code == 302
    assert Project.objects.get(name="兰山区新建测试项目").code == "2026-371302-48-01-012345"

# The form tests below run late on the last day of a year (tests/clock.py): "tomorrow" is next year.
TODAY = date(*YEAR_END)
TOMORROW = TODAY + timedelta(days=1)
ON_TODAY = pytest.mark.parametrize("on_day", [(*YEAR_END, 23, 30)], indirect=True)
BAD_PROJECT_INPUT = [
    pytest.param({"total_investment": "-1.00"}, "总投资不能为负数", id="negative-total"),
    pytest.param({"fund_central": "-5.00"}, "资金金额不能为负数", id="negative-fund"),
    pytest.param(
        {"total_investment": "100.00", "fund_central": "60.00", "fund_local": "50.50"},
        "资金来源合计（110.50万元）超过总投资（100.00万元）",
        id="fund-mix-above-total",
    ),
    pytest.param(
        {"planned_start": "2026-06-01", "planned_completion": "2026-05-31"},
        "计划竣工日期不能早于计划开工日期",
        id="planned-completion-before-start",
    ),
    pytest.param(
        {"actual_start": "2025-06-01", "actual_completion": "2025-05-31"},
        "实际竣工日期不能早于实际开工日期",
        id="actual-completion-before-start",
    ),
    pytest.param({"actual_start": TOMORROW.isoformat()}, "实际开工日期不能晚于今天", id="actual-start-in-future"),
    pytest.param(
        {"actual_start": TODAY.isoformat(), "actual_completion": TOMORROW.isoformat()},
        "实际竣工日期不能晚于今天",
        id="actual-completion-in-future",
    ),
    pytest.param(
        {"actual_completion": "2025-05-31", "actual_start": ""},
        "已填写实际竣工日期时，须填写实际开工日期",
        id="actual-completion-without-start",
    ),
    pytest.param({"start_year": "2027", "end_year": "2026"}, "建设截止年不能早于起始年", id="end-year-before-start"),
    pytest.param(
        {"code": "2026-37130-48-01-012345"},
        "项目代码格式应为“年份-6位区划代码-2位行业代码-2位类型代码-6位流水号”，如 2026-371302-48-01-012345",
        id="bad-code-format",
    ),
    pytest.param({"total_investment": "abc"}, "输入一个数字。", id="garbage-amount"),
    pytest.param({"total_investment": "NaN"}, "输入一个数字。", id="nan-amount"),
    pytest.param({"name": ""}, "这个字段是必填项。", id="missing-name"),
    # The location (落地地图): both halves or neither, in China, readable.
    pytest.param({"longitude": "35.06", "latitude": "118.34"}, "经度35.06、纬度118.34填反了", id="location-swapped"),
    pytest.param({"longitude": "118.34", "latitude": ""}, "经度和纬度须同时填写（或都不填）", id="location-half"),
    pytest.param({"longitude": "160", "latitude": "35.06"}, "经度160不在中国境内（东经73°—136°）", id="location-abroad"),
    pytest.param({"longitude": "东门外", "latitude": "35.06"}, "“东门外”不是有效的经度", id="location-garbage"),
]


@ON_TODAY
@pytest.mark.parametrize(("overrides", "message"), BAD_PROJECT_INPUT)
def test_bad_input_on_new_project_shows_the_message_and_writes_nothing(
    on_day, as_reporter, new_project_data, db_state, overrides, message
):
    before = db_state()
    response = as_reporter.post(reverse("projects:create"), new_project_data(**overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert "保存失败，请修改标红的内容后重新提交。" in text(response)
    assert db_state() == before


def test_amounts_in_messages_have_two_decimals_whatever_was_typed(as_reporter, new_project_data, db_state):
    before = db_state()
    data = new_project_data(total_investment="100", fund_central="60", fund_local="50.5")
    response = as_reporter.post(reverse("projects:create"), data)
    assert "资金来源合计（110.50万元）超过总投资（100.00万元）" in text(response)
    assert db_state() == before


def test_a_duplicate_project_code_is_refused_naming_the_project_that_has_it(
    as_reporter, new_project_data, own_project, db_state
):
    before = db_state()
    response = as_reporter.post(reverse("projects:create"), new_project_data(code=own_project.code))
    assert response.status_code == 200
    assert f"项目代码 {own_project.code} 已被项目“{own_project.name}”使用" in text(response)
    assert db_state() == before


def test_an_archived_projects_code_may_be_reused(as_reporter, new_project_data, own_project):
    Project.objects.filter(pk=own_project.pk).update(is_archived=True)
    response = as_reporter.post(reverse("projects:create"), new_project_data(code=own_project.code))
    assert response.status_code == 302
    new = Project.objects.exclude(pk=own_project.pk).get(code=own_project.code)
    assert not new.is_archived and response["Location"] == reverse("projects:plan_create", args=[new.pk])


def test_a_region_outside_the_reporters_scope_is_refused_on_create(as_reporter, new_project_data, regions, db_state):
    before = db_state()
    response = as_reporter.post(reverse("projects:create"), new_project_data(region=regions.luozhuang.pk))
    assert response.status_code == 200
    assert "选择一个有效的选项" in text(response)
    assert db_state() == before


def test_the_create_service_refuses_a_region_outside_the_users_scope(users, regions, db_state):
    before = db_state()
    draft = f.ProjectFactory.build(name="越权项目", region=regions.luozhuang)
    with pytest.raises(ValidationError) as error:
        services.project_create(users["reporter_a"], draft)
    assert error.value.message_dict["region"] == ["您无权在“罗庄区”登记项目"]
    assert db_state() == before


def test_the_same_leader_cannot_be_both_contracted_and_linked(as_reporter, new_project_data, contact_leader, db_state):
    before = db_state()
    data = new_project_data(contracted_leaders=[str(contact_leader.pk)], linked_leaders=[str(contact_leader.pk)])
    response = as_reporter.post(reverse("projects:create"), data)
    assert response.status_code == 200
    assert "同一位领导不能同时是分包领导和挂点领导" in text(response)
    assert db_state() == before


# -------------------------------------------------------------------------------- project: edit


@ON_TODAY
@pytest.mark.parametrize(("overrides", "message"), BAD_PROJECT_INPUT)
def test_bad_input_on_project_edit_shows_the_message_and_writes_nothing(
    on_day, as_reporter, own_project, db_state, overrides, message
):
    before = db_state()
    response = as_reporter.post(reverse("projects:edit", args=[own_project.pk]), f.project_form_data(own_project, **overrides))
    assert response.status_code == 200
    assert message in text(response)
    assert db_state() == before


def test_a_location_typed_in_any_usual_form_is_saved_with_history(as_reporter, own_project):
    data = f.project_form_data(own_project, longitude="１１８°２０′２４″", latitude="35.0612345", reason="标注位置")
    response = as_reporter.post(reverse("projects:edit", args=[own_project.pk]), data)
    assert response.status_code == 302
    own_project.refresh_from_db()
    assert (own_project.longitude, own_project.latitude) == (Decimal("118.340000"), Decimal("35.061235"))
    latest = own_project.history.latest("history_date")
    assert (latest.longitude, latest.latitude, latest.history_change_reason) == (
        Decimal("118.340000"), Decimal("35.061235"), "标注位置")


def test_the_form_offers_the_small_map_of_the_regions_city(as_reporter, own_project):
    page = text(as_reporter.get(reverse("projects:edit", args=[own_project.pk])))
    from tuijin.org.geo import boundary_url

    if boundary_url("371300") is None:
        pytest.skip("vendor/geo not built (npm run vendor)")
    assert 'id="location-picker"' in page and "/static/vendor/geo/371300.json" in page


def test_an_edit_without_the_version_is_refused(as_reporter, own_project, db_state):
    before = db_state()
    response = as_reporter.post(
        reverse("projects:edit", args=[own_project.pk]),
        f.project_form_data(own_project, version=None, total_investment="20000.00"),
    )
    assert response.status_code == 200
    assert "表单缺少版本号，请刷新页面后重试" in text(response)
    assert db_state() == before


def test_total_investment_cannot_drop_below_an_annual_plan_and_completed_before(as_reporter, own_project, db_state):
    AnnualPlan.objects.filter(project=own_project).update(completed_before=Decimal("3000.00"))
    before = db_state()
    response = as_reporter.post(
        reverse("projects:edit", args=[own_project.pk]), f.project_form_data(own_project, total_investment="4999.99")
    )
    assert response.status_code == 200
    assert f"总投资不能小于{current_year()}年的上年底累计完成投资与年度计划投资之和（5,000.00万元）" in text(response)
    assert db_state() == before


def test_a_duplicate_code_is_refused_on_edit(as_reporter, own_project, other_project, db_state):
    before = db_state()
    response = as_reporter.post(
        reverse("projects:edit", args=[own_project.pk]), f.project_form_data(own_project, code=other_project.code)
    )
    assert f"项目代码 {other_project.code} 已被项目“{other_project.name}”使用" in text(response)
    assert db_state() == before


def test_an_archived_project_cannot_be_edited(as_dispatcher, own_project, db_state):
    Project.objects.filter(pk=own_project.pk).update(is_archived=True)
    before = db_state()
    response = as_dispatcher.post(
        reverse("projects:edit", args=[own_project.pk]), f.project_form_data(own_project, name="改名"), follow=True
    )
    assert "已归档的项目不能修改" in text(response)
    assert db_state() == before


# ---------------------------------------------------------------------------------- annual plans

NEXT_YEAR = 2027
BAD_PLAN_INPUT = [
    pytest.param({"planned_investment": "-0.01"}, "年度计划投资不能为负数", id="negative-plan"),
    pytest.param({"completed_before": "-0.01"}, "累计完成投资不能为负数", id="negative-completed-before"),
    pytest.param(
        {"completed_before": "4000.00", "planned_investment": "8345.68"},
        "年度计划投资不能超过剩余投资 8,345.67万元（总投资 12,345.67 − 上年底累计 4,000.00）",
        id="plan-above-remaining",
    ),
    pytest.param(
        {"completed_before": "12345.68", "planned_investment": "0.00"},
        "上年底累计完成投资不能超过总投资（12,345.67万元）",
        id="completed-before-above-total",
    ),
    pytest.param(
        {"planned_start": f"{NEXT_YEAR}-06-01", "planned_completion": f"{NEXT_YEAR}-05-01"},
        "年内计划竣工不能早于年内计划开工",
        id="completion-before-start",
    ),
    pytest.param({"planned_investment": "garbage"}, "输入一个数字。", id="garbage-amount"),
    pytest.param({"planned_investment": ""}, "这个字段是必填项。", id="missing-amount"),
]


def test_a_valid_new_annual_plan_is_accepted(as_reporter, own_project):
    response = as_reporter.post(
        reverse("projects:plan_create", args=[own_project.pk]),
        f.plan_form_data(year=NEXT_YEAR, planned_investment="10345.67"),
    )
    assert response.status_code == 302
    assert AnnualPlan.objects.filter(project=own_project, year=NEXT_YEAR).exists()


@pytest.mark.parametrize(("overrides", "message"), BAD_PLAN_INPUT)
def test_bad_input_on_a_new_annual_plan_shows_the_message_and_writes_nothing(
    as_reporter, own_project, db_state, overrides, message
):
    before = db_state()
    response = as_reporter.post(
        reverse("projects:plan_create", args=[own_project.pk]), f.plan_form_data(year=NEXT_YEAR, **overrides)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert "保存失败，请修改标红的内容后重新提交。" in text(response)
    assert db_state() == before


@pytest.mark.parametrize(("overrides", "message"), BAD_PLAN_INPUT)
def test_bad_input_on_an_annual_plan_edit_shows_the_message_and_writes_nothing(
    as_reporter, own_project, db_state, overrides, message
):
    plan = AnnualPlan.objects.get(project=own_project)
    before = db_state()
    response = as_reporter.post(
        reverse("projects:plan_edit", args=[own_project.pk, plan.year]), f.plan_form_data(plan, **overrides)
    )
    assert response.status_code == 200
    assert message.replace(str(NEXT_YEAR), str(plan.year)) in text(response)
    assert db_state() == before


def test_a_second_plan_for_the_same_year_is_refused(as_reporter, own_project, db_state):
    before = db_state()
    response = as_reporter.post(
        reverse("projects:plan_create", args=[own_project.pk]), f.plan_form_data(year=current_year())
    )
    assert response.status_code == 200
    assert f"该项目{current_year()}年的年度计划已存在" in text(response)
    assert db_state() == before


def test_an_annual_plan_edit_without_the_version_is_refused(as_reporter, own_project, db_state):
    plan = AnnualPlan.objects.get(project=own_project)
    before = db_state()
    response = as_reporter.post(
        reverse("projects:plan_edit", args=[own_project.pk, plan.year]),
        f.plan_form_data(plan, version="", planned_investment="10.00"),
    )
    assert response.status_code == 200
    assert "表单缺少版本号，请刷新页面后重试" in text(response)
    assert db_state() == before


# --------------------------------------------------------------------------------------- archive


def test_archiving_without_a_reason_is_refused(as_dispatcher, own_project, db_state):
    before = db_state()
    response = as_dispatcher.post(
        reverse("projects:archive", args=[own_project.pk]), {"version": own_project.version, "reason": "  "}, follow=True
    )
    assert "请填写归档原因" in text(response)
    assert db_state() == before


def test_archiving_without_a_version_is_refused(as_dispatcher, own_project, db_state):
    before = db_state()
    response = as_dispatcher.post(
        reverse("projects:archive", args=[own_project.pk]), {"reason": "项目取消"}, follow=True
    )
    assert "表单缺少版本号，请刷新页面后重试" in text(response)
    assert db_state() == before


def test_a_refused_archive_stays_on_the_project_with_the_reason_typed(as_dispatcher, own_project, db_state):
    """Issue #13 §1: no redirect that loses the reason typed."""
    before = db_state()
    response = as_dispatcher.post(reverse("projects:archive", args=[own_project.pk]), {"reason": "与二期合并建设"})
    assert response.status_code == 400
    assert response.context["project"].pk == own_project.pk
    assert "表单缺少版本号，请刷新页面后重试" in text(response)
    assert 'value="与二期合并建设"' in text(response)
    assert db_state() == before


def test_archiving_an_archived_project_again_is_refused(as_dispatcher, own_project, db_state):
    Project.objects.filter(pk=own_project.pk).update(is_archived=True)
    before = db_state()
    response = as_dispatcher.post(
        reverse("projects:archive", args=[own_project.pk]), {"version": own_project.version, "reason": "再次归档"},
        follow=True,
    )
    assert "该项目已归档" in text(response)
    assert db_state() == before


def test_archiving_keeps_the_row_instead_of_deleting_it(as_dispatcher, own_project):
    response = as_dispatcher.post(
        reverse("projects:archive", args=[own_project.pk]), {"version": own_project.version, "reason": "项目取消"}
    )
    assert response.status_code == 302
    own_project.refresh_from_db()
    assert own_project.is_archived
    assert own_project.archived_at is not None
    assert AnnualPlan.objects.filter(project=own_project).exists()


def test_no_ledger_url_deletes_a_project(as_dispatcher, own_project, db_state):
    before = db_state()
    for name in ("projects:detail", "projects:edit", "projects:archive", "projects:plans", "projects:history"):
        as_dispatcher.delete(reverse(name, args=[own_project.pk]))
    as_dispatcher.delete(reverse("projects:plan_edit", args=[own_project.pk, current_year()]))
    assert db_state() == before


# ----------------------------------------------------------------------------------------- login


def test_a_wrong_password_shows_the_chinese_message_and_logs_nobody_in(client, users):
    dispatcher = users["dispatcher"]
    response = client.post(reverse("login"), {"username": "dispatcher", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码错误。连续失败5次，账号将被锁定30分钟。" in text(response)
    assert SESSION_KEY not in client.session
    dispatcher.refresh_from_db()
    assert dispatcher.last_login is None


def test_an_empty_login_form_asks_for_both_fields(client, users):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    assert response.status_code == 200
    assert text(response).count("这个字段是必填项。") == 2
    assert SESSION_KEY not in client.session


def test_an_unknown_user_gets_the_same_message_as_a_wrong_password(client, users):
    response = client.post(reverse("login"), {"username": "nobody-here", "password": "whatever-1234"})
    assert "用户名或密码错误。连续失败5次，账号将被锁定30分钟。" in text(response)
    assert SESSION_KEY not in client.session
