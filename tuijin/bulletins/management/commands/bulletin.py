"""`tuijin bulletin …`: bulletins (通报) from the command line, over the same assembly and renderers.

    tuijin bulletin build --period 2026-10 [--region CODE] [--template FILE] --out FILE.docx [--pdf] [--json] [--user NAME]
        assemble the bulletin as of the period for the region (default: the top region) and write it;
        --pdf also writes FILE.pdf beside it; --json prints the headline figures it used
    tuijin bulletin list                         the bulletins and their state
    tuijin bulletin publish ID [--user NAME]     number and freeze a draft written in the browser
"""

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tuijin.core.exceptions import ConflictError, messages_of
from tuijin.core.management.acting import acting_user
from tuijin.figures.periods import PeriodError, parse_period
from tuijin.org.models import Region

from ... import services
from ...assemble import Spec, assemble
from ...models import Bulletin


def _messages(error: ValidationError) -> str:
    return "；".join(messages_of(error))


class Command(BaseCommand):
    help = "通报：按统计期生成通报（Word/PDF），列出和发布通报"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{build,list,publish}")
        build = sub.add_parser("build", help="生成某期通报文档（不保存为草稿）")
        build.add_argument("--period", required=True, help="统计期：2026-10、2026-Q3、2026-H1 或 2026")
        build.add_argument("--region", help="范围的行政区划代码（默认最高一级区域）")
        build.add_argument("--template", help="单位自己的 .docx 模板文件")
        build.add_argument("--out", required=True, help="输出的 .docx 文件")
        build.add_argument("--pdf", action="store_true", help="同时输出 PDF（需要 LibreOffice）")
        build.add_argument("--json", action="store_true", help="输出所用的主要数字（JSON）")
        build.add_argument("--user", help="按该用户的范围统计（默认全部数据）")
        sub.add_parser("list", help="列出通报")
        publish = sub.add_parser("publish", help="发布通报草稿（发布后不再改变）")
        publish.add_argument("bulletin_id", type=int)
        publish.add_argument("--user")

    def handle(self, *args, **options):
        try:
            getattr(self, f"do_{options['action']}")(options)
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        except PermissionDenied as error:
            raise CommandError("该用户无权进行此操作（仅调度员、管理员）") from error
        except ConflictError as error:
            raise CommandError(str(error.message)) from error

    def _region(self, code: str | None) -> Region:
        if code:
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(f"没有行政区划代码为“{code}”的区域")
            return region
        roots = list(Region.objects.filter(parent__isnull=True).order_by("path")[:2])
        if not roots:
            raise CommandError("还没有区域，请先导入组织机构或运行 tuijin demo")
        if len(roots) > 1:
            raise CommandError("有多个最高一级区域，请用 --region 指定通报范围")
        return roots[0]

    def do_build(self, options):
        from ...render_docx import TemplateError, render_docx

        user = acting_user(options["user"])
        try:
            period = parse_period(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from error
        template = None
        if options["template"]:
            try:
                template = Path(options["template"]).read_bytes()
            except OSError as error:
                raise CommandError(f"无法读取模板文件 {options['template']}") from error
        out = Path(options["out"])
        if out.suffix.lower() != ".docx":
            raise CommandError("--out 应为 .docx 文件")
        region = self._region(options["region"])
        if user is not None:
            from ...selectors import office_regions

            if not office_regions(user).filter(pk=region.pk).exists():
                raise CommandError(f"用户“{user.username}”不是{region.name}的调度员或管理员")
        found = assemble(user, Spec(period=period, region=region))
        try:
            data = render_docx(found.document, template=template)
        except TemplateError as error:
            raise CommandError(f"模板无法生成文档：{error}") from error
        out.write_bytes(data)
        written = [str(out)]
        if options["pdf"]:
            from ... import pdf

            try:
                pdf_path = out.with_suffix(".pdf")
                pdf_path.write_bytes(pdf.docx_to_pdf(data))
                written.append(str(pdf_path))
            except (pdf.PdfUnavailable, pdf.PdfFailed) as error:
                raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps({"title": found.document.title, "files": written, "headline": found.headline},
                                         ensure_ascii=False))
        else:
            self.stdout.write(f"{found.document.title}（{found.basis}）")
            for path in written:
                self.stdout.write(f"已写入 {path}")

    def do_list(self, options):
        for bulletin in Bulletin.objects.select_related("region").order_by("-period", "region__path", "-id"):
            self.stdout.write(f"#{bulletin.pk}\t{bulletin.period}\t{bulletin.region.name}\t{bulletin.get_state_display()}\t"
                              f"{bulletin.number_label}\t{bulletin.title}")

    def do_publish(self, options):
        bulletin = Bulletin.objects.select_related("region").filter(pk=options["bulletin_id"]).first()
        if bulletin is None:
            raise CommandError(f"没有编号为 {options['bulletin_id']} 的通报（tuijin bulletin list 可查看）")
        bulletin = services.bulletin_publish(acting_user(options["user"]), bulletin, version=bulletin.version)
        self.stdout.write(f"已发布：{bulletin.title}（{bulletin.number_label}）")
