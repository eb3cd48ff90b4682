"""Writes of the bulletins: draft, edit, publish (numbered and frozen), correct, delete a draft, the
office's templates and the stored PDF. Each validates with Chinese messages, keeps history and claims
the version it read. `user` None is the system (the CLI without --user, the demo)."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuijin.audit import services as audit
from tuijin.audit.choices import Action
from tuijin.core.exceptions import get_or_not_found
from tuijin.core.history import stamp
from tuijin.core.parsing import parse_id
from tuijin.core.versioning import claim
from tuijin.figures.periods import PeriodError, parse_period
from tuijin.org.models import Region
from tuijin.org.selectors import require_office

from . import selectors
from .assemble import default_issuer, default_title, next_number
from .choices import SECTION_KEYS, State
from .models import Bulletin, Template

TEXT_MAX = 5000          # one section's text
FIELD_MAX = {"title": 200, "issuer": 100, "main_to": 500, "copy_to": 500, "opening": 2000}
TEMPLATE_MAX_BYTES = 5 * 1024 * 1024


def _region_for(user, region) -> Region:
    """The audience region (a Region or its id as given in a form) among the user's office regions."""
    pk = region.pk if isinstance(region, Region) else parse_id(region)
    queryset = Region.objects.all() if user is None else selectors.office_regions(user)
    if pk is None:
        raise ValidationError({"region": [_("请选择通报范围")]})
    return get_or_not_found(queryset, pk=pk)


def _editable(user, bulletin: Bulletin) -> Bulletin:
    """The bulletin if `user` is of the office of its region (NotFound otherwise)."""
    if user is None:
        return bulletin
    require_office(user)
    get_or_not_found(selectors.bulletins_editable_by(user), pk=bulletin.pk)
    return bulletin


def _draft(bulletin: Bulletin) -> None:
    if bulletin.state != State.DRAFT:
        raise ValidationError(_("该期通报已发布，不能再修改；如需更正，请发布更正的新一期"))


def default_main_to(region: Region) -> str:
    if region.level in ("province",):
        return _("各市（州）重点项目推进办，省直有关部门")
    if region.level == "city":
        return _("各县（市、区）、开发区，市直有关部门")
    return _("各乡镇（街道），%(name)s直有关部门") % {"name": region.name[-1:] if region.name else ""}


@transaction.atomic
def bulletin_create(user, *, period, region, template: Template | None = None, corrects: Bulletin | None = None,
                    correction: str = "") -> Bulletin:
    """A new draft for `period` (2026-10, 2026-Q3 …) and the audience `region` (a Region or its pk),
    with the default title, issuer and 主送; a correction copies the corrected issue's texts."""
    require_office(user)
    errors: dict[str, list[str]] = {}
    try:
        parsed = parse_period(period)
    except PeriodError as exc:
        errors["period"] = [str(exc)]
        parsed = None
    place = _region_for(user, region)
    if corrects is not None:
        if not corrects.is_published:
            errors["corrects"] = [_("只能更正已发布的通报")]
        elif corrects.region_id != place.pk:
            errors["corrects"] = [_("更正的通报应与原通报范围相同")]
        correction = (correction or "").strip()
        if not correction:
            errors["correction"] = [_("请说明更正的内容")]
        elif len(correction) > 500:
            errors["correction"] = [_("更正说明不能超过500字")]
    if errors:
        raise ValidationError(errors)
    with translation.override(settings.LANGUAGE_CODE):  # the document's words are Chinese whoever drafts it
        bulletin = Bulletin(period=parsed.key, region=place, title=default_title(parsed, place),
                            issuer=default_issuer(place), main_to=default_main_to(place), template=template,
                            created_by=user if getattr(user, "pk", None) else None)
    if corrects is not None:
        bulletin.corrects, bulletin.correction = corrects, correction
        for name in ("title", "issuer", "main_to", "copy_to", "red_header", "opening", "texts", "template"):
            setattr(bulletin, name, getattr(corrects, name))
        bulletin.period = corrects.period
    stamp(bulletin, user, _("起草通报") if corrects is None else _("起草更正通报")).save()
    return bulletin


def _clean_texts(texts) -> tuple[dict, list[str]]:
    result, problems = {}, []
    for key, value in (texts or {}).items():
        if key not in SECTION_KEYS:
            continue
        value = str(value or "").replace("\r\n", "\n").strip()
        if len(value) > TEXT_MAX:
            problems.append(_("“%(section)s”部分的文字不能超过%(n)s字") % {"section": dict(_section_names())[key],
                                                                  "n": TEXT_MAX})
        if value:
            result[key] = value
    return result, problems


def _section_names():
    from .choices import SECTIONS

    return [(key, str(label)) for key, label in SECTIONS]


