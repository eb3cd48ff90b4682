"""A node counts as done when it has an actual date, when the project's recorded facts say so (an actual
start ⇒ its 开工 node, an actual completion ⇒ its 竣工 node), or when a later node is done
(Milestone.objects.with_inference). The schedule page and the Gantt chart show such a node as inferred
("已完成（据…推定）"), never as if it had its own actual date; applying a template anchors its 开工 node at
the project's actual or planned start.

TODAY = 2026-07-10; the nodes are written directly, as the clerk's saves would leave them.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tuijin.projects.models import Project
from tuijin.schedules import selectors, services
from tuijin.schedules.choices import DoneBasis, MilestoneStatus, NodeMark
from tuijin.schedules.filtersets import MilestoneFilterSet
from tuijin.schedules.models import Milestone, MilestoneTemplate, MilestoneTemplateStep, Schedule

from .test_scheduling import BUILDING_2027_06_30

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 10)
TARGET = date(2027, 6, 30)


def node(project, name, planned, actual=None, sort=10, marks="") -> Milestone:
    return Milestone.objects.create(project=project, name=name, planned_date=planned, actual_date=actual, sort=sort,
                                    marks=marks)


def set_facts(project, **facts) -> Project:
    Project.objects.filter(pk=project.pk).update(**facts)
    project.refresh_from_db()
    return project


def statuses(project) -> list[tuple[str, str, str, int]]:
    return [(m.name, str(m.status), str(m.status_label), m.days_late)
            for m in selectors.project_milestones(project, TODAY)]


@pytest.fixture
def building(own_project):
    """own_project's 房建类 nodes as a clerk would have them: all past, none with an actual date yet."""
    node(own_project, "开工进场", date(2026, 3, 1), sort=10, marks=NodeMark.START)
    node(own_project, "打桩或基础开挖", date(2026, 4, 15), sort=20)
    node(own_project, "主体工程封顶", date(2026, 6, 1), sort=30)
    node(own_project, "正式投产或交付使用", date(2026, 7, 1), sort=40, marks=NodeMark.COMPLETION)
    return own_project


# ============================================================================================ facts


def test_without_facts_every_past_node_is_overdue(building):
    assert [s[1] for s in statuses(building)] == ["overdue"] * 4


def test_an_actual_start_makes_the_start_node_done_on_that_date(building):
    set_facts(building, actual_start=date(2025, 11, 3))
    assert statuses(building) == [
        ("开工进场", "inferred", "已完成（据实际开工2025-11-03推定）", 0),
        ("打桩或基础开挖", "overdue", "已逾期", 86),   # Apr 15 → Jul 10: 15 + 31 + 30 + 10
        ("主体工程封顶", "overdue", "已逾期", 39),
        ("正式投产或交付使用", "overdue", "已逾期", 9),
    ]
    first = Milestone.objects.with_inference().get(project=building, sort=10)
    assert (first.done_basis, first.inferred_date, first.actual_date) == (DoneBasis.STARTED, date(2025, 11, 3), None)


def test_a_later_node_done_makes_every_earlier_one_done(building):
    Milestone.objects.filter(project=building, sort=30).update(actual_date=date(2026, 6, 20))
    assert statuses(building) == [
        ("开工进场", "inferred", "已完成（据后续节点已完成推定）", 0),
        ("打桩或基础开挖", "inferred", "已完成（据后续节点已完成推定）", 0),
        ("主体工程封顶", "done_late", "逾期完成", 19),
        ("正式投产或交付使用", "overdue", "已逾期", 9),   # after the last done one: still open
    ]


def test_an_actual_completion_makes_the_completion_node_and_all_before_it_done(building):
    set_facts(building, actual_start=date(2025, 11, 3), actual_completion=date(2026, 7, 5))
    assert statuses(building)[1:] == [
        ("打桩或基础开挖", "inferred", "已完成（据后续节点已完成推定）", 0),
        ("主体工程封顶", "inferred", "已完成（据后续节点已完成推定）", 0),
        ("正式投产或交付使用", "inferred", "已完成（据实际竣工2026-07-05推定）", 0),
    ]


