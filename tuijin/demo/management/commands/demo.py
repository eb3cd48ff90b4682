"""`tuijin demo`: load the demo city (临沂市) into an empty database."""

import argparse
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tuijin.audit.services import seal_pending
from tuijin.demo import data
from tuijin.demo.builder import DEFAULT_SEED, DemoBuilder, DemoDataError, demo_state
from tuijin.projects.filtersets import options_changed

ALREADY_LOADED = "演示数据已存在，无需重复加载"
REFUSED = "数据库中已有非演示数据，拒绝加载演示城市（请使用空数据库）"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from None


class Command(BaseCommand):
    help = "在空数据库中加载演示城市（临沂市：区县、单位、领导、演示账号和约600个重点项目）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help="数据库中已有任何数据（演示或非演示）时，仅提示并正常退出",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子（默认 %(default)s）")
        parser.add_argument(
            "--today", type=_day, default=None, metavar="YYYY-MM-DD",
            help="按哪一天生成演示城市（默认今天，北京时间）：调度期次、填报、问题办理等日期都由这一天推算",
        )

    def handle(self, *args, if_empty=False, seed=DEFAULT_SEED, today=None, **options):
        started = time.monotonic()
        with transaction.atomic():
            state = demo_state()
            if state == "demo":
                self.stdout.write(ALREADY_LOADED)
                return
            if state == "other":
                if if_empty:
                    self.stdout.write("数据库中已有数据，跳过加载演示城市。")
                    return
                raise CommandError(REFUSED)
            try:
                self._say("正在加载演示城市（临沂市），约需半分钟到一分钟…")
                summary = DemoBuilder(seed, today, progress=self._say).build()
            except DemoDataError as exc:
                raise CommandError(f"演示数据生成失败：{exc}") from exc
        options_changed()  # bulk inserts send no signals: the ledger's filter options are rebuilt
        seal_pending()  # the build skips on_commit work: the audit entries it wrote are chained now
        self._report(summary, time.monotonic() - started)

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def _report(self, s: dict, seconds: float) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS(f"已加载演示城市：临沂市（用时 {seconds:.1f} 秒）"))
        out(f"  行政区域：{s['regions']} 个（省、市及 {s['regions'] - 2} 个县区和开发区）")
        out(
            f"  单位：{s['units']} 个（党委政府/管委会 {s['governments']}、职能部门 {s['departments']}、"
            f"项目业主 {s['owners']}）"
        )
        out(f"  市级领导：{s['leaders']} 名")
        years = "、".join(f"{y}年 {n} 个" for y, n in s["projects_by_year"].items())
        out(f"  项目：{s['projects']} 个（按列入年度：{years}），总投资 {s['total_investment'] / 10000:,.2f} 亿元")
        out(f"  其中赋码项目 {s['with_code']} 个，年度计划 {s['plans']} 条")
        stages = "、".join(f"{name} {n}" for name, n in sorted(s["projects_by_stage"].items(), key=lambda kv: -kv[1]))
        out(f"  项目阶段：{stages}")
        year, month, due = s["dispatch"]["open"]
        out(f"  按 {s['today']:%Y-%m-%d} 生成：月度调度 {s['report_periods']} 期（已关闭 {s['dispatch']['closed']} 期，"
            f"{year}年{month}月填报中，{due.month}月{due.day}日截止），填报记录 {s['reports']} 条")
        lights = s["lights"]
        out(f"  预警：绿灯 {lights['green']}、黄灯 {lights['yellow']}、红灯 {lights['red']}；问题 {s['problems']['problems']} 个")
        scoring = s["scoring"]
        out(f"  考核排名：方案 {scoring['schemes']} 个，考核结果 {scoring['runs']} 期（已发布 {scoring['published']} 期）")
        bulletins = s["bulletins"]
        if bulletins["published"] is not None:
            out(f"  通报：{bulletins['published'].title}（{bulletins['published'].number_label}，已发布）")
        if bulletins["draft"] is not None:
            out(f"  通报草稿：{bulletins['draft'].title}")
        out(f"演示账号（密码均为 {data.DEMO_PASSWORD}）：")
        for username, display, role, unit, scope in s["logins"]:
            out(f"  {username:<11}{display:<5}{role} · {unit} · 数据范围：{scope}")
        if s["extra_logins"]:
            out(f"  另有各县区、部门的填报员和办理员账号 {len(s['extra_logins'])} 个（如 {s['extra_logins'][0]}），密码相同")
