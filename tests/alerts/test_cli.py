"""`tuijin refresh-alerts [--json] [--date YYYY-MM-DD] [--user NAME]`: what it prints, what it records, and
its Chinese errors."""

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tuijin.alerts.models import Alert, AlertRun
from tuijin.projects.choices import Light
from tuijin.schedules.models import Milestone

from .. import factories as f


def run(*args) -> str:
    out = StringIO()
    call_command("refresh-alerts", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    out = run(*args, "--json")
    assert out.count("\n") == 1 and out.endswith("\n"), out  # exactly one line…
    result = json.loads(out)                                   # …holding one JSON object
    assert isinstance(result, dict)
    return result


@pytest.fixture
def three(city, own_project, other_project):
    """On 2026-07-10: own_project red (a node 39 days late), other_project yellow (a node 9 days late),
    a third project green, a fourth archived (not counted) and a fifth paused with a late node."""
    Milestone.objects.create(project=own_project, name="基础完成", planned_date=date(2026, 6, 1))
    Milestone.objects.create(project=other_project, name="主体封顶", planned_date=date(2026, 7, 1))
    f.ProjectFactory(name="正常项目", region=city.regions.lanshan)
    f.ProjectFactory(name="已归档项目", region=city.regions.lanshan, is_archived=True)
    paused = f.ProjectFactory(name="暂停项目", region=city.regions.lanshan, is_paused=True)
    Milestone.objects.create(project=paused, name="基础完成", planned_date=date(2026, 6, 1))
    return own_project, other_project


def test_json_prints_one_object_with_the_counts(three):
    own, other = three
    result = run_json("--date", "2026-07-10")
    assert set(result) == {"projects", "created", "changed", "resolved", "lights_changed", "by_light",
                           "by_dimension", "seconds"}
    # judged: own, other, 正常项目 (the archived and the paused ones are not)
    assert result["projects"] == 3
    assert (result["created"], result["changed"], result["resolved"], result["lights_changed"]) == (2, 0, 0, 2)
    # lights of the ledger (archived left out; the paused one is green)
    assert result["by_light"] == {"green": 2, "yellow": 1, "red": 1}
    assert result["by_dimension"] == {"milestone_overdue": {"yellow": 1, "red": 1}}
    assert isinstance(result["seconds"], (int, float)) and result["seconds"] >= 0
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.light, other.light) == (Light.RED, Light.YELLOW)


def test_a_second_run_creates_nothing(three):
    run_json("--date", "2026-07-10")
    again = run_json("--date", "2026-07-10")
    assert (again["created"], again["changed"], again["resolved"], again["lights_changed"]) == (0, 0, 0, 0)
    assert again["by_light"] == {"green": 2, "yellow": 1, "red": 1}
    assert Alert.objects.count() == 2


def test_the_date_decides(three):
    result = run_json("--date", "2026-06-01")   # nothing is late yet on the first node's own day
    assert result["by_light"] == {"green": 4, "yellow": 0, "red": 0}
    assert result["by_dimension"] == {}
    assert Alert.objects.count() == 0


def test_each_run_is_recorded(three, users):
    result = run_json("--date", "2026-07-10", "--user", "dispatcher")
    run_ = AlertRun.objects.get()
    assert run_.triggered_by == users["dispatcher"]
    assert run_.projects == 3
    assert run_.finished_at >= run_.started_at
    assert run_.summary == {key: value for key, value in result.items() if key != "seconds"}


def test_the_system_runs_without_a_user(three):
    run_json("--date", "2026-07-10")
    assert AlertRun.objects.get().triggered_by is None


def test_plain_output_is_chinese(three):
    out = run("--date", "2026-07-10")
    lines = out.splitlines()
    assert lines[0].startswith("已重新计算 3 个项目的预警，用时 ")
    assert lines[1:] == ["  红灯 1 个，黄灯 1 个，绿灯 2 个", "  新增预警 2，变化 0，解除 0", "  节点逾期：红 1，黄 1"]


@pytest.mark.parametrize("bad", ["2026-13-01", "2026/07/10", "昨天", "2026-02-30"])
def test_a_bad_date_is_a_chinese_error(db, bad):
    with pytest.raises(CommandError) as exc:
        run("--json", "--date", bad)
    assert str(exc.value) == f"日期“{bad}”格式不正确，应写作 YYYY-MM-DD"
    assert AlertRun.objects.count() == 0


@pytest.mark.parametrize("principal", ["reporter_a", "leader", "inspector"])
def test_a_user_outside_the_office_may_not_refresh(users, principal):
    with pytest.raises(CommandError) as exc:
        run("--json", "--user", principal)
    assert str(exc.value) == f"用户“{principal}”无权刷新预警（仅调度员、管理员）"
    assert AlertRun.objects.count() == 0


def test_an_unknown_user_is_a_chinese_error(db):
    with pytest.raises(CommandError) as exc:
        run("--user", "nobody")
    assert str(exc.value) == "用户“nobody”不存在或已停用"
