"""Bulletin pages (通报): the list, a new draft, the editor with its preview, publication, correction,
the downloads (.docx, PDF, 附件 .xlsx) and the office's templates. Thin views over selectors and services."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import ConflictError, get_or_not_found, messages_of
from tuijin.core.parsing import parse_id
from tuijin.core.sheets import writer
from tuijin.core.signals import send_export
from tuijin.figures.periods import month_of
from tuijin.org.selectors import is_office, require_office

from . import rendering, selectors, services
from .choices import SECTIONS, State
from .models import Template

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


_errors = messages_of


def _template(data) -> Template | None:
    """The template chosen in a form ("" for the default layout); 404 for one that does not exist."""
    if not data.get("template"):
        return None
    return get_or_not_found(Template.objects.all(), pk=parse_id(data["template"]) or 0)


def _last_month() -> str:
    today = timezone.localdate()
    first = today.replace(day=1)
    return month_of(date.fromordinal(first.toordinal() - 1)).key


@login_required
@require_safe
def bulletin_list(request):
    office = is_office(request.user)
    bulletins = (selectors.bulletins_visible_to(request.user).select_related("region", "corrects")
                 .order_by("-period", "region__path", "-id")[:200])
    return render(request, "bulletins/list.html", {
        "bulletins": bulletins, "is_office": office,
        "regions": selectors.office_regions(request.user).order_by("path") if office else [],
        "templates": selectors.templates() if office else [], "default_period": _last_month(),
    })


@login_required
@require_POST
def bulletin_new(request):
    require_office(request.user)
    template = _template(request.POST)
    try:
        bulletin = services.bulletin_create(request.user, period=request.POST.get("period", ""),
                                            region=request.POST.get("region") or 0, template=template)
    except ValidationError as error:
        for text in _errors(error):
            messages.error(request, text)
        return redirect("bulletins:list")
    messages.success(request, _("已生成通报草稿，请逐部分补充文字，预览无误后发布"))
    return redirect("bulletins:detail", bulletin.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def bulletin_detail(request, pk):
    bulletin = selectors.bulletin_for(request.user, pk)
    editable = bulletin.state == State.DRAFT and is_office(request.user)
    form_errors: list[str] = []
    posted = None
    if request.method == "POST":
        if not editable:
            require_office(request.user)
            messages.error(request, _("该期通报已发布，不能再修改；如需更正，请发布更正的新一期"))
            return redirect("bulletins:detail", bulletin.pk)
        posted = request.POST
        template = _template(posted)
        try:
            issued_on = date.fromisoformat(posted["issued_on"]) if posted.get("issued_on") else None
        except ValueError:
            issued_on = None
            form_errors.append(_("成文日期格式不正确，应为 2026-11-08"))
        if not form_errors:
            try:
                services.bulletin_save(
                    request.user, bulletin, version=posted.get("version"), issued_on=issued_on, template=template,
                    red_header=posted.get("red_header") == "on",
                    texts={key: posted.get(f"text_{key}", "") for key, _label in SECTIONS},
                    **{name: posted.get(name, "") for name in services.FIELD_MAX})
            except ValidationError as error:
                form_errors.extend(_errors(error))
            except ConflictError as error:
                form_errors.append(str(error.message))
            else:
                messages.success(request, _("已保存"))
                return redirect("bulletins:detail", bulletin.pk)
        bulletin.refresh_from_db()
    document, headline = selectors.document_of(bulletin)
    texts = dict(bulletin.texts or {})
    fields = {name: getattr(bulletin, name) for name in services.FIELD_MAX}
    if posted is not None:  # a refused save keeps what was typed
        texts = {key: posted.get(f"text_{key}", "") for key, _label in SECTIONS}
        fields = {name: posted.get(name, "") for name in services.FIELD_MAX}
    from . import pdf

    return render(request, "bulletins/detail.html", {
        "bulletin": bulletin, "document": document, "headline": headline, "editable": editable,
        "is_office": is_office(request.user), "sections": [(key, label, texts.get(key, "")) for key, label in SECTIONS],
        "fields": fields, "errors": form_errors, "templates": selectors.templates(),
        "pdf_available": pdf.pdf_available(), "pdf_missing": "" if pdf.pdf_available() else str(pdf.PdfUnavailable()),
        "corrections": bulletin.corrections.filter(state=State.PUBLISHED) if bulletin.is_published else [],
    }, status=400 if form_errors else 200)


def _office_write(request, pk, action):
    require_office(request.user)
    bulletin = get_or_not_found(selectors.bulletins_editable_by(request.user).select_related("region"), pk=pk)
    try:
        result = action(bulletin)
    except ValidationError as error:
        for text in _errors(error):
            messages.error(request, text)
        return redirect("bulletins:detail", bulletin.pk)
    except ConflictError as error:
        messages.error(request, str(error.message))
        return redirect("bulletins:detail", bulletin.pk)
    return result


@login_required
@require_POST
def bulletin_publish(request, pk):
    def publish(bulletin):
        bulletin = services.bulletin_publish(request.user, bulletin, version=request.POST.get("version"))
        messages.success(request, _("已发布：%(n)s。发布后的通报不再随填报变化") % {"n": bulletin.number_label})
        return redirect("bulletins:detail", bulletin.pk)
    return _office_write(request, pk, publish)


@login_required
@require_POST
def bulletin_delete(request, pk):
    def delete(bulletin):
        services.bulletin_delete(request.user, bulletin, version=request.POST.get("version"))
        messages.success(request, _("已删除通报草稿"))
        return redirect("bulletins:list")
    return _office_write(request, pk, delete)


@login_required
@require_POST
def bulletin_correct(request, pk):
    def correct(bulletin):
        draft = services.bulletin_create(request.user, period=bulletin.period, region=bulletin.region, corrects=bulletin,
                                         correction=request.POST.get("correction", ""))
        messages.success(request, _("已生成更正通报草稿，发布后为新的一期"))
        return redirect("bulletins:detail", draft.pk)
    return _office_write(request, pk, correct)


def _download(data: bytes, content_type: str, names: tuple[str, str], *, request=None, bulletin=None,
              what: str = "") -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = writer.attachment_header(*names)
    if request is not None:
        send_export(request, what=what, filter=f"{bulletin.title}（{bulletin.get_state_display()}）",
                    format=names[0].rsplit(".", 1)[-1], filename=names[0], bulletin_id=bulletin.pk)
    return response


@login_required
@require_safe
def bulletin_docx(request, pk):
    from .render_docx import TemplateError

    bulletin = selectors.bulletin_for(request.user, pk)
    try:
        data = rendering.docx_of(bulletin)
    except TemplateError as error:
        messages.error(request, _("模板无法生成文档：%(e)s") % {"e": error})
        return redirect("bulletins:detail", bulletin.pk)
    return _download(data, DOCX_TYPE, rendering.filename(bulletin, "docx"), request=request, bulletin=bulletin,
                     what=_("通报"))


@login_required
@require_safe
def bulletin_pdf(request, pk):
    from . import pdf

    bulletin = selectors.bulletin_for(request.user, pk)
    try:
        data = services.bulletin_pdf(bulletin)
    except (pdf.PdfUnavailable, pdf.PdfFailed) as error:
        messages.error(request, str(error))
        return redirect("bulletins:detail", bulletin.pk)
    return _download(data, "application/pdf", rendering.filename(bulletin, "pdf"), request=request,
                     bulletin=bulletin, what=_("通报"))


@login_required
@require_safe
def bulletin_annex(request, pk):
    bulletin = selectors.bulletin_for(request.user, pk)
    document, _headline = selectors.document_of(bulletin)
    stem = rendering.filename(bulletin, "xlsx")
    return _download(rendering.annex_workbook(document), writer.XLSX_CONTENT_TYPE,
                     (stem[0].replace(".xlsx", "（附件）.xlsx"), stem[1]), request=request, bulletin=bulletin,
                     what=_("通报附件"))


# --------------------------------------------------------------------------------------- templates


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def template_list(request):
    require_office(request.user)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        data = upload.read(services.TEMPLATE_MAX_BYTES + 1) if upload is not None else b""
        try:
            template = services.template_upload(request.user, name=request.POST.get("name", ""), data=data,
                                                note=request.POST.get("note", ""))
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("已上传模板“%(name)s”") % {"name": template.name})
            return redirect("bulletins:templates")
    return render(request, "bulletins/templates.html", {"templates": selectors.templates(), "errors": errors,
                                                        "posted": request.POST}, status=400 if errors else 200)


@login_required
@require_POST
def template_delete(request, pk):
    require_office(request.user)
    template = get_or_not_found(Template.objects.all(), pk=pk)
    try:
        services.template_delete(request.user, template, version=request.POST.get("version"))
    except ValidationError as error:
        for text in _errors(error):
            messages.error(request, text)
    except ConflictError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("已删除模板"))
    return redirect("bulletins:templates")


@login_required
@require_safe
def template_example(request):
    require_office(request.user)
    from .render_docx import example_template

    return _download(example_template(), DOCX_TYPE, ("通报模板示例.docx", "bulletin-template-example.docx"))
