"""`tuijin worker`: runs the background jobs and the scheduled work (tuijin/jobs/worker.py). Run one beside
the web server (`make run` does); on PostgreSQL more may run at once, on any machine."""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string

from tuijin.jobs.schedules import all_schedules
from tuijin.jobs.worker import run_worker


class Command(BaseCommand):
    help = "运行后台任务进程：执行排队的后台任务，并按计划（TUIJIN_SCHEDULES）定时发起每日预警重算、超期检查、审计归档、备份等"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="队列为空时，每隔几秒查看一次（默认 1）")
        parser.add_argument("--tick", type=float, default=15.0, help="每隔几秒写心跳并检查计划任务（默认 15）")
        parser.add_argument("--no-schedules", action="store_true", help="只执行队列中的任务，不发起计划任务")
        parser.add_argument("--batch", action="store_true", help="执行完队列中现有的任务后退出（供测试或 cron 使用）")
        parser.add_argument("--worker-id", default="", help="进程编号（默认随机生成；多个进程须各不相同）")

    def handle(self, *args, **options):
        if settings.TUIJIN_TASKS_BACKEND != "database":
            raise CommandError("TUIJIN_TASKS_BACKEND=immediate：任务在请求中直接执行，无需后台进程")
        schedules = all_schedules()  # a malformed TUIJIN_SCHEDULES stops here, before anything runs
        if options["verbosity"]:
            # What the scheduled jobs did goes to the worker's log (the journal) whatever LOG_LEVEL says.
            logging.getLogger("tuijin.jobs").setLevel(logging.INFO)
        worker_id = options["worker_id"] or f"worker-{get_random_string(16)}"
        if options["verbosity"]:
            names = "、".join(s.name for s in schedules) or "无"
            self.stdout.write(f"后台任务进程 {worker_id} 已启动（计划任务：{names}）。按 Ctrl+C 停止")
        run_worker(worker_id=worker_id, interval=options["interval"], tick=options["tick"],
                   run_schedules=not options["no_schedules"], batch=options["batch"])
