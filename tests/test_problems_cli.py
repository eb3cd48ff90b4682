"""`tuijin problems overdue [--json] [--date YYYY-MM-DD] [--user NAME]`: the daily overdue list — which
problems and orders it names, what it prints, and its Chinese errors."""

import json
import sys
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tuijin.problems.choices import Ladder, OrderStatus, ProblemStatus
from tuijin.problems.models import Problem, ProblemType, SupervisionOrder

from .clock import NEW_YEAR
from .test_cli import run as run_process

TODAY = "2026-07-10"


def run(*args) -> str:
    out = StringIO()
    call_command("problems", *args, stdout=out)
    return out.getvalue()


def run_json(*args) -> dict:
    out = run(*args, "--json")
    assert out.count("\n") == 1 and out.endswith("\n"), out  # exactly one line…
    result = json.loads(out)                                   # …holding one JSON object
    assert isinstance(result, dict)
    return result


def _problem(project, unit, status, deadline, description, **extra) -> Problem:
    return Problem.objects.create(
        project=project, type=ProblemType.objects.get(name=extra.pop("type", "用地")), description=description,
        raised_on=date(2026, 5, 1), handling_unit=unit, status=status, deadline=deadline, **extra)


def _order(project, unit, seq, status, reply_by, rectify_by=None) -> SupervisionOrder:
    return SupervisionOrder.objects.create(
        year=2026, seq=seq, project=project, unit=unit, content=f"督办内容{seq}", reply_by=reply_by,
        rectify_by=rectify_by, status=status, issued_on=date(2026, 5, 20))


@pytest.fixture
def book(city, own_project, other_project):
    """On 2026-07-10 two problems and two orders are overdue; the others are on time, finished or undated."""
    units = city.units
    problems = {
        "late_pending": _problem(own_project, units.land, ProblemStatus.PENDING, date(2026, 7, 1), "用地指标未落实",
                                 level=Ladder.COUNTY),
        "late_handling": _problem(other_project, units.lanshan_government, ProblemStatus.HANDLING, date(2026, 6, 1),
                                  "征地拆迁  补偿\n未谈妥", type="征地拆迁/民事纠纷", level=Ladder.LEADER),
        "due_today": _problem(own_project, units.land, ProblemStatus.HANDLING, date(2026, 7, 10), "今天到期"),
        "resolved": _problem(own_project, units.land, ProblemStatus.RESOLVED, date(2026, 6, 1), "已解决待销号"),
        "closed": _problem(other_project, units.land, ProblemStatus.CLOSED, date(2026, 6, 1), "已销号",
                           closed_on=date(2026, 6, 20), days_to_close=50),
        "unsolvable": _problem(other_project, units.land, ProblemStatus.UNSOLVABLE, date(2026, 6, 1), "无法解决"),
        "undated": _problem(own_project, None, ProblemStatus.PENDING, None, "未交办"),
    }
    orders = {
        "late_reply": _order(own_project, units.lanshan_government, 3, OrderStatus.ISSUED, date(2026, 7, 2)),
        # replied in time (reply_by passed does not count any more), rectification due later
        "rectifying": _order(own_project, units.lanshan_government, 4, OrderStatus.RECTIFYING, date(2026, 6, 1),
                             date(2026, 8, 1)),
        "late_rectify": _order(other_project, units.luozhuang_government, 5, OrderStatus.RECTIFYING,
                               date(2026, 7, 8), date(2026, 7, 5)),
        "closed": _order(other_project, units.luozhuang_government, 6, OrderStatus.CLOSED, date(2026, 6, 1)),
        "reply_today": _order(other_project, units.luozhuang_government, 7, OrderStatus.ISSUED, date(2026, 7, 10)),
    }
    return problems, orders


