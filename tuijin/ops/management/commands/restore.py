"""`tuijin restore ARCHIVE [--force] [--json]`: restore an archive of `tuijin backup` (tuijin.ops.backup)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tuijin.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = ("从 tuijin backup 的归档恢复数据库、上传的文件和密钥。只恢复到空的安装；已有数据时需加 --force。"
            "恢复前请停止网站和后台任务进程。 Restore an archive into an empty installation (--force to overwrite).")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="备份文件（tuijin-backup-….tar）")
        parser.add_argument("--force", action="store_true", help="当前安装已有数据时仍然覆盖")
        parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")

    def handle(self, *args, **options):
        try:
            result = restore(Path(options["archive"]), force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        if options["json"]:
            self.stdout.write(json.dumps({
                "archive": options["archive"], "created": manifest.created, "database": manifest.vendor,
                "seconds": round(result.seconds, 3), "sums": result.sums,
                "counts": {k: result.counts[k] for k in ("projects.Project", "reports.ProgressReport", "auth.User")},
            }, ensure_ascii=False))
            return
        self.stdout.write(f"已从 {manifest.created} 的备份恢复（用时 {result.seconds:.1f} 秒）："
                          f"项目 {result.counts.get('projects.Project', 0)} 个，调度填报 "
                          f"{result.counts.get('reports.ProgressReport', 0)} 条，用户 {result.counts.get('auth.User', 0)} 个；"
                          "各表行数和金额合计与备份清单一致")
        self.stdout.write("请运行 tuijin migrate（备份来自旧版本时）并重新启动网站和后台任务进程")
