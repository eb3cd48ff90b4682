"""Scoring writes: schemes (editor, import/export, presets), exemptions, sheets, vetoes — each refusal
says why in Chinese and writes nothing; each change keeps history."""

import copy
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.exceptions import ConflictError
from tuijin.scoring import selectors, services
from tuijin.scoring.models import Exemption, ManualScore, Run, Scheme, Veto
from tuijin.scoring.presets import PRESETS

pytestmark = pytest.mark.django_db


def config(city, *members):
    return {
        "series": [{"name": "县区", "kind": "region", "red": 1, "black": 1,
                    "members": list(members or (city.regions.lanshan.pk, city.regions.luozhuang.pk))}],
        "indicators": [
            {"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "60",
             "curve": {"kind": "linear", "target": "100"}},
            {"code": "quality", "name": "工程质量", "source": "manual", "weight": "10", "curve": {"kind": "linear", "target": "10"}},
            {"code": "pitch", "name": "擂台赛", "source": "judges", "weight": "20", "curve": {"kind": "linear", "target": "100"}},
        ],
    }


def new_scheme(city, **extra):
    fields = dict(code="county-monthly", name="县区月度考核", period_kind="month",
                  basis="本市考核办法", target_figure="plan_rate", target_value="100")
    document = extra.pop("config", None) or config(city)
    fields.update(extra)
    return services.scheme_save(city.users["dispatcher"], None, config=document, **fields)


def test_a_scheme_is_saved_with_history(city):
    scheme = new_scheme(city)
    assert (scheme.code, scheme.kinds, scheme.target_value, scheme.version) == ("county-monthly", ["region"], D(100), 1)
    assert scheme.config["series"][0]["members"] == [city.regions.lanshan.pk, city.regions.luozhuang.pk]
    record = scheme.history.latest()
    assert (record.history_user, record.history_change_reason) == (city.users["dispatcher"], "新建考核方案")


def test_only_the_office_configures_schemes(city):
    for name in ("leader", "reporter_a", "inspector", "handler"):
        with pytest.raises(PermissionDenied):
            services.scheme_save(city.users[name], None, config=config(city), code="x", name="x", period_kind="month")
    assert not Scheme.objects.exists()


@pytest.mark.parametrize("change, field, message", [
    (dict(code="县区"), "code", "方案代码只能含英文字母、数字、下划线或连字符"),
    (dict(name=""), "name", "请填写方案名称"),
    (dict(period_kind="week"), "period_kind", "请选择考核周期"),
    (dict(target_figure="gdp"), "target_figure", "统计指标“gdp”不存在"),
    (dict(target_value="一百"), "target_value", "目标值应为数字"),
])
def test_bad_header_is_refused_in_chinese_and_nothing_is_written(city, change, field, message):
    with pytest.raises(ValidationError) as error:
        new_scheme(city, **change)
    assert message in error.value.message_dict[field][0]
    assert not Scheme.objects.exists()


def test_a_bad_document_lists_every_problem_and_writes_nothing(city):
    bad = config(city)
    bad["indicators"][0]["figure"] = "gdp"
    bad["series"][0]["members"].append(999999)
    with pytest.raises(ValidationError) as error:
        new_scheme(city, config=bad)
    messages = error.value.message_dict["config"]
    assert any("统计指标“gdp”不存在" in m for m in messages)
    assert not Scheme.objects.exists()
    with pytest.raises(ValidationError) as error:
        new_scheme(city, config=config(city, 999999))
    assert error.value.message_dict["config"] == ["考核对象不存在：县区/园区#999999"]


def test_a_code_is_used_once(city):
    new_scheme(city)
    with pytest.raises(ValidationError) as error:
        new_scheme(city, name="另一个")
    assert error.value.message_dict["code"] == ["方案代码“county-monthly”已被使用"]
    assert Scheme.objects.count() == 1


def test_a_stale_edit_is_refused_with_who_and_when(city):
    scheme = new_scheme(city)
    dispatcher = city.users["dispatcher"]
    services.scheme_save(dispatcher, scheme, version=1, config=config(city), code=scheme.code, name="改名一次",
                         period_kind="month")
    stale = Scheme.objects.get(pk=scheme.pk)
    stale.version = 1
    with pytest.raises(ConflictError) as error:
        services.scheme_save(dispatcher, stale, version=1, config=config(city), code=scheme.code, name="改名两次",
                             period_kind="month")
    assert "已被张调度于" in str(error.value.message)
    assert Scheme.objects.get(pk=scheme.pk).name == "改名一次"


def test_export_then_import_matches_members_by_name(city):
    scheme = new_scheme(city)
    document = selectors.scheme_document(scheme)
    assert document["series"][0]["members"] == ["兰山区", "罗庄区"]
    assert document["format"] == "tuijin-scheme"
    shared = {**copy.deepcopy(document), "code": "shared", "name": "共享的方案"}
    imported = services.scheme_import(city.users["dispatcher"], shared)
    assert imported.config == scheme.config
    unknown = {**copy.deepcopy(document), "code": "other"}
    unknown["series"][0]["members"] = ["兰山区", "高新区"]
    with pytest.raises(ValidationError) as error:
        services.scheme_import(city.users["dispatcher"], unknown)
    assert error.value.message_dict["config"] == ["以下考核对象在本系统中找不到，请先核对名称：高新区"]
    assert not Scheme.objects.filter(code="other").exists()
    with pytest.raises(ValidationError) as error:
        services.scheme_import(city.users["dispatcher"], [1, 2])
    assert error.value.message_dict["config"] == ["文件不是推进平台导出的考核方案（JSON）"]


