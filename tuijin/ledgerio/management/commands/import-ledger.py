"""`tuijin import-ledger FILE`: the ledger import of the web pages, from the command line.

Exit status: 0 the file is valid (and was imported unless --dry-run), 1 it has errors or something the
user must confirm (--accept-total-mismatch, --create-new; nothing was written), 2 it could not be read.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from tuijin.core.management.acting import acting_user
from tuijin.ledgerio.choices import LedgerField
from tuijin.ledgerio.importing import CREATE_NEW, DEFAULTABLE, TOTAL_MISMATCH, StaleImport
from tuijin.ledgerio.services import ImportError_, SheetReadError, import_ledger, summary

FLAGS = {TOTAL_MISMATCH: "--accept-total-mismatch", CREATE_NEW: "--create-new"}


class Command(BaseCommand):
    help = "导入项目台账（.xlsx/.xls/.ods/.csv）。Import a project ledger spreadsheet."

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件路径")
        parser.add_argument("--sheet", help="工作表名称（默认：第一个能识别表头的工作表）")
        parser.add_argument("--year", type=int, help="年度计划的年份（默认：取自表头，如“2026年计划投资”）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--user", help="以该用户的身份和数据范围导入（默认：系统，不限范围）")
        parser.add_argument(
            "--default", action="append", default=[], metavar="FIELD=VALUE",
            help="表中没有的必填项的默认值，如 region=371300、category=交通、level=市重点、nature=新建、stage=在建",
        )
        parser.add_argument("--valid-only", action="store_true", help="只导入无错误的行（仍在一个事务中）")
        parser.add_argument("--accept-total-mismatch", action="store_true",
                            help="确认合计行与逐项相加的差异（不加时，合计行不一致则不导入）")
        parser.add_argument("--create-new", action="store_true",
                            help="确认新建系统中没有的单位和联系领导（不加时，有新单位或领导则不导入并列出名称）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        defaults = {}
        for item in options["default"]:
            name, sep, value = item.partition("=")
            if not sep or name not in DEFAULTABLE:
                allowed = "、".join(f"{f}（{LedgerField(f).label}）" for f in DEFAULTABLE)
                raise CommandError(f"--default 应写作 字段=值，字段可为：{allowed}")
            defaults[name] = value
        path = options["file"]
        try:
            analysis, result = import_ledger(
                path, path, user=user, sheet=options["sheet"], year=options["year"], dry_run=options["dry_run"],
                defaults=defaults, valid_only=options["valid_only"],
                accept_total_mismatch=options["accept_total_mismatch"], create_new=options["create_new"],
            )
        except (SheetReadError, ImportError_, OSError) as exc:
            message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if isinstance(exc, OSError):
                message = f"无法打开文件：{message}"
            self._fail(options, path, message)
            sys.exit(2)
        except StaleImport as exc:
            self._fail(options, path, str(exc))
            sys.exit(1)
        report = summary(analysis, result, dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self._human(report, analysis)
        if report["errors"]:
            sys.exit(1)

    def _fail(self, options, path: str, message: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps({
                "file": path, "rows_read": 0, "projects": 0, "created": 0, "updated": 0, "skipped_rows": [],
                "errors": [{"sheet": "", "row": None, "column": "", "message": message}],
                "totals": {"total_investment": "0.00", "annual_plan": "0.00"}, "reconciliation": [],
            }, ensure_ascii=False))
        else:
            self.stderr.write(f"无法导入：{message}")

    def _human(self, report: dict, analysis) -> None:
        out = self.stdout.write
        out(f"文件：{report['file']}　工作表：{report['sheet']}　年度：{report['year']}")
        if report["sheet_reason"]:
            out(f"  {report['sheet_reason']}")
        out(f"读取 {report['rows_read']} 行，其中项目 {report['projects']} 个；"
            f"总投资合计 {report['totals']['total_investment']} 万元，年度计划合计 {report['totals']['annual_plan']} 万元")
        for item in report["reconciliation"]:
            gap = str(item["difference"])  # the report's figures are text
            mark = "一致" if item["ok"] else f"比合计行{'少' if gap.startswith('-') else '多'} {gap.lstrip('-')}"
            out(f"  与合计行核对（第{item['row']}行）{item['column']}：合计行 {item['stated']}，逐项相加 {item['sum']}，{mark}")
        for issue in analysis.all_warnings[:50]:
            out(f"  提示：{issue}")
        for kind in analysis.needs:
            if kind in analysis.confirmed:
                out(f"  已确认：{analysis.needs[kind]}")
        if report["errors"]:
            for issue in analysis.all_errors[:200]:
                self.stderr.write(f"  错误：{issue}")
            for kind in analysis.unconfirmed:
                self.stderr.write(f"  需要确认：{analysis.needs[kind]}（核对无误后加 {FLAGS[kind]} 重新运行）")
            more = len(report["errors"]) - 200
            if more > 0:
                self.stderr.write(f"  ……另有 {more} 处错误")
            self.stderr.write(f"共 {len(report['errors'])} 处错误或待确认事项，未写入任何数据。")
        elif report["dry_run"]:
            out(f"检查通过（未写入）：将新增 {report['created']} 个项目，更新 {report['updated']} 个。")
        else:
            out(self.style.SUCCESS(f"导入完成：新增 {report['created']} 个项目，更新 {report['updated']} 个。"))
