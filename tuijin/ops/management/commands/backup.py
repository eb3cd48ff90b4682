"""`tuijin backup [--to DIR] [--prune] [--json]`: one archive of the installation (tuijin.ops.backup)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuijin.ops.backup import RETENTION, BackupError, backup


class Command(BaseCommand):
    help = ("备份数据库（用户写入时也一致）、上传的文件、审计归档和数据目录的密钥到一个归档文件，附清单和校验和。"
            " Back up the database, uploaded files, audit archives and the secret key into one archive.")

    def add_arguments(self, parser):
        parser.add_argument("--to", help="存放备份的目录（默认：数据目录下的 backups）")
        parser.add_argument("--prune", action="store_true",
                            help=f"按保留策略删除该目录中较旧的备份（最近 {RETENTION.daily} 天每天、"
                                 f"{RETENTION.weekly} 周每周、{RETENTION.monthly} 个月每月各保留最新一份）")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")

    def handle(self, *args, **options):
        try:
            result = backup(Path(options["to"]) if options["to"] else None, prune=options["prune"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        if options["json"]:
            self.stdout.write(json.dumps({
                "archive": str(result.path), "bytes": result.size, "seconds": round(result.seconds, 3),
                "database": manifest.vendor, "created": manifest.created, "members": len(manifest.checksums),
                "counts": {k: manifest.counts[k] for k in ("projects.Project", "reports.ProgressReport", "auth.User")},
                "sums": manifest.sums, "pruned": [str(p) for p in result.pruned],
            }, ensure_ascii=False))
            return
        self.stdout.write(f"已备份到 {result.path}（{result.size / 1048576:.1f} MB，{len(manifest.checksums)} 个文件，"
                          f"用时 {result.seconds:.1f} 秒）")
        self.stdout.write(f"项目 {manifest.counts.get('projects.Project', 0)} 个，调度填报 "
                          f"{manifest.counts.get('reports.ProgressReport', 0)} 条，用户 {manifest.counts.get('auth.User', 0)} 个")
        for path in result.pruned:
            self.stdout.write(f"按保留策略删除旧备份：{path.name}")
