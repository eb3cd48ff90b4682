"""`tuijin problems overdue [--json] [--date YYYY-MM-DD] [--user NAME]`: the overdue list for the daily job —
problems still 待受理 or 办理中 past their deadline, and supervision orders past their reply or rectification
deadline — the oldest first."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from tuijin.core.management.acting import acting_user
from tuijin.problems import selectors
from tuijin.problems.models import Problem, SupervisionOrder

BAD_INPUT = 2  # the exit status of a malformed argument (as argparse's own usage errors)


def overdue_querysets(user, today: date):
    """The overdue problems and orders the user sees; every one when no user is given (the system)."""
    if user is not None:
        return selectors.overdue_problems(user, today), selectors.overdue_orders(user, today)
    problems = (Problem.objects.overdue(today)
                .select_related(*selectors.PROBLEM_RELATED).order_by("deadline", "id"))
    orders = (SupervisionOrder.objects.overdue(today)
              .select_related(*selectors.ORDER_RELATED).order_by("reply_by", "id"))
    return problems, orders


def overdue(user, today: date) -> dict:
    """The `overdue --json` object."""
    problem_rows, order_rows = overdue_querysets(user, today)
    problems = [{
        "id": p.pk, "project": p.project.name, "project_code": p.project.code, "type": p.type.name,
        "description": p.description, "handling_unit": p.handling_unit.name if p.handling_unit_id else None,
        "level": p.level, "level_label": p.get_level_display(),
        "status": p.status, "status_label": p.get_status_display(),
        "deadline": p.deadline.isoformat(), "days_overdue": selectors.days_overdue(p.deadline, today),
        "url": reverse("problems:detail", args=[p.pk]),
    } for p in problem_rows]
    orders = []
    for o in order_rows:
        due = o.due
        orders.append({
            "id": o.pk, "number": o.number, "project": o.project.name, "unit": o.unit.name,
            "status": o.status, "status_label": o.get_status_display(),
            "due": due.isoformat() if due else None, "days_overdue": selectors.days_overdue(due, today),
            "url": reverse("problems:order", args=[o.pk]),
        })
    # Orders sorted by the date that counts now (reply or rectification deadline), as the problems are.
    orders.sort(key=lambda o: (o["due"] or "", o["id"]))
    counts = {
        "problems": len(problems), "orders": len(orders),
        "problems_by_status": _tally(p["status"] for p in problems),
        "orders_by_status": _tally(o["status"] for o in orders),
    }
    return {"date": today.isoformat(), "problems": problems, "orders": orders, "counts": counts}


def _tally(values) -> dict[str, int]:
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return dict(sorted(counts.items()))


def _cut(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[:width - 1] + "…"


class Command(BaseCommand):
    help = "问题清单：overdue 列出逾期的问题（待受理、办理中且已过解决时限）和逾期的督办单（供每日定时任务调用）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["overdue"], help="overdue 逾期清单")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--date", help="按该日期判断是否逾期（YYYY-MM-DD，默认今天）")
        parser.add_argument("--user", help="只列出该用户可见的问题和督办单（默认：系统，全部）")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期“{options['date']}”格式不正确，应写作 YYYY-MM-DD",
                                   returncode=BAD_INPUT) from exc
        user = acting_user(options["user"])
        result = overdue(user, today)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        self.stdout.write(self._text(result))

    @staticmethod
    def _text(result: dict) -> str:
        counts = result["counts"]
        lines = [f"{result['date']} 逾期问题 {counts['problems']} 个，逾期督办单 {counts['orders']} 件"]
        if result["problems"]:
            lines += ["", "逾期问题：", "  编号     逾期天数  解决时限    责任单位              项目 / 问题"]
            for p in result["problems"]:
                unit = _cut(p["handling_unit"] or "（未交办）", 20)
                lines.append(f"  {p['id']:<8} {p['days_overdue']:>6}天  {p['deadline']}  {unit:<20}  "
                             f"{_cut(p['project'], 30)}：[{p['type']}] {_cut(p['description'], 40)}")
        if result["orders"]:
            lines += ["", "逾期督办单：", "  督办单号                逾期天数  时限        状态    承办单位              项目"]
            for o in result["orders"]:
                lines.append(f"  {o['number']:<20}  {o['days_overdue']:>6}天  {o['due']}  {o['status_label']:<6}  "
                             f"{_cut(o['unit'], 20):<20}  {_cut(o['project'], 30)}")
        return "\n".join(lines)