def test_json_lists_the_overdue_problems_and_orders_oldest_first(book, own_project, other_project, units):
    problems, orders = book
    result = run_json("overdue", "--date", TODAY)
    assert set(result) == {"date", "problems", "orders", "counts"}
    assert result["date"] == TODAY
    late_handling, late_pending = problems["late_handling"], problems["late_pending"]
    assert result["problems"] == [
        {"id": late_handling.pk, "project": other_project.name, "project_code": other_project.code,
         "type": "征地拆迁/民事纠纷", "description": "征地拆迁  补偿\n未谈妥", "handling_unit": "兰山区人民政府",
         "level": 4, "level_label": "分包市领导协调", "status": "handling", "status_label": "办理中",
         "deadline": "2026-06-01", "days_overdue": 39, "url": f"/problems/{late_handling.pk}/"},
        {"id": late_pending.pk, "project": own_project.name, "project_code": own_project.code,
         "type": "用地", "description": "用地指标未落实", "handling_unit": "临沂市自然资源和规划局",
         "level": 2, "level_label": "县区协调", "status": "pending", "status_label": "待受理",
         "deadline": "2026-07-01", "days_overdue": 9, "url": f"/problems/{late_pending.pk}/"},
    ]
    late_reply, late_rectify = orders["late_reply"], orders["late_rectify"]
    # Sorted by the date that counts now: the rectifying order's reply_by (07-08) plays no part, its
    # rectification deadline (07-05) does.
    assert result["orders"] == [
        {"id": late_reply.pk, "number": "督办〔2026〕3号", "project": own_project.name, "unit": "兰山区人民政府",
         "status": "issued", "status_label": "待回复", "due": "2026-07-02", "days_overdue": 8,
         "url": f"/problems/orders/{late_reply.pk}/"},
        {"id": late_rectify.pk, "number": "督办〔2026〕5号", "project": other_project.name, "unit": "罗庄区人民政府",
         "status": "rectifying", "status_label": "整改中", "due": "2026-07-05", "days_overdue": 5,
         "url": f"/problems/orders/{late_rectify.pk}/"},
    ]
    assert result["counts"] == {"problems": 2, "orders": 2, "problems_by_status": {"handling": 1, "pending": 1},
                                "orders_by_status": {"issued": 1, "rectifying": 1}}


def test_the_counts_are_those_of_the_database(book):
    result = run_json("overdue", "--date", TODAY)
    day = date.fromisoformat(TODAY)
    open_late = Problem.objects.filter(status__in=["pending", "handling"], deadline__lt=day)
    assert result["counts"]["problems"] == open_late.count() == 2
    assert {p["id"] for p in result["problems"]} == set(open_late.values_list("pk", flat=True))
    assert all(p["days_overdue"] > 0 for p in result["problems"] + result["orders"])


def test_the_date_decides(book):
    early = run_json("overdue", "--date", "2026-06-01")  # a deadline falls overdue the day after
    assert early["counts"]["problems"] == 0 and early["counts"]["orders"] == 0
    assert early["problems"] == [] and early["orders"] == []
    later = run_json("overdue", "--date", "2026-08-02")
    by_id = {p["id"]: p for p in later["problems"]}
    problems, orders = book
    assert set(by_id) == {problems["late_pending"].pk, problems["late_handling"].pk, problems["due_today"].pk}
    assert by_id[problems["due_today"].pk]["days_overdue"] == 23
    assert {o["id"] for o in later["orders"]} == {orders["late_reply"].pk, orders["rectifying"].pk,
                                                  orders["late_rectify"].pk, orders["reply_today"].pk}


def test_a_user_sees_only_their_scope(book):
    problems, orders = book
    # 兰山区: its own project's problems and the problem its government handles on the 罗庄区 project,
    # the order on its project (a reporter does not see the 罗庄区 order).
    lanshan = run_json("overdue", "--date", TODAY, "--user", "reporter_a")
    assert [p["id"] for p in lanshan["problems"]] == [problems["late_handling"].pk, problems["late_pending"].pk]
    assert [o["id"] for o in lanshan["orders"]] == [orders["late_reply"].pk]
    luozhuang = run_json("overdue", "--date", TODAY, "--user", "reporter_b")
    assert [p["id"] for p in luozhuang["problems"]] == [problems["late_handling"].pk]
    assert [o["id"] for o in luozhuang["orders"]] == [orders["late_rectify"].pk]
    assert (luozhuang["counts"]["problems"], luozhuang["counts"]["orders"]) == (1, 1)
    nobody = run_json("overdue", "--date", TODAY, "--user", "outsider")
    assert nobody["problems"] == [] and nobody["orders"] == []
    # The city's dispatcher sees what the system sees.
    assert run_json("overdue", "--date", TODAY, "--user", "dispatcher") == run_json("overdue", "--date", TODAY)


