"""`tuijin reminders scan` (queue the day's reminders) and `tuijin reminders deliver` (send what is due):
what the scheduler runs, for an operator or a cron line."""

import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from tuijin.reminders import jobs
from tuijin.reminders.choices import Trigger


class Command(BaseCommand):
    help = "消息提醒：扫描到期事项并发出提醒（scan），发送待发送的外发消息（deliver）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["scan", "deliver"], help="scan 扫描到期事项 / deliver 发送外发消息")
        parser.add_argument("--date", help="scan：按这一天扫描（YYYY-MM-DD，默认今天）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        if options["action"] == "scan":
            today = None
            if options["date"]:
                try:
                    today = date.fromisoformat(options["date"])
                except ValueError as exc:
                    raise CommandError(f"日期“{options['date']}”无效，应为 YYYY-MM-DD") from exc
            result = jobs.scan(today)
            if options["json"]:
                self.stdout.write(json.dumps(result, ensure_ascii=False))
            else:
                parts = [f"{Trigger(k).label}{v}人" for k, v in result.items() if v]
                self.stdout.write("已提醒：" + "，".join(parts) if parts else "没有需要提醒的事项")
            return
        if options["date"]:
            raise CommandError("--date 只用于 scan")
        result = jobs.deliver()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif result["quiet"]:
            self.stdout.write(f"免打扰时段，暂不发送（待发送{result['held']}条）")
        else:
            self.stdout.write(f"已发送{result['sent']}条（合并为{result['messages']}条消息），"
                              f"待重试{result['retrying']}条，失败{result['failed']}条")