def test_the_start_node_is_known_by_its_mark_not_its_name(own_project):
    # An office's own node called 开工进场 but not marked as the start is not inferred from the start.
    node(own_project, "开工进场", date(2026, 3, 1))
    set_facts(own_project, actual_start=date(2025, 11, 3))
    assert [s[1] for s in statuses(own_project)] == ["overdue"]


def test_the_order_is_sort_then_id(own_project):
    # Two nodes with the same sort: the one created later counts as later.
    first = node(own_project, "甲", date(2026, 5, 1), sort=10)
    node(own_project, "乙", date(2026, 6, 1), actual=date(2026, 6, 2), sort=10)
    assert Milestone.objects.with_inference().get(pk=first.pk).done_basis == DoneBasis.LATER
    Milestone.objects.filter(pk=first.pk).update(sort=20)   # now 甲 is after 乙: open again
    assert Milestone.objects.with_inference().get(pk=first.pk).done_basis == ""


def test_another_projects_nodes_infer_nothing(own_project, other_project):
    node(own_project, "甲", date(2026, 5, 1), sort=10)
    node(other_project, "乙", date(2026, 6, 1), actual=date(2026, 6, 2), sort=20, marks=NodeMark.COMPLETION)
    set_facts(other_project, actual_start=date(2025, 1, 1), actual_completion=date(2026, 6, 2))
    assert [s[1] for s in statuses(own_project)] == ["overdue"]


def test_the_gantt_filters_follow_the_inference(building, users):
    set_facts(building, actual_start=date(2025, 11, 3))
    Milestone.objects.filter(project=building, sort=30).update(actual_date=date(2026, 6, 20))
    projects = Project.objects.filter(pk=building.pk)
    nodes = selectors.gantt_nodes(projects)

    def rows(status):
        data = selectors.wall_projects(projects, MilestoneFilterSet({"status": status}, queryset=nodes, today=TODAY).qs,
                                       TODAY, node_filtered=True)
        return [m for row in data.projects for m in row.nodes], data.total

    overdue, total = rows(MilestoneStatus.OVERDUE)
    assert (total, [m.name for m in overdue]) == (1, ["正式投产或交付使用"])
    done, total = rows("done")
    assert [(m.name, m.status, m.actual_date) for m in done] == [
        ("开工进场", "inferred", None), ("打桩或基础开挖", "inferred", None), ("主体工程封顶", "done_late", date(2026, 6, 20))]
    opened, total = rows("open")
    assert [m.name for m in opened] == ["正式投产或交付使用"]


def test_the_schedule_page_shows_inferred_nodes_as_inferred(client, users, building):
    set_facts(building, actual_start=date(2025, 11, 3))
    client.force_login(users["dispatcher"])
    page = client.get(reverse("schedules:project", args=[building.pk])).content.decode()
    assert 'class="badge milestone-inferred">已完成（据实际开工2025-11-03推定）' in page
    # nothing is written: the node has no actual date of its own
    assert Milestone.objects.get(project=building, sort=10).actual_date is None


# ======================================================================================== anchoring


@pytest.fixture
def template(db) -> MilestoneTemplate:
    return MilestoneTemplate.objects.get(name="房建类项目节点")


def test_the_seeded_templates_mark_their_start_and_completion_nodes(db):
    marked = set(MilestoneTemplateStep.objects.exclude(marks="").values_list("template__name", "name", "marks"))
    assert marked == {
        ("房建类项目节点", "开工进场", "start"), ("房建类项目节点", "正式投产或交付使用", "completion"),
        ("交通类项目节点", "开工进场", "start"), ("交通类项目节点", "建成通车", "completion"),
        ("水利类项目节点", "开工进场", "start"), ("水利类项目节点", "竣工验收", "completion"),
        ("产业类项目节点", "开工进场", "start"), ("产业类项目节点", "竣工投产", "completion"),
        ("前期工作节点", "开工", "start"),
    }