def test_plain_output_is_a_chinese_table(book):
    problems, orders = book
    lines = run("overdue", "--date", TODAY).splitlines()
    assert lines[0] == "2026-07-10 逾期问题 2 个，逾期督办单 2 件"
    assert lines[2] == "逾期问题："
    assert lines[4].split()[:4] == [str(problems["late_handling"].pk), "39天", "2026-06-01", "兰山区人民政府"]
    assert "[征地拆迁/民事纠纷] 征地拆迁 补偿 未谈妥" in lines[4]  # whitespace folded onto one line
    assert lines[5].split()[:4] == [str(problems["late_pending"].pk), "9天", "2026-07-01", "临沂市自然资源和规划局"]
    assert lines[7] == "逾期督办单："
    assert lines[9].split()[:5] == ["督办〔2026〕3号", "8天", "2026-07-02", "待回复", "兰山区人民政府"]
    assert lines[10].split()[:5] == ["督办〔2026〕5号", "5天", "2026-07-05", "整改中", "罗庄区人民政府"]
    assert len(lines) == 11


def test_plain_output_with_nothing_overdue(db):
    assert run("overdue", "--date", TODAY) == "2026-07-10 逾期问题 0 个，逾期督办单 0 件\n"


def test_json_with_nothing_overdue(db):
    assert run_json("overdue", "--date", TODAY) == {
        "date": TODAY, "problems": [], "orders": [],
        "counts": {"problems": 0, "orders": 0, "problems_by_status": {}, "orders_by_status": {}},
    }


@pytest.mark.parametrize("on_day", [(*NEW_YEAR, 0, 30)], indirect=True)  # still 2026-12-31 in UTC
def test_without_a_date_today_counts(on_day, db):
    assert run_json("overdue")["date"] == "2027-01-01"


def test_the_list_writes_nothing(book):
    before = (list(Problem.objects.order_by("pk").values_list("pk", "status", "version")),
              list(SupervisionOrder.objects.order_by("pk").values_list("pk", "status", "version")),
              Problem.history.count())
    run_json("overdue", "--date", TODAY)
    run("overdue", "--date", TODAY)
    after = (list(Problem.objects.order_by("pk").values_list("pk", "status", "version")),
             list(SupervisionOrder.objects.order_by("pk").values_list("pk", "status", "version")),
             Problem.history.count())
    assert after == before


@pytest.mark.parametrize("bad", ["2026-13-01", "2026/07/10", "昨天", "2026-02-30", "20260710x"])
def test_a_bad_date_is_a_chinese_error_with_status_2(db, bad):
    with pytest.raises(CommandError) as exc:
        run("overdue", "--json", "--date", bad)
    assert str(exc.value) == f"日期“{bad}”格式不正确，应写作 YYYY-MM-DD"
    assert exc.value.returncode == 2


def test_an_unknown_user_is_a_chinese_error(db):
    with pytest.raises(CommandError) as exc:
        run("overdue", "--user", "nobody")
    assert str(exc.value) == "用户“nobody”不存在或已停用"


def test_an_unknown_subcommand_is_refused(db):
    with pytest.raises(CommandError, match="invalid choice"):
        run("late")


def test_the_console_exits_with_status_2_on_a_bad_date(tmp_path):
    result = run_process([sys.executable, "-m", "tuijin", "problems", "overdue", "--json", "--date", "2026-02-30"],
                         tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "日期“2026-02-30”格式不正确，应写作 YYYY-MM-DD" in result.stderr


def test_the_console_prints_one_json_object_and_exits_0(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    migrate = run_process([sys.executable, "-m", "tuijin", "migrate", "--noinput", "-v0"], tmp_path, **env)
    assert migrate.returncode == 0, migrate.stderr
    result = run_process([sys.executable, "-m", "tuijin", "problems", "overdue", "--json", "--date", TODAY],
                         tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["problems"] == 0


def test_help_is_chinese(tmp_path):
    result = run_process([sys.executable, "-m", "tuijin", "problems", "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "逾期" in result.stdout and "--date" in result.stdout
