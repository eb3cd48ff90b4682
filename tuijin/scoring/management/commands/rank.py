"""`tuijin rank …`: assessment schemes and rankings from the command line, over the same services.

    tuijin rank presets                          the published schemes that can be installed
    tuijin rank install PRESET [--user NAME]     install one (its 序列 get their subjects in the editor)
    tuijin rank list                             schemes and their runs
    tuijin rank export CODE [-o FILE]            a scheme as JSON, members by name
    tuijin rank import FILE [--user NAME]        a scheme from such a file
    tuijin rank run CODE --period 2026-10 [--json] [--user NAME]   compute the draft and print the ranking
    tuijin rank show RUN_ID [--json]             print a run
    tuijin rank publish RUN_ID [--user NAME]     freeze and number a draft (2026年第10期)
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuijin.core.exceptions import ConflictError, messages_of
from tuijin.core.management.acting import acting_user
from tuijin.scoring import selectors, services
from tuijin.scoring.choices import SubjectKind
from tuijin.scoring.models import Run, Scheme
from tuijin.scoring.presets import PRESETS

BOARDS = {"red": "红榜", "black": "黑榜", "": ""}


def _messages(error: ValidationError) -> str:
    return "；".join(messages_of(error))


class Command(BaseCommand):
    help = "考核方案与排名：安装预设、导入导出方案、计算并发布考核结果（红黑榜）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{presets,install,list,export,import,run,show,publish}")
        sub.add_parser("presets", help="可安装的预设方案")
        install = sub.add_parser("install", help="安装一个预设方案")
        install.add_argument("preset")
        install.add_argument("--user")
        sub.add_parser("list", help="方案及其各期结果")
        export = sub.add_parser("export", help="导出方案为 JSON")
        export.add_argument("code")
        export.add_argument("-o", "--output")
        imported = sub.add_parser("import", help="从 JSON 文件导入方案")
        imported.add_argument("file")
        imported.add_argument("--user")
        run = sub.add_parser("run", help="计算某期考核结果（草稿）并输出排名")
        run.add_argument("code")
        run.add_argument("--period", required=True, help="考核期间：2026-10、2026-Q3、2026-H1 或 2026")
        run.add_argument("--json", action="store_true")
        run.add_argument("--user")
        show = sub.add_parser("show", help="输出某期考核结果")
        show.add_argument("run_id", type=int)
        show.add_argument("--json", action="store_true")
        publish = sub.add_parser("publish", help="发布考核结果（发布后不再改变）")
        publish.add_argument("run_id", type=int)
        publish.add_argument("--user")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(options)
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        except PermissionDenied as error:
            raise CommandError("该用户无权进行此操作（仅调度员、管理员）") from error
        except ConflictError as error:
            raise CommandError(str(error.message)) from error

    def _scheme(self, code: str) -> Scheme:
        scheme = Scheme.objects.filter(code=code).first()
        if scheme is None:
            raise CommandError(f"没有方案代码为“{code}”的考核方案（tuijin rank list 可查看）")
        return scheme

    def _run(self, pk: int) -> Run:
        run = Run.objects.select_related("scheme").filter(pk=pk).first()
        if run is None:
            raise CommandError(f"没有编号为 {pk} 的考核结果（tuijin rank list 可查看）")
        return run

    def do_presets(self, options):
        for code, preset in PRESETS.items():
            self.stdout.write(f"{code}\t{preset['name']}")

    def do_install(self, options):
        scheme = services.preset_install(acting_user(options["user"]), options["preset"])
        self.stdout.write(f"已安装考核方案“{scheme.name}”（{scheme.code}），请在方案编辑页为各序列选择考核对象")

    def do_list(self, options):
        for scheme in Scheme.objects.order_by("code"):
            self.stdout.write(f"{scheme.code}\t{scheme.name}\t{scheme.kinds_display}\t{scheme.get_period_kind_display()}")
            for run in scheme.runs.order_by("-period_end")[:12]:
                self.stdout.write(f"  #{run.pk}\t{run.snapshot.get('period_label', run.period_end)}\t"
                                  f"{run.get_state_display()}\t{selectors.run_label(run)}")

    def do_export(self, options):
        text = json.dumps(selectors.scheme_document(self._scheme(options["code"])), ensure_ascii=False, indent=2)
        if options["output"]:
            Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"已导出到 {options['output']}")
        else:
            self.stdout.write(text)

    def do_import(self, options):
        try:
            document = json.loads(Path(options["file"]).read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise CommandError(f"找不到文件 {options['file']}") from error
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError("文件不是推进平台导出的考核方案（JSON）") from error
        scheme = services.scheme_import(acting_user(options["user"]), document)
        self.stdout.write(f"已导入考核方案“{scheme.name}”（{scheme.code}）")

    def do_run(self, options):
        run = services.run_compute(acting_user(options["user"]), self._scheme(options["code"]), options["period"])
        self._print(run, options["json"])

    def do_show(self, options):
        self._print(self._run(options["run_id"]), options["json"])

    def do_publish(self, options):
        run = self._run(options["run_id"])
        run = services.run_publish(acting_user(options["user"]), run, version=run.version)
        self.stdout.write(f"已发布：{run.scheme.name} {run.snapshot.get('period_label')}（{selectors.run_label(run)}）")

    def _print(self, run: Run, as_json: bool):
        results = list(run.results.all())
        payload = selectors.run_payload(run, results)
        if as_json:
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{payload['scheme_name']}  {payload['period_label']}  {payload['label']}（#{run.pk}）")
        kinds = dict(SubjectKind.choices)
        for series, lines in selectors.series_of(results):
            self.stdout.write(f"【{series}】（{kinds.get(lines[0].subject_kind, '')}）" if lines else f"【{series}】")
            for line in lines:
                rank = f"{'并列' if line.tied else ''}第{line.rank}名" if line.rank is not None else "不参与排名"
                total = f"{line.total}分" if line.rank is not None else "—"
                notes = [n for n in (BOARDS[line.board], line.movement, *selectors.notes_of(line)) if n]
                self.stdout.write(f"  {rank:<8}{line.subject_name}\t{total}\t{' '.join(notes)}")
