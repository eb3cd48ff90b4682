"""`tuijin refresh-alerts [--json]`: recompute every project's warnings (the nightly job) and print the
counts by light and by dimension."""

import json
from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tuijin.alerts import services
from tuijin.alerts.choices import Dimension
from tuijin.core.management.acting import acting_user


class Command(BaseCommand):
    help = "重新计算全部项目的预警（红黄绿灯），输出按灯色和维度的统计（供每日定时任务调用）"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--date", help="按该日期判断（YYYY-MM-DD，默认今天；用于补算或核对）")
        parser.add_argument("--user", help="记录为该用户发起（默认：系统）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        today = None
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"日期“{options['date']}”格式不正确，应写作 YYYY-MM-DD") from exc
        try:
            run, result = services.refresh_all(user, today=today)
        except PermissionDenied as exc:
            raise CommandError(f"用户“{user.username}”无权刷新预警（仅调度员、管理员）") from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        if options["json"]:
            self.stdout.write(json.dumps({**result.as_dict(), "seconds": round(seconds, 3)}, ensure_ascii=False))
            return
        lights = result.by_light
        self.stdout.write(f"已重新计算 {result.projects} 个项目的预警，用时 {seconds:.1f} 秒")
        self.stdout.write(f"  红灯 {lights['red']} 个，黄灯 {lights['yellow']} 个，绿灯 {lights['green']} 个")
        self.stdout.write(f"  新增预警 {result.created}，变化 {result.changed}，解除 {result.resolved}")
        for dimension, n in result.by_dimension.items():
            self.stdout.write(f"  {Dimension(dimension).label}：红 {n['red']}，黄 {n['yellow']}")
