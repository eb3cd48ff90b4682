"""Meetings (例会、专题会…) and inspections (督导、观摩): recording them, their decisions (a problem or an order
pointing back) and the inspections' site photos."""


from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.fields import text_too_long
from tuijin.core.history import stamp
from tuijin.core.versioning import claim
from tuijin.org.selectors import may_supervise, primary_unit
from tuijin.projects.models import Project

from .. import selectors
from ..choices import InspectionKind, MeetingKind, Source
from ..models import Inspection, InspectionPhoto, Meeting
from .common import _check_day
from .orders import order_issue
from .problems import problem_raise

GATHERING_FIELDS = {
    Meeting: ("kind", "title", "held_on", "location", "chair", "attendees", "minutes"),
    Inspection: ("kind", "title", "held_on", "leader", "participants", "findings"),
}


@transaction.atomic
def gathering_save(user, model, data: dict, *, instance=None, version=None):
    """Record or correct a meeting (例会、专题会…) or an inspection (督导、观摩): office and inspectors."""
    if not may_supervise(user):
        raise PermissionDenied
    if instance is not None:
        instance = selectors.get_visible(model.objects.editable_by(user).select_for_update(of=("self",)), instance.pk)
    errors: dict[str, list[str]] = {}
    if not (data.get("title") or "").strip():
        errors["title"] = [_("请填写名称")]
    if data.get("held_on") is None:
        errors["held_on"] = [_("请填写日期")]
    kinds = MeetingKind.values if model is Meeting else InspectionKind.values
    if data.get("kind") not in kinds:
        errors["kind"] = [_("请选择类型")]
    _check_day(data.get("held_on"), _("日期"), "held_on", errors)
    for field in ("attendees", "minutes", "participants", "findings"):
        if field in {f.name for f in model._meta.concrete_fields}:
            message = text_too_long(data.get(field), model._meta.get_field(field).max_length)
            if message:
                errors[field] = [message]
    projects = list(data.get("projects") or [])
    allowed = set(Project.objects.visible_to(user).filter(pk__in=[p.pk for p in projects]).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in projects):
        errors["projects"] = [_("所选项目不存在或无权查看")]
    if len(projects) > 200:
        errors["projects"] = [_("一次最多关联200个项目")]
    if errors:
        raise ValidationError(errors)
    fields = GATHERING_FIELDS[model]
    if instance is None:
        unit = primary_unit(user)
        region = unit.region if unit else None
        if region is None:
            from tuijin.org.models import Region

            region = Region.objects.order_by("path").first()
        instance = model(region=region, created_by=user if getattr(user, "pk", None) else None, version=1)
        reason = _("登记")
    else:
        claim(instance, version)
        reason = _("修改")
    for field in fields:
        value = data.get(field)
        setattr(instance, field, value.strip() if isinstance(value, str) else value if value is not None else ("" if field not in ("chair", "leader", "held_on") else None))
    stamp(instance, user, reason).save()
    instance.projects.set(projects)
    return instance


@transaction.atomic
def decision_add(user, source, kind: str, project: Project, data: dict):
    """A meeting's decision (交办事项) or an inspection's finding, in one step: it becomes a problem
    (kind "problem") or a supervision order (kind "order") pointing back to where it was decided."""
    if not may_supervise(user):
        raise PermissionDenied
    link = {"meeting": source} if isinstance(source, Meeting) else {"inspection": source}
    if kind == "problem":
        source_kind = Source.MEETING if isinstance(source, Meeting) else Source.INSPECTION
        held_on = source.held_on if source.held_on <= timezone.localdate() else None
        return problem_raise(user, project, data, source=source_kind, raised_on=held_on, **link)
    if kind == "order":
        return order_issue(user, project, data, **link)
    raise ValidationError(_("请选择转为问题还是督办单"))


@transaction.atomic
def inspection_photo_add(user, inspection: Inspection, upload, *, project=None, caption: str = "") -> InspectionPhoto:
    from django.core.files.storage import default_storage

    from tuijin.core import photos

    inspection = selectors.get_visible(Inspection.objects.visible_to(user).select_for_update(of=("self",)), inspection.pk)
    if not may_supervise(user):
        raise PermissionDenied
    if inspection.photos.count() >= 60:
        raise ValidationError(_("每次督查最多60张照片"))
    if len(caption or "") > 200:
        raise ValidationError({"caption": [_("说明过长（不超过200字）")]})
    if project is not None and not Project.objects.visible_to(user).filter(pk=project.pk).exists():
        raise ValidationError({"project": [_("所选项目不存在或无权查看")]})
    info = photos.inspect(upload)
    now = timezone.now()
    name = default_storage.save(photos.stored_name(info, timezone.localtime(now), folder="inspections"), upload)
    photo = InspectionPhoto(inspection=inspection, project=project, file=name, content_type=info.content_type,
                            caption=(caption or "").strip(), taken_at=info.taken_at, latitude=info.latitude,
                            longitude=info.longitude, uploaded_by=user if getattr(user, "pk", None) else None)
    try:
        stamp(photo, user, _("上传督查照片")).save()
    except Exception:
        default_storage.delete(name)
        raise
    return photo