@pytest.mark.parametrize("code", sorted(PRESETS))
def test_each_preset_installs_once(city, code):
    scheme = services.preset_install(city.users["dispatcher"], code)
    assert scheme.code == code and scheme.config["series"][0]["members"] == []
    assert len(scheme.config["indicators"]) == len(PRESETS[code]["indicators"])
    with pytest.raises(ValidationError) as error:
        services.preset_install(city.users["dispatcher"], code)
    assert "该预设方案已安装" in error.value.message_dict["preset"][0]
    assert Scheme.objects.filter(code=code).count() == 1


def test_an_exemption_needs_a_member_a_reason_and_dates(city):
    scheme = new_scheme(city)
    dispatcher, lanshan = city.users["dispatcher"], city.regions.lanshan.pk
    with pytest.raises(ValidationError) as error:
        services.exemption_add(dispatcher, scheme, subject=("region", city.regions.city.pk), reason="", starts=None, ends=None)
    assert error.value.message_dict == {"subject": ["请选择本方案的考核对象"],
                                        "reason": ["请填写豁免原因（如：因不可抗力停工，经推进办批准）"],
                                        "starts": ["请填写豁免的起止日期"]}
    with pytest.raises(ValidationError) as error:
        services.exemption_add(dispatcher, scheme, subject=("region", lanshan), reason="汛期停工", starts=date(2026, 7, 1),
                               ends=date(2026, 6, 1))
    assert error.value.message_dict == {"ends": ["结束日期不能早于开始日期"]}
    assert not Exemption.objects.exists()
    with pytest.raises(ValidationError) as error:  # a unit with the region's id is not the scheme's subject
        services.exemption_add(dispatcher, scheme, subject=("lead_unit", lanshan), reason="汛期停工",
                               starts=date(2026, 7, 1), ends=date(2026, 9, 30))
    assert error.value.message_dict == {"subject": ["请选择本方案的考核对象"]}
    assert not Exemption.objects.exists()
    services.exemption_add(dispatcher, scheme, subject=("region", lanshan), reason="汛期停工", starts=date(2026, 7, 1),
                           ends=date(2026, 9, 30))
    assert Exemption.objects.get().approved_by == dispatcher
    with pytest.raises(ValidationError) as error:
        services.exemption_add(dispatcher, scheme, subject=("region", lanshan), reason="又一次", starts=date(2026, 9, 1),
                               ends=date(2026, 9, 30))
    assert error.value.message_dict == {"starts": ["该考核对象在这段时间已有豁免，请修改原有的豁免"]}
    assert Exemption.objects.count() == 1


def draft(scheme) -> Run:
    from django.utils import timezone

    return Run.objects.create(scheme=scheme, period_end=date(2026, 10, 31), computed_at=timezone.now())


def test_sheets_office_scores_manual_items_judges_their_own(city):
    scheme = new_scheme(city)
    run = draft(scheme)
    lanshan, luozhuang = ("region", city.regions.lanshan.pk), ("region", city.regions.luozhuang.pk)
    assert [i["code"] for i in selectors.sheet_items(run, city.users["dispatcher"])] == ["quality", "pitch"]
    assert [i["code"] for i in selectors.sheet_items(run, city.users["leader"])] == ["pitch"]
    assert selectors.sheet_items(run, city.users["reporter_a"]) == []
    with pytest.raises(PermissionDenied):
        services.sheet_save(city.users["reporter_a"], run, [("pitch", lanshan, "90")])
    assert services.sheet_save(city.users["leader"], run, [("pitch", lanshan, "90"), ("pitch", luozhuang, "85.5")]) == 2
    # A leader cannot score the office's manual item; nothing of that sheet is written.
    with pytest.raises(services.SheetError) as error:
        services.sheet_save(city.users["leader"], run, [("pitch", lanshan, "70"), ("quality", lanshan, "9")])
    assert error.value.cells == {("quality", lanshan): "该项不在您的评分表中"}
    assert ManualScore.objects.get(judge=city.users["leader"], subject_id=lanshan[1]).score == D(90)


@pytest.mark.parametrize("raw, message", [
    ("十", "得分应为数字"), ("11", "得分应在0到10之间"), ("-1", "得分应在0到10之间"), ("9.555", "得分最多保留两位小数"),
])
def test_a_bad_score_is_refused_per_cell(city, raw, message):
    run = draft(new_scheme(city))
    lanshan = ("region", city.regions.lanshan.pk)
    with pytest.raises(services.SheetError) as error:
        services.sheet_save(city.users["dispatcher"], run, [("quality", lanshan, raw)])
    assert error.value.cells == {("quality", lanshan): message}
    assert not ManualScore.objects.exists()


def test_veto_needs_a_reason_and_only_drafts_change(city):
    run = draft(new_scheme(city))
    lanshan = ("region", city.regions.lanshan.pk)
    with pytest.raises(ValidationError) as error:
        services.veto_set(city.users["dispatcher"], run, subject=lanshan, reason=" ")
    assert error.value.message_dict == {"reason": ["请填写一票否决的原因"]}
    with pytest.raises(PermissionDenied):
        services.veto_set(city.users["leader"], run, subject=lanshan, reason="重大安全事故")
    assert not Veto.objects.exists()
    services.veto_set(city.users["dispatcher"], run, subject=lanshan, reason="重大安全事故")
    run.state = "published"
    run.save()
    with pytest.raises(ValidationError) as error:
        services.veto_clear(city.users["dispatcher"], run, subject=lanshan)
    assert error.value.messages == ["该期考核结果已发布，不能再修改"]
    assert Veto.objects.count() == 1
