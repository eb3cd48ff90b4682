"""A project exempted in a scheme (issue #15 §2 "a subject or project excluded for a stated reason"): it
leaves the scheme's figures — its plan, completion, starts count for none of the subjects — and is listed
next to each subject it would have counted for, with the reason and who approved it; a 序列 of projects
does not rank it. Computed by hand on the figures' town (tests/figures/conftest.py); bad input is
refused in Chinese and writes nothing; changes keep history and claim the version read."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.exceptions import ConflictError
from tuijin.scoring import selectors, services
from tuijin.scoring.models import Exemption, Run

from ..figures.conftest import today, town  # noqa: F401  (the town and its day)
from .test_run import scheme, scored  # noqa: F401  (the 县区 scheme of 兰山区 and 罗庄区, its scored run)

pytestmark = pytest.mark.django_db
OCTOBER = {"starts": date(2026, 10, 1), "ends": date(2026, 10, 31)}
FLOOD = "汛期停工（不可抗力），经推进办批准"


def lines(run):
    return {r.subject_name: r for r in run.results.all()}


def test_lanshan_with_its_industrial_park_exempted_by_hand(town, scheme):  # noqa: F811
    city, p = town.city, town.p
    dispatcher = city.users["dispatcher"]
    before = lines(scored(town, scheme))["兰山区"]
    # 兰山区 has P1 兰山快速路, P2 兰山产业园 and P6 兰山污水厂: (972 + 60 + 0) / (1,000 + 600 + 500) = 49.1%.
    assert (before.values["plan"], before.points["plan"], before.total) == ("49.1", "29.46", D("83.46"))
    exemption = services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, **OCTOBER)
    assert (exemption.project, exemption.approved_by, exemption.version) == (p.p2, dispatcher, 1)
    run = services.run_compute(dispatcher, scheme, "2026-10")
    result = lines(run)
    lanshan, luozhuang = result["兰山区"], result["罗庄区"]
    # Without P2: 972 / (1,000 + 500) = 64.8% → 60 × 64.8% = 38.88; the rest as before (10 + 20 + 8 + 16).
    assert (lanshan.values["plan"], lanshan.points["plan"]) == ("64.8", "38.88")
    assert lanshan.total == D("92.88")
    assert lanshan.exempt_projects == [{"project": p.p2.pk, "name": "兰山产业园", "code": p.p2.code, "reason": FLOOD,
                                        "approved_by": "张调度", "starts": "2026-10-01", "ends": "2026-10-31"}]
    assert luozhuang.total == D("29.58") and luozhuang.exempt_projects == []  # 罗庄区 unchanged
    assert selectors.notes_of(lanshan) == [f"豁免项目“兰山产业园”不计入：{FLOOD}（张调度批准）"]
    # Frozen with the run: the excluded projects, each with the subjects it was taken from.
    assert run.snapshot["excluded_projects"] == [p.p2.pk]
    assert run.snapshot["project_exemptions"][0]["subjects"] == [f"region:{city.regions.lanshan.pk}"]
    assert run.snapshot["figures"][f"region:{city.regions.lanshan.pk}"]["plan_rate"] == "64.8"
    again = {line.key: line.total for line in selectors.reproduce(run)}
    assert again[("region", city.regions.lanshan.pk)] == D("92.88")
    # Published, it stays so when the exemption is withdrawn.
    run = services.run_publish(dispatcher, run, version=run.version)
    services.exemption_remove(dispatcher, exemption, version=exemption.version)
    assert lines(Run.objects.get(pk=run.pk))["兰山区"].total == D("92.88")
    # An exemption for another period leaves October alone.
    services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, starts=date(2026, 11, 1),
                           ends=date(2026, 11, 30))
    assert lines(services.run_compute(dispatcher, scheme, "2026-11"))["兰山区"].exempt_projects[0]["name"] == "兰山产业园"


def test_the_drill_down_leaves_it_out_and_lists_it(town, scheme):  # noqa: F811
    city, p = town.city, town.p
    dispatcher = city.users["dispatcher"]
    services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, **OCTOBER)
    run = services.run_compute(dispatcher, scheme, "2026-10")
    found = selectors.point(dispatcher, run, f"region:{city.regions.lanshan.pk}", "plan")
    assert [row.name for row in found["found"].rows] == ["兰山快速路", "兰山污水厂"]
    assert found["found"].value == D("64.8") and found["value"] == "64.8"  # today's figure is the run's
    assert [(e["name"], e["reason"]) for e in found["exempt"]] == [("兰山产业园", FLOOD)]


def test_a_project_series_does_not_rank_an_exempted_project(town):  # noqa: F811
    """十快十慢 of the town's six projects as of October (年计划完成率 − 序时进度, by hand):
    P1 97.2 − 83.3 = +13.9; P2 10.0 − 50.0 = −40.0; P5 33.3 − 80.0 = −46.7; P3 15.0 − 83.3 = −68.3;
    P4 0.0 − 71.4 = −71.4; P6 0.0 − 100.0 = −100.0. Two on each board; then P6 exempted."""
    city, p = town.city, town.p
    dispatcher = city.users["dispatcher"]
    ten = services.preset_install(dispatcher, "ten-fast-ten-slow")
    config = {**ten.config, "series": [{**ten.config["series"][0], "red": 2, "black": 2,
                                        "members": [p.p1.pk, p.p2.pk, p.p3.pk, p.p4.pk, p.p5.pk, p.p6.pk]}]}
    ten = services.scheme_save(dispatcher, ten, version=ten.version, config=config,
                               **{k: getattr(ten, k) for k in services.HEADER_FIELDS})
    run = services.run_compute(dispatcher, ten, "2026-10")
    got = [(r.subject_name, r.values["deviation"], r.rank, r.board) for r in run.results.all()]
    assert got == [("兰山快速路", "13.9", 1, "red"), ("兰山产业园", "-40.0", 2, "red"), ("市体育中心", "-46.7", 3, ""),
                   ("罗庄河道", "-68.3", 4, ""), ("罗庄学校", "-71.4", 5, "black"), ("兰山污水厂", "-100.0", 6, "black")]
    services.exemption_add(dispatcher, ten, project_id=p.p6.pk, reason="已竣工移交，经推进办批准不再参与", **OCTOBER)
    run = services.run_compute(dispatcher, ten, "2026-10")
    got = [(r.subject_name, r.rank, r.board, r.exempted) for r in run.results.all()]
    assert got == [("兰山快速路", 1, "red", ""), ("兰山产业园", 2, "red", ""), ("市体育中心", 3, "", ""),
                   ("罗庄河道", 4, "black", ""), ("罗庄学校", 5, "black", ""),
                   ("兰山污水厂", None, "", "已竣工移交，经推进办批准不再参与")]
    out = run.results.get(subject_id=p.p6.pk)
    assert out.values == {"deviation": None} and out.points == {} and out.exempt_projects == []
    assert selectors.notes_of(out) == ["豁免，不参与排名：已竣工移交，经推进办批准不再参与"]
    assert [line.rank for line in selectors.reproduce(run)] == [1, 2, 3, 4, 5, None]


@pytest.mark.parametrize("project, reason, field, message", [
    ("unknown", FLOOD, "project", "项目不存在"),
    (None, FLOOD, "project", "请选择要豁免的项目"),
    ("p5", FLOOD, "project", "项目“市体育中心”不属于本方案的任何考核对象，不能在本方案中豁免"),  # 市本级, not a 县区's
    ("p7", FLOOD, "project", "项目“罗庄申报项目”未入库或已归档，不计入考核，无需豁免"),  # 申报中: never counted
    ("p2", " ", "reason", "请填写豁免原因（如：因不可抗力停工，经推进办批准）"),
    ("p2", "原因" * 151, "reason", "原因不能超过300个字"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(town, scheme, project, reason, field, message):  # noqa: F811
    ids = {"unknown": 999999, None: None, "p5": town.p.p5.pk, "p7": town.p.p7.pk, "p2": town.p.p2.pk}
    with pytest.raises(ValidationError) as error:
        services.exemption_add(town.city.users["dispatcher"], scheme, project_id=ids[project], reason=reason, **OCTOBER)
    assert message in error.value.message_dict[field][0]
    assert not Exemption.objects.exists() and not Exemption.history.exists()


def test_dates_overlap_and_only_the_office(town, scheme):  # noqa: F811
    city, p = town.city, town.p
    dispatcher = city.users["dispatcher"]
    with pytest.raises(ValidationError) as error:
        services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, starts=date(2026, 10, 31),
                               ends=date(2026, 10, 1))
    assert error.value.message_dict == {"ends": ["结束日期不能早于开始日期"]}
    for name in ("leader", "reporter_a", "inspector"):
        with pytest.raises(PermissionDenied):
            services.exemption_add(city.users[name], scheme, project_id=p.p2.pk, reason=FLOOD, **OCTOBER)
    assert not Exemption.objects.exists()
    services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, **OCTOBER)
    with pytest.raises(ValidationError) as error:
        services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason="再次", starts=date(2026, 10, 15),
                               ends=date(2026, 12, 31))
    assert error.value.message_dict == {"starts": ["该项目在这段时间已有豁免，请修改原有的豁免"]}
    assert Exemption.objects.count() == 1


def test_a_change_claims_the_version_and_keeps_history(town, scheme):  # noqa: F811
    city, p = town.city, town.p
    dispatcher, admin = city.users["dispatcher"], city.users["admin"]
    exemption = services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, **OCTOBER)
    with pytest.raises(PermissionDenied):
        services.exemption_change(city.users["leader"], exemption, version=1, reason="改", **OCTOBER)
    with pytest.raises(ValidationError) as error:
        services.exemption_change(dispatcher, exemption, version=1, reason="", **OCTOBER)
    assert error.value.message_dict == {"reason": ["请填写豁免原因（如：因不可抗力停工，经推进办批准）"]}
    services.exemption_change(admin, exemption, version=1, reason="汛期停工至11月", starts=date(2026, 10, 1),
                              ends=date(2026, 11, 30))
    stale = Exemption.objects.get(pk=exemption.pk)
    stale.version = 1
    with pytest.raises(ConflictError) as error:
        services.exemption_change(dispatcher, stale, version=1, reason="又改", **OCTOBER)
    assert "已被" in str(error.value.message)
    stored = Exemption.objects.get(pk=exemption.pk)
    assert (stored.reason, stored.ends, stored.version) == ("汛期停工至11月", date(2026, 11, 30), 2)
    assert [(h.history_type, h.history_change_reason, h.history_user) for h in stored.history.order_by("history_id")] == [
        ("+", "登记豁免", dispatcher), ("~", "修改豁免", admin)]
    entries = selectors.exemption_history(stored)
    assert any(c.label == "原因" and c.old == FLOOD and c.new == "汛期停工至11月" for c in entries[0].changes)
    with pytest.raises(ConflictError):
        services.exemption_remove(dispatcher, stored, version=1)
    services.exemption_remove(dispatcher, stored, version=2)
    assert not Exemption.objects.exists()
    assert Exemption.history.filter(id=exemption.pk).latest().history_type == "-"


def test_exemptions_travel_with_the_scheme(town, scheme):  # noqa: F811
    city, p = town.city, town.p
    dispatcher = city.users["dispatcher"]
    services.exemption_add(dispatcher, scheme, project_id=p.p2.pk, reason=FLOOD, **OCTOBER)
    services.exemption_add(dispatcher, scheme, subject=("region", city.regions.luozhuang.pk), reason="河道汛期", **OCTOBER)
    document = selectors.scheme_document(scheme)
    assert document["format_version"] == 2
    assert document["exemptions"] == [
        {"project": "兰山产业园", "project_code": p.p2.code, "reason": FLOOD, "starts": "2026-10-01", "ends": "2026-10-31"},
        {"kind": "region", "subject": "罗庄区", "reason": "河道汛期", "starts": "2026-10-01", "ends": "2026-10-31"}]
    copy = services.scheme_import(dispatcher, {**document, "code": "copy"})
    assert {(e.project_id, e.subject_kind, e.subject_id, e.reason) for e in copy.exemptions.all()} == {
        (p.p2.pk, "", None, FLOOD), (None, "region", city.regions.luozhuang.pk, "河道汛期")}
    unknown = {**document, "code": "other",
               "exemptions": [{"project": "外市项目", "project_code": "X-1", "reason": FLOOD, "starts": "2026-10-01",
                               "ends": "2026-10-31"}]}
    with pytest.raises(ValidationError) as error:
        services.scheme_import(dispatcher, unknown)
    assert error.value.message_dict["config"] == ["以下豁免的对象或项目在本系统中找不到，请先核对：外市项目（X-1）"]
    outside = {**document, "code": "other",
               "exemptions": [{"project": "市体育中心", "reason": FLOOD, "starts": "2026-10-01", "ends": "2026-10-31"}]}
    with pytest.raises(ValidationError) as error:
        services.scheme_import(dispatcher, outside)
    assert "豁免项目“市体育中心”：项目“市体育中心”不属于本方案的任何考核对象" in error.value.message_dict["config"][0]
    assert not type(scheme).objects.filter(code="other").exists()  # the scheme went with its refused exemption
