"""`tuijin period open|close|status YYYY-MM`: the monthly dispatch's periods from the command line."""

import json
import re
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.management.acting import acting_user
from tuijin.reports import selectors, services
from tuijin.reports.choices import Cadence, ReportState
from tuijin.reports.models import ReportPeriod

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _month(value: str) -> tuple[int, int]:
    match = MONTH.match(value or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise CommandError(f"月份“{value}”格式不正确，应写作 YYYY-MM，如 2026-11")
    return int(match.group(1)), int(match.group(2))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"日期“{value}”格式不正确，应写作 YYYY-MM-DD，如 2026-11-25") from exc


class Command(BaseCommand):
    help = "调度期：开启（open）、关闭（close）、查看填报情况（status）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["open", "close", "status"], help="open 开启 / close 关闭 / status 填报情况")
        parser.add_argument("month", help="调度月份，如 2026-11")
        parser.add_argument("--due", help="填报截止日期 YYYY-MM-DD（open；默认当月25日）")
        parser.add_argument("--cadence", choices=Cadence.values, default=Cadence.MONTH, help="month 月报 / half 半月报 / ten 旬报")
        parser.add_argument("--seq", type=int, default=1, help="期次（半月报 1-2，旬报 1-3）")
        parser.add_argument("--force", action="store_true", help="close：仍有待审核的填报时也关闭")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--user", help="以该用户的身份和数据范围操作（默认：系统，全部项目）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        year, month = _month(options["month"])
        try:
            if options["action"] == "open":
                due = _date(options["due"]) if options["due"] else None
                period = services.period_open(user, year=year, month=month, cadence=options["cadence"],
                                              seq=options["seq"], due_on=due)
                result = {"period": period.label, "id": period.pk, "due_on": period.due_on.isoformat(),
                          "projects": period.reports.count(), "status": period.status}
                message = f"{period.label}调度期已开启：{result['projects']}个项目须填报，截止{period.due_on}"
            elif options["action"] == "close":
                period = self._period(year, month, options)
                # The command closes the period as it read it just now: a save in between is a conflict.
                period = services.period_close(user, period, version=period.version, force=options["force"])
                result = {"period": period.label, "id": period.pk, "status": period.status}
                message = f"{period.label}调度期已关闭"
            else:
                period = self._period(year, month, options)
                result = status(period, user)
                message = self._status_text(result)
        except PermissionDenied as exc:
            raise CommandError("该用户无权管理调度期（须为调度员或系统管理员）") from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except (ConflictError, NotFound) as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            self.stdout.write(message)

    def _period(self, year, month, options) -> ReportPeriod:
        period = ReportPeriod.objects.filter(year=year, month=month, cadence=options["cadence"], seq=options["seq"]).first()
        if period is None:
            raise CommandError(f"{year}年{month}月没有已开启的调度期")
        return period

    @staticmethod
    def _status_text(result) -> str:
        lines = [f"{result['period']}（{result['status_label']}，截止{result['due_on']}）：应报{result['required']}，"
                 f"已上报{result['handed_in']}，未上报{result['missing']}，逾期{result['late']}"]
        for unit in result["by_unit"]:
            lines.append(f"  {unit['unit']}：应报{unit['required']}，已上报{unit['handed_in']}，未上报{unit['missing']}")
        return "\n".join(lines)


def status(period: ReportPeriod, user=None) -> dict:
    """Counts by state and by unit (the CLI's `status --json`)."""
    overview = selectors.period_overview(user, period)
    total = overview.total
    return {
        "period": period.label, "id": period.pk, "status": period.status, "status_label": period.get_status_display(),
        "due_on": period.due_on.isoformat(),
        "required": total.required, "handed_in": total.handed_in, "missing": total.missing, "late": total.late,
        "by_state": {state: total.counts[state] for state in ReportState.values},
        "by_unit": [
            {"unit": t.name, "unit_id": t.key, "required": t.required, "handed_in": t.handed_in, "missing": t.missing,
             "late": t.late, "by_state": dict(t.counts)}
            for t in overview.by_unit
        ],
    }