def test_a_started_project_gets_its_start_node_on_the_actual_start(users, own_project, template):
    """Started 2026-03-01 (planned 2026-05-01, ignored: the fact wins), target 2027-06-30: the dates of
    tests/schedules/test_scheduling.py::test_anchored_at_the_start_the_later_nodes_fit_between_start_and_target."""
    set_facts(own_project, actual_start=date(2026, 3, 1), planned_start=date(2026, 5, 1))
    made = services.apply_template(users["reporter_a"], own_project, template, TARGET)
    assert [(m.planned_date, m.marks) for m in made] == [
        (date(2026, 3, 1), "start"), (date(2026, 4, 19), ""), (date(2026, 6, 22), ""), (date(2026, 12, 1), ""),
        (date(2027, 4, 10), ""), (date(2027, 5, 29), ""), (date(2027, 6, 30), "completion")]
    assert Schedule.objects.get(project=own_project).target_date == TARGET


def test_a_project_not_started_is_anchored_at_its_planned_start(users, own_project, template):
    set_facts(own_project, planned_start=date(2026, 3, 1))
    made = services.apply_template(users["reporter_a"], own_project, template, None)
    # no target: forward by the standard days (test_anchored_without_a_target_the_later_nodes_follow_…)
    assert [m.planned_date for m in made] == [
        date(2026, 3, 1), date(2026, 4, 15), date(2026, 6, 14), date(2026, 11, 11),
        date(2027, 3, 11), date(2027, 4, 25), date(2027, 5, 25)]
    assert Schedule.objects.get(project=own_project).target_date == date(2027, 5, 25)
    assert services.preview_template(template, None, own_project)[-1] == ("正式投产或交付使用", 30, date(2027, 5, 25))


def test_without_a_start_date_it_is_backwards_from_the_target(users, own_project, template):
    made = services.apply_template(users["reporter_a"], own_project, template, TARGET)
    assert [m.planned_date for m in made] == BUILDING_2027_06_30


def test_the_preliminary_template_ends_on_the_planned_start(users, own_project):
    # 前期工作节点 ends with 开工 (15 days after 施工许可证 20 days after 招标投标): 开工 on 2027-01-15,
    # 施工许可证 on Jan 15 − 15 = 2026-12-31, 招标投标 on Dec 31 − 20 = 2026-12-11.
    set_facts(own_project, planned_start=date(2027, 1, 15))
    preliminary = MilestoneTemplate.objects.get(name="前期工作节点")
    made = services.apply_template(users["reporter_a"], own_project, preliminary, None)
    assert [(m.name, m.planned_date) for m in made][-3:] == [
        ("招标投标", date(2026, 12, 11)), ("施工许可证", date(2026, 12, 31)), ("开工", date(2027, 1, 15))]


@pytest.mark.parametrize(
    ("facts", "target", "expected"),
    [
        ({"actual_start": date(2026, 3, 1)}, date(2026, 3, 1), "目标日期（2026-03-01）应晚于项目的实际开工日期（2026-03-01）"),
        ({"planned_start": date(2026, 3, 1)}, date(2025, 12, 31), "目标日期（2025-12-31）应晚于项目的计划开工日期（2026-03-01）"),
        ({}, None, "请填写目标日期（最后一个节点的完成日期）"),
    ],
)
def test_a_target_before_the_start_is_refused_and_nothing_is_written(users, own_project, template, facts, target,
                                                                       expected):
    set_facts(own_project, **facts)
    with pytest.raises(ValidationError) as exc:
        services.apply_template(users["reporter_a"], own_project, template, target)
    assert exc.value.message_dict == {"target_date": [expected]}
    assert not Milestone.objects.filter(project=own_project).exists()
    assert not Schedule.objects.filter(project=own_project).exists()