@transaction.atomic
def bulletin_save(user, bulletin: Bulletin, *, version, texts=None, issued_on: date | None = None,
                  template: Template | None = None, red_header: bool | None = None, **fields) -> Bulletin:
    """Change a draft read at `version`: its header fields and the office's text of each section."""
    _editable(user, bulletin)
    _draft(bulletin)
    errors: dict[str, list[str]] = {}
    cleaned = {}
    for name, value in fields.items():
        if name not in FIELD_MAX:
            continue
        value = str(value or "").replace("\r\n", "\n").strip()
        if name in ("title", "issuer") and not value:
            errors[name] = [_("请填写%(what)s") % {"what": Bulletin._meta.get_field(name).verbose_name}]
        elif len(value) > FIELD_MAX[name]:
            errors[name] = [_("%(what)s不能超过%(n)s字") % {"what": Bulletin._meta.get_field(name).verbose_name,
                                                        "n": FIELD_MAX[name]}]
        cleaned[name] = value
    new_texts, problems = _clean_texts(texts) if texts is not None else (None, [])
    if problems:
        errors["texts"] = problems
    if errors:
        raise ValidationError(errors)
    claim(bulletin, version, state=State.DRAFT)
    for name, value in cleaned.items():
        setattr(bulletin, name, value)
    if new_texts is not None:
        bulletin.texts = new_texts
    if issued_on is not None:
        bulletin.issued_on = issued_on
    if red_header is not None:
        bulletin.red_header = red_header
    bulletin.template = template
    stamp(bulletin, user, _("修改通报草稿")).save()
    return bulletin


@transaction.atomic
def bulletin_publish(user, bulletin: Bulletin, *, version, issued_on: date | None = None) -> Bulletin:
    """Number the draft (the region's next 期 of the year), freeze what it prints and the headline
    figures, never change it again. 下一步工作 must be written first."""
    _editable(user, bulletin)
    _draft(bulletin)
    if not (bulletin.texts or {}).get("next_steps", "").strip():
        raise ValidationError({"texts": [_("请先填写“下一步工作”部分再发布")]})
    claim(bulletin, version, state=State.DRAFT)
    bulletin.issued_on = issued_on or bulletin.issued_on or timezone.localdate()
    bulletin.year = bulletin.issued_on.year
    bulletin.number = next_number(bulletin.region, bulletin.year)
    found = selectors.assembly_of(bulletin)
    bulletin.snapshot = {"document": found.document.as_json(), "headline": found.headline, "basis": found.basis,
                         "filters": found.filters, "assembled_at": timezone.now().isoformat()}
    bulletin.state, bulletin.published_at = State.PUBLISHED, timezone.now()
    bulletin.published_by = user if getattr(user, "pk", None) else None
    try:
        with transaction.atomic():
            stamp(bulletin, user, _("发布通报")).save()
    except IntegrityError:  # a concurrent publication took the number
        raise ValidationError(_("期号已被同时发布的通报占用，请刷新后重试")) from None
    audit.record(Action.PUBLISH, actor=user if getattr(user, "pk", None) else None, target=str(bulletin),
                 detail={"kind": "bulletin", "bulletin_id": bulletin.pk, "title": bulletin.title,
                         "number": bulletin.number_label, "region": bulletin.region.name,
                         "issued_on": bulletin.issued_on})
    return bulletin


@transaction.atomic
def bulletin_delete(user, bulletin: Bulletin, *, version) -> None:
    _editable(user, bulletin)
    _draft(bulletin)
    claim(bulletin, version, state=State.DRAFT)
    stamp(bulletin, user, _("删除通报草稿")).delete()


def bulletin_pdf(bulletin: Bulletin) -> bytes:
    """The issue as PDF, converted from its .docx each time (a few seconds; nothing is stored, so the
    PDF is always the .docx of the same content). pdf.PdfUnavailable / PdfFailed when LibreOffice is
    missing or fails."""
    from . import pdf, rendering

    return pdf.docx_to_pdf(rendering.docx_of(bulletin))


# ------------------------------------------------------------------------------------ templates


def _check_template(data: bytes) -> None:
    from .document import example_document
    from .render_docx import TemplateError, render_docx

    try:
        render_docx(example_document(), template=data)
    except TemplateError as exc:
        raise ValidationError({"file": [str(exc)]}) from None


@transaction.atomic
def template_upload(user, *, name: str, data: bytes, note: str = "") -> Template:
    """An office's .docx template, checked by rendering a sample bulletin with it."""
    require_office(user)
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写模板名称")]
    elif len(name) > 100:
        errors["name"] = [_("模板名称不能超过100字")]
    elif Template.objects.filter(name=name).exists():
        errors["name"] = [_("已有同名模板“%(name)s”") % {"name": name}]
    if not data:
        errors["file"] = [_("请选择模板文件（.docx）")]
    elif len(data) > TEMPLATE_MAX_BYTES:
        errors["file"] = [_("模板文件不能超过5MB")]
    if len((note or "").strip()) > 300:
        errors["note"] = [_("说明不能超过300字")]
    if errors:
        raise ValidationError(errors)
    _check_template(data)
    template = Template(name=name, note=(note or "").strip(), uploaded_by=user if getattr(user, "pk", None) else None)
    template.file.save("template.docx", ContentFile(data), save=False)
    stamp(template, user, _("上传通报模板")).save()
    return template


@transaction.atomic
def template_delete(user, template: Template, *, version) -> None:
    require_office(user)
    if template.bulletins.exists():
        raise ValidationError(_("模板“%(name)s”已被通报使用，不能删除") % {"name": template.name})
    claim(template, version)
    stamp(template, user, _("删除通报模板")).delete()

