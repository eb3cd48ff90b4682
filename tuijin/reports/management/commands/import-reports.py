"""`tuijin import-reports FILE --period YYYY-MM`: a month's reports from a unit's spreadsheet."""

import json
import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuijin.core.exceptions import NotFound
from tuijin.core.management.acting import acting_user
from tuijin.core.sheets.reader import SheetReadError
from tuijin.reports import importing
from tuijin.reports.models import ReportPeriod

from .period import _month


class Command(BaseCommand):
    help = "导入调度月报表：按项目代码或名称对应本期填报，保存为草稿（--submit 直接上报）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="月报表文件（.xls/.xlsx/.ods/.csv）")
        parser.add_argument("--period", required=True, help="调度月份，如 2026-11")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个能识别表头的工作表）")
        parser.add_argument("--submit", action="store_true", help="导入后直接上报")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--user", help="以该用户的身份和填报范围导入（默认：系统，全部项目）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        year, month = _month(options["period"])
        period = ReportPeriod.objects.filter(year=year, month=month).order_by("seq").first()
        if period is None:
            raise CommandError(f"{year}年{month}月没有已开启的调度期")
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            self._unreadable(options, f"无法读取文件：{exc.strerror or exc}")
        try:
            analysis = importing.analyze(user, period, content, path.name, sheet=options["sheet"], submit=options["submit"])
            if not options["dry_run"]:
                if analysis.valid:
                    importing.commit(user, analysis, submit=options["submit"])
                importing.audit(user, path.name, content, analysis=analysis)
        except SheetReadError as exc:
            if not options["dry_run"]:
                importing.audit(user, path.name, content, refused=str(exc))
            self._unreadable(options, str(exc))
        except PermissionDenied as exc:
            raise CommandError("该用户无权填报") from exc
        except NotFound as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        result = analysis.as_dict()
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        else:
            verb = "检查" if options["dry_run"] else "导入"
            self.stdout.write(f"{period.label}：{verb}{result['reports']}个项目，写入{result['saved']}个，"
                              f"本期完成合计{result['amount_total']}万元，跳过{len(result['skipped_rows'])}行")
            for error in result["errors"]:
                where = f"第{error['row']}行" if error["row"] else ""
                self.stdout.write(f"  错误 {error['sheet']} {where} {error['column']}：{error['message']}")
        if result["errors"]:
            sys.exit(1)

    def _unreadable(self, options, message: str):
        if options["json"]:
            self.stdout.write(json.dumps({"errors": [{"sheet": "", "row": None, "column": "", "message": message}]},
                                         ensure_ascii=False))
        else:
            self.stderr.write(message)
        sys.exit(2)
