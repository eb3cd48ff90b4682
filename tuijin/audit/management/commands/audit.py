"""`tuijin audit verify [--archive FILE]` and `tuijin audit archive`: the audit trail's chain checked, and
its entries past the retention period moved to a file that keeps the chain."""

import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tuijin.audit import services
from tuijin.audit.chain import Check


class Command(BaseCommand):
    help = "安全审计：校验审计链（verify），归档超过保存期的审计记录（archive）"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify", "archive"], help="verify 校验审计链 / archive 归档")
        parser.add_argument("--archive", dest="archive_file", metavar="FILE",
                            help="verify：校验一个归档文件（.jsonl.gz）而不是数据库中的审计链")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            self._verify(options)
        else:
            self._archive(options)

    def _verify(self, options):
        if options["archive_file"]:
            path = Path(options["archive_file"])
            if not path.is_file():
                raise CommandError(f"归档文件“{path}”不存在")
            try:
                result = services.verify_file(path)
            except (OSError, ValueError) as exc:
                raise CommandError(f"归档文件“{path}”无法读取：{exc}") from exc
            where = f"归档文件 {path.name}"
        else:
            result = services.verify()
            where = "数据库中的审计链"
        self._say(result, where, options)
        if not result.ok:
            raise CommandError(f"审计链断裂：第{result.broken_seq}条（{result.broken_at}）：{result.reason}")

    def _say(self, result: Check, where: str, options):
        if options["json"]:
            self.stdout.write(json.dumps({"ok": result.ok, "where": where, "count": result.count,
                                         "last_seq": result.last_seq, "last_hash": result.last_hash,
                                         "broken_seq": result.broken_seq, "broken_at": result.broken_at,
                                         "reason": result.reason}, ensure_ascii=False))
        elif result.ok:
            self.stdout.write(f"{where}完好：校验{result.count}条，至第{result.last_seq}条，末条哈希 {result.last_hash}")

    def _archive(self, options):
        if options["archive_file"]:
            raise CommandError("--archive 只用于 verify")
        try:
            summary = services.archive()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        except services.ArchiveRefused as exc:
            raise CommandError(f"审计链校验未通过，未归档：{exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        elif summary is None:
            self.stdout.write(f"没有超过保存期（{services.retention_days()}天）的审计记录")
        else:
            self.stdout.write(f"已归档第{summary['first_seq']}至第{summary['last_seq']}条（{summary['count']}条）到 "
                              f"{services.archive_folder() / summary['file']}，SHA-256 {summary['sha256']}")
