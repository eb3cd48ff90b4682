"""A scheme's document is checked in one place, and every problem says where it is, in Chinese."""

from decimal import Decimal as D

import pytest

from tuijin.scoring.schemes import SchemeError, parse

GOOD = {
    "series": [{"name": "县（市、区）/园区", "kind": "region", "red": 5, "black": 4, "members": [1, 2, 3]},
               {"name": "市直部门/市属国企", "kind": "lead_unit", "red": 4, "black": 3, "members": [7, 8]}],
    "indicators": [
        {"code": "plan", "name": "年计划完成率", "source": "figure", "figure": "plan_rate", "weight": "40",
         "curve": {"kind": "linear", "target": 100}},
        {"code": "quality", "name": "工程质量", "source": "manual", "weight": 10, "curve": {"kind": "linear", "target": 10}},
    ],
}


def errors_of(config, **kw) -> list[str]:
    with pytest.raises(SchemeError) as error:
        parse(config, **kw)
    return error.value.messages


def test_a_good_document_gives_the_specs():
    spec = parse(GOOD, figures={"plan_rate", "start_rate"}, need_members=True)
    assert [(s.name, s.kind, s.members, s.red_count, s.black_count) for s in spec.series] == [
        ("县（市、区）/园区", "region", (1, 2, 3), 5, 4), ("市直部门/市属国企", "lead_unit", (7, 8), 4, 3)]
    assert spec.series[1].subjects == (("lead_unit", 7), ("lead_unit", 8))
    assert [(i.code, i.figure, i.weight) for i in spec.indicators] == [("plan", "plan_rate", D(40)), ("quality", "", D(10))]
    assert spec.total_weight == D(50)
    assert spec.indicators[0].curve.points(D(50)) == D("20.00")  # the weight is the linear curve's default


@pytest.mark.parametrize("change, message", [
    (lambda c: c.update(series=[]), "请至少设置一个序列"),
    (lambda c: c.update(indicators=[]), "请至少设置一个考核指标"),
    (lambda c: c["series"][1].update(name="县（市、区）/园区"), "序列名称“县（市、区）/园区”重复"),
    (lambda c: c["series"][0].update(name=" "), "第1个序列：请填写序列名称"),
    (lambda c: c["series"][0].update(red=-1), "序列“县（市、区）/园区”：红榜、黑榜名额应为0–50的整数"),
    (lambda c: c["series"][0].update(black="2.5"), "红榜、黑榜名额应为0–50的整数"),
    (lambda c: c["series"][1].update(kind="region", members=[3, 9]),
     "同一考核对象不能重复列入（序列“市直部门/市属国企”与序列“县（市、区）/园区”）"),
    (lambda c: c["series"][1].pop("kind"), "序列“市直部门/市属国企”：请选择考核对象类型（县区/园区、牵头单位、责任单位、联系领导或项目）"),
    (lambda c: c["series"][0].update(kind="town"), "序列“县（市、区）/园区”：请选择考核对象类型"),
    (lambda c: c["series"][1].update(members=["甲县"]), "序列“市直部门/市属国企”：考核对象格式不正确"),
    (lambda c: c["indicators"][1].update(code="plan"), "第2个指标“工程质量”：指标代码“plan”重复"),
    (lambda c: c["indicators"][1].update(code="质量"), "指标代码只能含英文字母、数字、下划线或连字符"),
    (lambda c: c["indicators"][0].update(figure="gdp"), "第1个指标“年计划完成率”：统计指标“gdp”不存在"),
    (lambda c: c["indicators"][0].update(figure=""), "第1个指标“年计划完成率”：请选择统计指标"),
    (lambda c: c["indicators"][0].update(source="ai"), "数据来源应为统计指标、人工评分或评委打分"),
    (lambda c: c["indicators"][0].update(weight="-1"), "分值应为0–1000的数"),
    (lambda c: c["indicators"][0].update(weight="四十"), "分值应为0–1000的数"),
    (lambda c: c["indicators"][0].update(weight=True), "分值应为0–1000的数"),
    (lambda c: c["indicators"][0].update(curve={"kind": "linear"}), "第1个指标“年计划完成率”：计分方法：请填写“目标值”"),
    (lambda c: c["indicators"][1].update(name=""), "第2个指标：请填写指标名称"),
    (lambda c: c["indicators"][1].update(higher_is_better="yes"), "“数值越高越好”应为是或否"),
    (lambda c: c.update(boards={"red": "十快项目" * 6}), "榜单名称不超过20个字"),
    (lambda c: c.update(boards={"green": "绿榜"}), "榜单名称不超过20个字"),
])
def test_each_problem_says_where(change, message):
    import copy

    config = copy.deepcopy(GOOD)
    change(config)
    assert any(message in m for m in errors_of(config, figures={"plan_rate"})), errors_of(config, figures={"plan_rate"})


def test_all_problems_are_reported_at_once():
    config = {"series": [{"name": ""}], "indicators": [{"code": "", "name": "", "weight": 0, "curve": {}}]}
    assert len(errors_of(config)) >= 4


def test_the_same_id_in_series_of_different_kinds_is_two_subjects():
    """Region 3 and unit 3 are different subjects: a scheme may rank both."""
    config = {**GOOD, "series": [{**GOOD["series"][0]}, {**GOOD["series"][1], "members": [3, 8]}]}
    spec = parse(config)
    assert spec.series[0].subjects[-1] == ("region", 3) and spec.series[1].subjects[0] == ("lead_unit", 3)


def test_a_run_needs_subjects_in_every_series_a_draft_does_not():
    config = {**GOOD, "series": [{"name": "县区", "kind": "region", "members": []}]}
    parse(config)
    assert errors_of(config, need_members=True) == ["序列“县区”尚未选择考核对象"]


def test_not_a_document():
    assert errors_of([1]) == ["方案内容应为对象（JSON）"]
