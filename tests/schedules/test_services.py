"""Schedules' writes (tuijin.schedules.services): applying a template backwards from a target date,
editing milestones, freezing baselines and re-baselining, keeping the approvals checklist.

Every bad input asserts its Chinese message and that nothing was written (the `schedule_state`
snapshot). Dates are worked out by hand in tests/schedules/test_scheduling.py (the seeded 房建类
template ending 2027-06-30).
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.schedules import services
from tuijin.schedules.choices import ApprovalStatus
from tuijin.schedules.models import (
    Approval,
    ApprovalType,
    Baseline,
    BaselineItem,
    Milestone,
    MilestoneTemplate,
    MilestoneTemplateStep,
    Schedule,
)

from ..clock import MONTH_ENDS, NEW_YEAR, YEAR_END
from .test_scheduling import BUILDING_2027_06_30

BUILDING_NODES = ["开工进场", "打桩或基础开挖", "主体工程基础浇注完成", "主体工程封顶", "装修或设备安装调试完成",
                  "试投产或交付使用验收", "正式投产或交付使用"]
TARGET = date(2027, 6, 30)
READ_ONLY = ("leader", "handler", "inspector", "outsider")


def rows(model) -> list[tuple]:
    fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
    return sorted(model.objects.order_by().values_list(*fields))


def history_count() -> int:
    return sum(m.history.count() for m in (Milestone, Schedule, Approval))


@pytest.fixture
def schedule_state(db):
    """schedule_state() → every row a schedules write could touch; equal snapshots mean nothing was written."""
    return lambda: (rows(Milestone), rows(Schedule), rows(Baseline), rows(BaselineItem), rows(Approval), history_count())


@pytest.fixture
def building(db) -> MilestoneTemplate:
    return MilestoneTemplate.objects.get(name="房建类项目节点")


@pytest.fixture
def dispatcher(users):
    return users["dispatcher"]


@pytest.fixture
def reporter(users):
    return users["reporter_a"]


@pytest.fixture
def planned(reporter, own_project, building) -> list[Milestone]:
    """own_project with the 房建类 template applied, ending 2027-06-30."""
    return services.apply_template(reporter, own_project, building, TARGET)


def message(exc: pytest.ExceptionInfo) -> list[str]:
    return exc.value.messages


def errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


# Days where "today" and "tomorrow" fall in different months or years; late in the evening, and just after
# midnight in Shanghai while it is still the day before in UTC.
LAST_DAYS = [(*day, 23, 30) for day in [*MONTH_ENDS, YEAR_END]] + [(*NEW_YEAR, 0, 30)]


def fresh(milestone: Milestone) -> Milestone:
    milestone.refresh_from_db()
    return milestone


# ======================================================================================== templates


def test_apply_template_dates_the_nodes_backwards_from_the_target(reporter, own_project, building):
    made = services.apply_template(reporter, own_project, building, TARGET)

    stored = list(Milestone.objects.filter(project=own_project).order_by("sort"))
    assert [m.pk for m in made] == [m.pk for m in stored]
    assert [m.name for m in stored] == BUILDING_NODES
    assert [m.planned_date for m in stored] == BUILDING_2027_06_30
    assert [m.sort for m in stored] == [10, 20, 30, 40, 50, 60, 70]
    assert {(m.actual_date, m.baseline_date, m.version) for m in stored} == {(None, None, 1)}
    schedule = Schedule.objects.get(project=own_project)
    assert (schedule.template, schedule.target_date, schedule.baseline_number) == (building, TARGET, 0)


def test_apply_template_keeps_history_with_who_and_why(reporter, own_project, building):
    services.apply_template(reporter, own_project, building, TARGET)

    history = Milestone.history.filter(project_id=own_project.pk)
    assert history.count() == 7
    assert set(history.values_list("history_type", "history_user_id", "history_change_reason")) == {
        ("+", reporter.pk, "套用模板“房建类项目节点”")}
    newest = Schedule.history.filter(project_id=own_project.pk).order_by("-history_id").first()
    assert (newest.history_user_id, newest.history_change_reason) == (reporter.pk, "套用模板“房建类项目节点”")


def test_the_schedules_creation_is_recorded_with_who_and_why(reporter, own_project, building):
    """BUG: Schedule.objects.get_or_create() saves the new schedule unstamped, so its "+" history row
    has no user and no reason (then a second "~" row carries them). Same in milestone_add and
    baseline_approve."""
    services.apply_template(reporter, own_project, building, TARGET)
    assert list(Schedule.history.filter(project_id=own_project.pk).values_list(
        "history_type", "history_user_id", "history_change_reason")) == [("+", reporter.pk, "套用模板“房建类项目节点”")]


def test_preview_shows_the_same_dates_without_writing(building, schedule_state):
    before = schedule_state()
    preview = services.preview_template(building, TARGET)
    assert preview == list(zip(BUILDING_NODES, [30, 45, 60, 150, 120, 45, 30], BUILDING_2027_06_30, strict=True))
    assert schedule_state() == before


def test_a_second_apply_without_replace_is_refused(planned, reporter, own_project, building, schedule_state):
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, building, date(2027, 12, 31))
    assert message(exc) == ["该项目已有节点计划。如需按模板重新生成，请勾选“替换现有节点”"]
    assert schedule_state() == before


def test_replace_regenerates_the_nodes_and_records_the_deletions(planned, reporter, own_project, building):
    old_ids = [m.pk for m in planned]
    made = services.apply_template(reporter, own_project, building, date(2027, 7, 30), replace=True)

    assert not Milestone.objects.filter(pk__in=old_ids).exists()
    # every date 30 days later than for 2027-06-30
    assert [m.planned_date for m in made] == [d + timedelta(days=30) for d in BUILDING_2027_06_30]
    assert made[0].planned_date == date(2026, 5, 6)   # Apr 6 + 30: Apr has 30 days → May 6
    deleted = Milestone.history.filter(id__in=old_ids, history_type="-")
    assert deleted.count() == 7
    assert set(deleted.values_list("history_change_reason", flat=True)) == {"按模板重新生成节点"}
    assert Schedule.objects.get(project=own_project).target_date == date(2027, 7, 30)


def test_replace_is_refused_once_a_node_has_an_actual_date(planned, reporter, own_project, building, schedule_state):
    first = planned[0]
    services.milestone_update(reporter, first, version=first.version, actual_date=date(2026, 4, 6))
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, building, TARGET, replace=True)
    assert message(exc) == ["已有节点记录了实际完成日期，不能按模板整体替换，请逐个调整节点"]
    assert schedule_state() == before


def test_replace_is_refused_once_a_baseline_is_approved(planned, dispatcher, reporter, own_project, building,
                                                        schedule_state):
    services.baseline_approve(dispatcher, own_project)
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, building, TARGET, replace=True)
    assert message(exc) == ["进度计划已批准基线，不能按模板整体替换；请逐个调整节点，或调整后重新批准基线"]
    assert schedule_state() == before


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (None, {"target_date": ["请填写目标日期（最后一个节点的完成日期）"]}),
        (date(1999, 12, 31), {"target_date": ["目标日期应在2000年至2100年之间"]}),
        (date(2101, 1, 1), {"target_date": ["目标日期应在2000年至2100年之间"]}),
    ],
)
def test_apply_template_checks_the_target(reporter, own_project, building, schedule_state, target, expected):
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, building, target)
    assert errors(exc) == expected
    assert schedule_state() == before


def test_an_inactive_template_or_none_is_refused(reporter, own_project, building, schedule_state):
    building.is_active = False
    building.save()
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, building, TARGET)
    assert errors(exc) == {"template": ["请选择启用中的节点模板"]}
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, None, None)
    assert errors(exc) == {"template": ["请选择启用中的节点模板"],
                           "target_date": ["请填写目标日期（最后一个节点的完成日期）"]}
    assert schedule_state() == before


def test_a_template_without_nodes_is_refused(reporter, own_project, schedule_state):
    empty = MilestoneTemplate.objects.create(name="空模板")
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, empty, TARGET)
    assert errors(exc) == {"template": ["模板“空模板”没有节点，请先在系统管理中补充"]}
    assert schedule_state() == before


def test_a_custom_template_in_its_own_order(reporter, own_project):
    template = MilestoneTemplate.objects.create(name="三步模板")
    # sort decides the order, not creation: 甲 (sort 10, 20 days) → 乙 (sort 20, 10 days) → 丙 (sort 30, 31 days)
    MilestoneTemplateStep.objects.create(template=template, name="丙", sort=30, duration_days=31)
    MilestoneTemplateStep.objects.create(template=template, name="甲", sort=10, duration_days=20)
    MilestoneTemplateStep.objects.create(template=template, name="乙", sort=20, duration_days=10)
    made = services.apply_template(reporter, own_project, template, date(2027, 3, 31))
    # 丙 on 03-31; 乙 = 03-31 − 31 = 02-28; 甲 = 02-28 − 10 = 02-18
    assert [(m.name, m.planned_date) for m in made] == [
        ("甲", date(2027, 2, 18)), ("乙", date(2027, 2, 28)), ("丙", date(2027, 3, 31))]


def test_apply_template_to_another_districts_project_is_not_found(reporter, other_project, building, schedule_state):
    before = schedule_state()
    with pytest.raises(NotFound):
        services.apply_template(reporter, other_project, building, TARGET)
    assert schedule_state() == before


@pytest.mark.parametrize("principal", READ_ONLY)
def test_read_only_roles_may_not_apply_a_template(users, principal, own_project, building, schedule_state):
    before = schedule_state()
    with pytest.raises(PermissionDenied):
        services.apply_template(users[principal], own_project, building, TARGET)
    assert schedule_state() == before


def test_an_archived_project_is_not_scheduled(reporter, own_project, building, schedule_state):
    own_project.is_archived = True
    own_project.save()
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.apply_template(reporter, own_project, building, TARGET)
    assert message(exc) == ["已归档的项目不能修改"]
    assert schedule_state() == before


# ======================================================================================= milestones


def test_milestone_add_appends_after_the_last_node(planned, reporter, own_project):
    added = services.milestone_add(reporter, own_project, name="  竣工验收备案 ", planned_date=date(2027, 8, 31),
                                   responsible=" 王工 ", note="住建局备案")
    added.refresh_from_db()
    assert (added.name, added.planned_date, added.responsible, added.note, added.sort, added.version) == (
        "竣工验收备案", date(2027, 8, 31), "王工", "住建局备案", 80, 1)
    assert Milestone.history.filter(id=added.pk).get().history_change_reason == "新增节点"


def test_milestone_add_to_a_project_without_a_schedule_creates_one(reporter, own_project):
    added = services.milestone_add(reporter, own_project, name="开工")
    assert added.sort == 10 and added.planned_date is None
    assert Schedule.objects.filter(project=own_project, template=None, baseline_number=0).exists()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": ""}, {"name": ["请填写节点名称"]}),
        ({"name": "   "}, {"name": ["请填写节点名称"]}),
        ({"name": "节" * 101}, {"name": ["节点名称不能超过100个字"]}),
        ({"name": "开工", "planned_date": date(1999, 12, 31)}, {"planned_date": ["计划完成日期应在2000年至2100年之间"]}),
        ({"name": "开工", "planned_date": date(2101, 1, 1)}, {"planned_date": ["计划完成日期应在2000年至2100年之间"]}),
        ({"name": "开工", "responsible": "人" * 51}, {"responsible": ["责任人不能超过50个字"]}),
        ({"name": "开工", "note": "说" * 501}, {"note": ["说明不能超过500个字"]}),
    ],
)
def test_milestone_add_validates(reporter, own_project, schedule_state, values, expected):
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(reporter, own_project, **values)
    assert errors(exc) == expected
    assert schedule_state() == before


def test_at_most_sixty_nodes(reporter, own_project, schedule_state):
    Milestone.objects.bulk_create(Milestone(project=own_project, name=f"节点{i}", sort=i) for i in range(60))
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.milestone_add(reporter, own_project, name="第61个")
    assert message(exc) == ["每个项目最多60个节点"]
    assert schedule_state() == before


def test_milestone_update_records_the_actual_date_with_a_reason(planned, reporter):
    first = planned[0]
    updated = services.milestone_update(reporter, first, version=first.version, reason="现场核实",
                                        actual_date=date(2026, 4, 10), responsible=" 李工 ")
    stored = fresh(first)
    assert (stored.actual_date, stored.responsible, stored.version) == (date(2026, 4, 10), "李工", 2)
    assert updated.version == 2
    newest = Milestone.history.filter(id=first.pk).order_by("-history_id").first()
    assert (newest.history_type, newest.history_user_id, newest.history_change_reason) == ("~", reporter.pk, "现场核实")


@pytest.mark.parametrize("on_day", LAST_DAYS, indirect=True)
def test_an_actual_date_may_be_today_but_not_tomorrow(on_day, planned, reporter, schedule_state):
    first = planned[0]
    before = schedule_state()
    tomorrow = on_day + timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        services.milestone_update(reporter, first, version=first.version, actual_date=tomorrow)
    assert errors(exc) == {"actual_date": [f"实际完成日期不能晚于今天（{on_day}）"]}
    assert schedule_state() == before
    services.milestone_update(reporter, first, version=first.version, actual_date=on_day)
    assert fresh(first).actual_date == on_day


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"name": ""}, {"name": ["请填写节点名称"]}),
        ({"planned_date": date(1999, 1, 1)}, {"planned_date": ["计划完成日期应在2000年至2100年之间"]}),
        ({"actual_date": date(1999, 1, 1)}, {"actual_date": ["实际完成日期应在2000年至2100年之间"]}),
        ({"name": "", "planned_date": date(2101, 1, 1)}, {"name": ["请填写节点名称"],
                                                           "planned_date": ["计划完成日期应在2000年至2100年之间"]}),
    ],
)
def test_milestone_update_validates_and_writes_nothing(planned, reporter, schedule_state, values, expected):
    first = planned[0]
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.milestone_update(reporter, first, version=first.version, **values)
    assert errors(exc) == expected
    assert schedule_state() == before


def test_milestone_update_rejects_unknown_fields(planned, reporter, schedule_state):
    before = schedule_state()
    with pytest.raises(ValueError, match="baseline_date"):
        services.milestone_update(reporter, planned[0], version=1, baseline_date=date(2027, 1, 1))
    assert schedule_state() == before


def test_a_stale_version_is_a_conflict_and_writes_nothing(planned, reporter, dispatcher, schedule_state):
    first = planned[0]
    services.milestone_update(dispatcher, first, version=1, planned_date=date(2026, 4, 20))
    before = schedule_state()
    with pytest.raises(ConflictError) as exc:
        services.milestone_update(reporter, first, version=1, planned_date=date(2026, 5, 1))
    assert exc.value.current.planned_date == date(2026, 4, 20)
    assert exc.value.current.version == 2
    assert schedule_state() == before


def test_milestone_delete(planned, reporter):
    last = planned[-1]
    services.milestone_delete(reporter, last, version=1)
    assert not Milestone.objects.filter(pk=last.pk).exists()
    gone = Milestone.history.filter(id=last.pk, history_type="-").get()
    assert (gone.history_user_id, gone.history_change_reason) == (reporter.pk, "删除节点")


def test_a_reached_node_cannot_be_deleted(planned, reporter, schedule_state):
    first = planned[0]
    services.milestone_update(reporter, first, version=1, actual_date=date(2026, 4, 6))
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.milestone_delete(reporter, first, version=2)
    assert message(exc) == ["节点“开工进场”已记录实际完成日期，不能删除"]
    assert schedule_state() == before


def test_a_stale_delete_is_a_conflict(planned, reporter, schedule_state):
    first = planned[0]
    services.milestone_update(reporter, first, version=1, note="已调整")
    before = schedule_state()
    with pytest.raises(ConflictError):
        services.milestone_delete(reporter, first, version=1)
    assert schedule_state() == before


def test_another_districts_milestones_are_not_found(users, other_project, building, schedule_state):
    made = services.apply_template(users["reporter_b"], other_project, building, TARGET)
    reporter_a = users["reporter_a"]
    before = schedule_state()
    with pytest.raises(NotFound):
        services.milestone_add(reporter_a, other_project, name="插一个")
    with pytest.raises(NotFound):
        services.milestone_update(reporter_a, made[0], version=1, note="改一下")
    with pytest.raises(NotFound):
        services.milestone_delete(reporter_a, made[0], version=1)
    with pytest.raises(NotFound):  # a unit-scoped reporter sees only its bureau's projects
        services.milestone_update(users["dept_reporter"], made[0], version=1, note="改一下")
    assert schedule_state() == before


def test_a_milestone_passed_with_another_project_is_not_found(planned, users, other_project):
    """A form that posts the own project's id but another project's node must not reach it."""
    other = Milestone.objects.create(project=other_project, name="他人节点", planned_date=TARGET)
    disguised = Milestone(pk=other.pk, project=planned[0].project, name=other.name)
    with pytest.raises(NotFound):
        services.milestone_update(users["reporter_a"], disguised, version=1, note="改一下")
    assert fresh(other).note == ""


@pytest.mark.parametrize("principal", READ_ONLY)
def test_read_only_roles_may_not_change_milestones(users, principal, planned, own_project, schedule_state):
    before = schedule_state()
    with pytest.raises(PermissionDenied):
        services.milestone_add(users[principal], own_project, name="插一个")
    with pytest.raises(PermissionDenied):
        services.milestone_update(users[principal], planned[0], version=1, note="改一下")
    with pytest.raises(PermissionDenied):
        services.milestone_delete(users[principal], planned[0], version=1)
    assert schedule_state() == before


def test_the_dispatcher_and_admin_edit_any_district(users, other_project):
    services.milestone_add(users["dispatcher"], other_project, name="调度员加的")
    services.milestone_add(users["admin"], other_project, name="管理员加的")
    assert list(Milestone.objects.filter(project=other_project).values_list("name", "sort")) == [
        ("调度员加的", 10), ("管理员加的", 20)]


# ======================================================================================== baselines


def test_first_approval_freezes_the_planned_dates_as_v1(planned, dispatcher, own_project):
    baseline = services.baseline_approve(dispatcher, own_project)

    assert (baseline.number, baseline.reason, baseline.created_by) == (1, "", dispatcher)
    items = list(baseline.items.order_by("sort"))
    assert [(i.name, i.planned_date, i.milestone_id) for i in items] == [
        (name, d, m.pk) for name, d, m in zip(BUILDING_NODES, BUILDING_2027_06_30, planned, strict=True)]
    assert [fresh(m).baseline_date for m in planned] == BUILDING_2027_06_30
    assert {fresh(m).version for m in planned} == {2}
    schedule = Schedule.objects.get(project=own_project)
    assert (schedule.baseline_number, schedule.approved_by) == (1, dispatcher)
    assert schedule.approved_at is not None
    assert Schedule.history.filter(project_id=own_project.pk).order_by("-history_id").first().history_change_reason == "批准基线V1"
    assert set(Milestone.history.filter(project_id=own_project.pk, history_type="~")
               .values_list("history_change_reason", flat=True)) == {"批准基线V1"}


def test_changing_a_planned_date_leaves_the_baseline(planned, dispatcher, reporter, own_project):
    services.baseline_approve(dispatcher, own_project)
    fourth = fresh(planned[3])
    services.milestone_update(reporter, fourth, version=fourth.version, planned_date=date(2027, 1, 31), reason="冬季停工")

    stored = fresh(fourth)
    assert (stored.planned_date, stored.baseline_date) == (date(2027, 1, 31), date(2026, 12, 17))
    item = BaselineItem.objects.get(baseline__project=own_project, baseline__number=1, milestone=fourth)
    assert item.planned_date == date(2026, 12, 17)


def test_rebaselining_needs_a_reason_and_writes_nothing_without_one(planned, dispatcher, own_project, schedule_state):
    services.baseline_approve(dispatcher, own_project)
    fourth = fresh(planned[3])
    services.milestone_update(dispatcher, fourth, version=fourth.version, planned_date=date(2027, 1, 31))
    before = schedule_state()
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            services.baseline_approve(dispatcher, own_project, reason=reason)
        assert errors(exc) == {"reason": ["调整基线须填写原因"]}
    with pytest.raises(ValidationError) as exc:
        services.baseline_approve(dispatcher, own_project, reason="因" * 501)
    assert errors(exc) == {"reason": ["原因不能超过500个字"]}
    assert schedule_state() == before


def test_rebaselining_with_a_reason_makes_v2_and_keeps_v1(planned, dispatcher, own_project):
    v1 = services.baseline_approve(dispatcher, own_project)
    v1_items = list(v1.items.order_by("sort").values_list("name", "planned_date"))
    fourth = fresh(planned[3])
    services.milestone_update(dispatcher, fourth, version=fourth.version, planned_date=date(2027, 1, 31))

    v2 = services.baseline_approve(dispatcher, own_project, reason="  主体结构设计变更，封顶顺延  ")

    assert (v2.number, v2.reason) == (2, "主体结构设计变更，封顶顺延")
    assert list(v1.items.order_by("sort").values_list("name", "planned_date")) == v1_items
    v1.refresh_from_db()
    assert (v1.number, v1.reason) == (1, "")
    v2_dates = list(v2.items.order_by("sort").values_list("planned_date", flat=True))
    assert v2_dates == BUILDING_2027_06_30[:3] + [date(2027, 1, 31)] + BUILDING_2027_06_30[4:]
    assert fresh(fourth).baseline_date == date(2027, 1, 31)
    assert fresh(planned[0]).baseline_date == date(2026, 4, 6)  # unchanged nodes keep theirs
    assert list(Baseline.objects.filter(project=own_project).values_list("number", flat=True)) == [2, 1]
    schedule = Schedule.objects.get(project=own_project)
    assert schedule.baseline_number == 2
    assert (Schedule.history.filter(project_id=own_project.pk).order_by("-history_id").first().history_change_reason
            == "重新批准基线V2：主体结构设计变更，封顶顺延")
    # only the changed node was re-saved for V2
    assert list(Milestone.history.filter(project_id=own_project.pk, history_change_reason="批准基线V2")
                .values_list("id", flat=True)) == [fourth.pk]


def test_a_removed_node_stays_in_the_old_baseline_by_name(planned, dispatcher, own_project):
    v1 = services.baseline_approve(dispatcher, own_project)
    last = fresh(planned[-1])
    services.milestone_delete(dispatcher, last, version=last.version)
    item = v1.items.get(name="正式投产或交付使用")
    assert (item.milestone_id, item.planned_date) == (None, TARGET)


def test_a_baseline_needs_nodes_with_dates(dispatcher, reporter, own_project, schedule_state):
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.baseline_approve(dispatcher, own_project)
    assert message(exc) == ["该项目还没有节点计划，无法批准基线"]
    assert schedule_state() == before
    services.milestone_add(reporter, own_project, name="开工", planned_date=date(2026, 12, 1))
    services.milestone_add(reporter, own_project, name="封顶")
    services.milestone_add(reporter, own_project, name="竣工")
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.baseline_approve(dispatcher, own_project)
    assert message(exc) == ["以下节点还没有计划完成日期：封顶、竣工"]
    assert schedule_state() == before


@pytest.mark.parametrize("principal", ["reporter_a", *READ_ONLY])
def test_only_the_office_approves_baselines(users, principal, planned, own_project, schedule_state):
    before = schedule_state()
    with pytest.raises(PermissionDenied):
        services.baseline_approve(users[principal], own_project)
    assert schedule_state() == before


def test_the_admin_approves_baselines(users, planned, own_project):
    assert services.baseline_approve(users["admin"], own_project).number == 1


# ======================================================================================== approvals


@pytest.fixture
def checklist(reporter, own_project) -> list[Approval]:
    return services.approvals_init(reporter, own_project)


def approval(project, short_name: str) -> Approval:
    return Approval.objects.select_related("type").get(project=project, type__short_name=short_name)


def test_approvals_init_puts_every_active_type_on_the_checklist(checklist, own_project):
    # 16 seeded types: 水保、用林用海、水电接入 are not required by default
    assert len(checklist) == 16
    not_needed = {a.type.short_name for a in checklist if not a.required}
    assert not_needed == {"水保", "用林用海", "水电接入"}
    assert {a.status for a in checklist if a.required} == {ApprovalStatus.NOT_STARTED}
    assert {a.status for a in checklist if not a.required} == {ApprovalStatus.NOT_NEEDED}
    assert set(Approval.history.filter(project_id=own_project.pk).values_list("history_change_reason", flat=True)) == {
        "建立前期手续清单"}


def test_approvals_init_again_adds_only_new_types(checklist, reporter, own_project):
    assert services.approvals_init(reporter, own_project) == []
    ApprovalType.objects.create(name="人防审批", short_name="人防", required_by_default=True)
    added = services.approvals_init(reporter, own_project)
    assert [a.type.short_name for a in added] == ["人防"]
    assert Approval.objects.filter(project=own_project).count() == 17


def test_approvals_init_without_types_is_refused(reporter, own_project, schedule_state):
    ApprovalType.objects.update(is_active=False)
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.approvals_init(reporter, own_project)
    assert message(exc) == ["系统中还没有启用的前期手续类型，请管理员先在系统管理中添加"]
    assert schedule_state() == before


def test_approval_done_with_its_document(checklist, reporter, own_project):
    eia = approval(own_project, "环评")
    done = services.approval_update(reporter, eia, version=eia.version, status=ApprovalStatus.DONE,
                                    done_date=date(2026, 5, 20), document_no=" 临环审〔2026〕18号 ", approving_unit="临沂市生态环境局")
    stored = approval(own_project, "环评")
    assert (stored.status, stored.done_date, stored.document_no, stored.version) == (
        ApprovalStatus.DONE, date(2026, 5, 20), "临环审〔2026〕18号", 2)
    assert done.version == 2


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"status": ApprovalStatus.DONE}, {"done_date": ["已办结的手续请填写办结日期"]}),
        ({"status": ApprovalStatus.IN_PROGRESS, "done_date": date(2026, 5, 20)},
         {"status": ["填写了办结日期，请将办理状态设为“已办结”"]}),
        ({"done_date": date(2026, 5, 20)}, {"status": ["填写了办结日期，请将办理状态设为“已办结”"]}),
        ({"status": ApprovalStatus.NOT_NEEDED},
         {"status": ["需要办理的手续不能选“无需办理”；如确实不需要，请取消勾选“需要办理”"]}),
        ({"required": False, "status": ApprovalStatus.IN_PROGRESS}, {"status": ["不需要办理的手续，状态请选“无需办理”"]}),
        ({"required": False}, {"status": ["不需要办理的手续，状态请选“无需办理”"]}),  # still 未启动
        ({"status": "approved"}, {"status": ["办理状态不正确"]}),
        ({"target_date": date(1999, 12, 31)}, {"target_date": ["计划办结日期应在2000年至2100年之间"]}),
        ({"document_no": "号" * 101}, {"document_no": ["批准文号不能超过100个字"]}),
        ({"approving_unit": "局" * 101}, {"approving_unit": ["审批单位不能超过100个字"]}),
        ({"responsible": "人" * 51}, {"responsible": ["责任人不能超过50个字"]}),
        ({"note": "问" * 501}, {"note": ["需协调解决问题不能超过500个字"]}),
    ],
)
def test_approval_rules(checklist, reporter, own_project, schedule_state, values, expected):
    eia = approval(own_project, "环评")
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.approval_update(reporter, eia, version=eia.version, **values)
    assert errors(exc) == expected
    assert schedule_state() == before


@pytest.mark.parametrize("on_day", LAST_DAYS, indirect=True)
def test_a_done_date_in_the_future_is_refused(on_day, checklist, reporter, own_project, schedule_state):
    eia = approval(own_project, "环评")
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.approval_update(reporter, eia, version=eia.version, status=ApprovalStatus.DONE,
                                 done_date=on_day + timedelta(days=1))
    assert errors(exc) == {"done_date": [f"办结日期不能晚于今天（{on_day}）"]}
    assert schedule_state() == before


@pytest.mark.parametrize(
    ("values", "stored"),
    [
        ({"required": False, "status": ApprovalStatus.NOT_NEEDED}, (False, ApprovalStatus.NOT_NEEDED)),
        # a procedure done although not required stays done
        ({"required": False, "status": ApprovalStatus.DONE, "done_date": date(2026, 3, 1)}, (False, ApprovalStatus.DONE)),
        ({"status": ApprovalStatus.IN_PROGRESS, "target_date": date(2026, 9, 30)}, (True, ApprovalStatus.IN_PROGRESS)),
    ],
)
def test_approval_states_that_are_fine(checklist, reporter, own_project, values, stored):
    eia = approval(own_project, "环评")
    services.approval_update(reporter, eia, version=eia.version, **values)
    eia.refresh_from_db()
    assert (eia.required, eia.status) == stored


def test_a_not_required_one_becomes_required_again(checklist, reporter, own_project):
    water = approval(own_project, "水保")
    assert (water.required, water.status) == (False, ApprovalStatus.NOT_NEEDED)
    with pytest.raises(ValidationError):
        services.approval_update(reporter, water, version=water.version, required=True)
    services.approval_update(reporter, water, version=water.version, required=True, status=ApprovalStatus.NOT_STARTED)
    water.refresh_from_db()
    assert (water.required, water.status) == (True, ApprovalStatus.NOT_STARTED)


def test_a_stale_approval_is_a_conflict(checklist, reporter, dispatcher, own_project, schedule_state):
    eia = approval(own_project, "环评")
    services.approval_update(dispatcher, eia, version=1, status=ApprovalStatus.IN_PROGRESS)
    before = schedule_state()
    with pytest.raises(ConflictError) as exc:
        services.approval_update(reporter, eia, version=1, note="环评报告已送审")
    assert exc.value.current.status == ApprovalStatus.IN_PROGRESS
    assert schedule_state() == before


def test_approval_update_rejects_unknown_fields(checklist, reporter, own_project):
    eia = approval(own_project, "环评")
    with pytest.raises(ValueError, match="project"):
        services.approval_update(reporter, eia, version=1, project=None)


def test_approvals_of_another_district_and_read_only_roles(users, other_project, schedule_state):
    services.approvals_init(users["reporter_b"], other_project)
    theirs = approval(other_project, "环评")
    before = schedule_state()
    with pytest.raises(NotFound):
        services.approvals_init(users["reporter_a"], other_project)
    with pytest.raises(NotFound):
        services.approval_update(users["reporter_a"], theirs, version=1, note="看看")
    for principal in READ_ONLY:
        with pytest.raises(PermissionDenied):
            services.approval_update(users[principal], theirs, version=1, note="看看")
        with pytest.raises(PermissionDenied):
            services.approvals_init(users[principal], other_project)
    assert schedule_state() == before


def test_rebaselining_without_a_change_is_refused(planned, dispatcher, own_project, schedule_state):
    services.baseline_approve(dispatcher, own_project)
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.baseline_approve(dispatcher, own_project, reason="例行复核")
    assert message(exc) == ["节点计划与当前基线V1相同，无需重新批准"]
    assert schedule_state() == before


def test_only_the_office_deletes_a_node_of_an_approved_baseline(planned, dispatcher, reporter, own_project, schedule_state):
    services.baseline_approve(dispatcher, own_project)
    last = fresh(planned[-1])
    before = schedule_state()
    with pytest.raises(ValidationError) as exc:
        services.milestone_delete(reporter, last, version=last.version)
    assert message(exc) == ["节点“正式投产或交付使用”已纳入批准的基线，如需删除请联系调度员"]
    assert schedule_state() == before
    services.milestone_delete(dispatcher, last, version=last.version)
    assert not Milestone.objects.filter(pk=last.pk).exists()
