"""Every write of schedules and approvals: applying a template (倒排工期), editing and completing
milestones, freezing baselines, keeping the approvals checklist.

Each write checks scope (a project the user may edit; others' answer 404), validates with Chinese
messages and writes nothing on error, keeps history (simple-history with who and why), compares
versions against lost updates, and tells the warning engine which projects changed.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.exceptions import ConflictError, NotFound, get_or_not_found
from tuijin.core.history import stamp
from tuijin.core.versioning import claim, mark_changed
from tuijin.org.selectors import is_office, require_editor
from tuijin.projects.models import Project

from . import scheduling, selectors
from .choices import ApprovalStatus, BaselineStep, NodeMark
from .events import ScheduleChanged
from .models import (
    Approval,
    ApprovalType,
    Baseline,
    BaselineItem,
    Milestone,
    MilestoneTemplate,
    MilestoneTemplateStep,
    Schedule,
)
from .workflow import baseline_step

EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
MAX_MILESTONES = 60


def _changed(project_ids, user) -> None:
    ids = sorted(set(project_ids))
    transaction.on_commit(lambda: events.emit(ScheduleChanged(project_ids=tuple(ids), user=user)))


def editable_project(user, project_id: int) -> Project:
    """The project, locked for this transaction, if the user may edit it; NotFound otherwise."""
    require_editor(user)
    project = get_or_not_found(Project.objects.editable_by_acting(user).select_for_update(), pk=project_id)
    if project.is_archived:
        raise ValidationError(_("已归档的项目不能修改"))
    return project


def _schedule(project: Project) -> Schedule:
    """The project's schedule (locked), or a new unsaved one: its first save is stamped by the caller,
    so its history says who created it and why."""
    return Schedule.objects.select_for_update().filter(project=project).first() or Schedule(project=project, version=1)


def _check_date(value: date | None, label: str, errors: dict, field: str) -> None:
    if value is not None and not EARLIEST <= value <= LATEST:
        errors.setdefault(field, []).append(_("%(label)s应在2000年至2100年之间") % {"label": label})


# ------------------------------------------------------------------------------------------ templates


def suggested_template(project: Project) -> MilestoneTemplate | None:
    """The active template whose categories contain the project's category (or its parent)."""
    category_ids = [project.category_id]
    if project.category and project.category.parent_id:
        category_ids.append(project.category.parent_id)
    return (MilestoneTemplate.objects.filter(is_active=True, categories__in=category_ids).order_by("sort", "id").first())


def start_anchor(project: Project) -> tuple[date | None, str]:
    """The date a template's 开工 node is put on, and what it is: the project's actual start (a
    fact), else its planned start; (None, "") when it has neither."""
    if project.actual_start:
        return project.actual_start, _("实际开工日期")
    if project.planned_start:
        return project.planned_start, _("计划开工日期")
    return None, ""


def template_plan(template: MilestoneTemplate, target: date | None, project: Project | None = None
                  ) -> list[tuple[MilestoneTemplateStep, date]]:
    """(step, planned date) of applying `template` to `project`: its 开工 node on the project's actual
    or planned start, the nodes before it backwards from there, the later ones between it and `target`
    (forward by standard durations without a target); without a start date or a 开工 node, backwards
    from `target` (the last node). Checks the dates and raises ValidationError in Chinese."""
    steps = list(template.steps.all())
    starts = [i for i, s in enumerate(steps) if s.marks == NodeMark.START]
    start_index = starts[0] if starts else None
    anchor, anchor_label = start_anchor(project) if project is not None and start_index is not None else (None, "")
    if anchor is None and target is None:
        raise ValidationError({"target_date": [_("请填写目标日期（最后一个节点的完成日期）")]})
    if anchor is not None and target is not None and start_index < len(steps) - 1 and target <= anchor:
        raise ValidationError({"target_date": [_("目标日期（%(t)s）应晚于项目的%(what)s（%(d)s）") % {
            "t": target, "what": anchor_label, "d": anchor}]})
    dates = scheduling.template_dates([s.duration_days for s in steps], target, start_index=start_index, anchor=anchor)
    errors: dict[str, list[str]] = {}
    for d in (dates[0], dates[-1]):
        _check_date(d, _("节点日期"), errors, "target_date")
    if errors:
        raise ValidationError(errors)
    return list(zip(steps, dates, strict=True))


def preview_template(template: MilestoneTemplate, target: date | None,
                     project: Project | None = None) -> list[tuple[str, int, date]]:
    """(node, standard days, planned date) for applying `template` to `project` (see template_plan)."""
    return [(s.name, s.duration_days, d) for s, d in template_plan(template, target, project)]


@transaction.atomic
def apply_template(user, project: Project, template: MilestoneTemplate, target: date | None, *,
                   replace: bool = False) -> list[Milestone]:
    """Give the project the template's nodes: the 开工 node on the project's actual (else planned)
    start, the others around it and `target` (the last node's date), see template_plan; without a
    start date, backwards from `target`.

    A project that already has nodes keeps them unless `replace`; nodes already reached (with an
    actual date) or an approved baseline are never thrown away: adjust such a schedule node by node.
    """
    project = editable_project(user, project.pk)
    errors: dict[str, list[str]] = {}
    if template is None or not template.is_active:
        errors["template"] = [_("请选择启用中的节点模板")]
    if target is None and start_anchor(project)[0] is None:
        errors["target_date"] = [_("请填写目标日期（最后一个节点的完成日期）")]
    _check_date(target, _("目标日期"), errors, "target_date")
    if errors:
        raise ValidationError(errors)
    steps = list(template.steps.all())
    if not steps:
        raise ValidationError({"template": [_("模板“%(name)s”没有节点，请先在系统管理中补充") % {"name": template.name}]})
    plan = template_plan(template, target, project)
    existing = Milestone.objects.filter(project=project)
    if existing.exists():
        if not replace:
            raise ValidationError(_("该项目已有节点计划。如需按模板重新生成，请勾选“替换现有节点”"))
        if existing.filter(actual_date__isnull=False).exists():
            raise ValidationError(_("已有节点记录了实际完成日期，不能按模板整体替换，请逐个调整节点"))
        if Baseline.objects.filter(project=project).exists():
            raise ValidationError(_("进度计划已批准基线，不能按模板整体替换；请逐个调整节点，或调整后重新批准基线"))
        for old in existing:
            stamp(old, user, _("按模板重新生成节点")).delete()
    milestones = []
    for step, planned in plan:
        milestone = Milestone(project=project, name=step.name, sort=step.sort, marks=step.marks, planned_date=planned,
                              version=1)
        stamp(milestone, user, _("套用模板“%(name)s”") % {"name": template.name}).save()
        milestones.append(milestone)
    schedule = _schedule(project)
    schedule.template, schedule.target_date = template, plan[-1][1]
    stamp(schedule, user, _("套用模板“%(name)s”") % {"name": template.name}).save()
    _changed([project.pk], user)
    return milestones


# ----------------------------------------------------------------------------------------- milestones


MILESTONE_FIELDS = ("name", "planned_date", "actual_date", "responsible", "note", "sort")


def milestone_rules(milestone: Milestone, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not (milestone.name or "").strip():
        errors["name"] = [_("请填写节点名称")]
    elif len(milestone.name.strip()) > 100:
        errors["name"] = [_("节点名称不能超过100个字")]
    _check_date(milestone.planned_date, _("计划完成日期"), errors, "planned_date")
    _check_date(milestone.actual_date, _("实际完成日期"), errors, "actual_date")
    if milestone.actual_date and milestone.actual_date > today:
        errors.setdefault("actual_date", []).append(_("实际完成日期不能晚于今天（%(d)s）") % {"d": today})
    if len(milestone.responsible or "") > 50:
        errors["responsible"] = [_("责任人不能超过50个字")]
    if len(milestone.note or "") > 500:
        errors["note"] = [_("说明不能超过500个字")]
    return errors


@transaction.atomic
def milestone_add(user, project: Project, *, name: str, planned_date: date | None = None, responsible: str = "",
                  note: str = "") -> Milestone:
    project = editable_project(user, project.pk)
    if Milestone.objects.filter(project=project).count() >= MAX_MILESTONES:
        raise ValidationError(_("每个项目最多%(n)s个节点") % {"n": MAX_MILESTONES})
    last = Milestone.objects.filter(project=project).order_by("-sort").values_list("sort", flat=True).first() or 0
    milestone = Milestone(project=project, name=(name or "").strip(), planned_date=planned_date,
                          responsible=(responsible or "").strip(), note=(note or "").strip(), sort=last + 10, version=1)
    errors = milestone_rules(milestone, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    stamp(milestone, user, _("新增节点")).save()
    schedule = _schedule(project)
    if schedule.pk is None:
        stamp(schedule, user, _("新增节点")).save()
    _changed([project.pk], user)
    return milestone


@transaction.atomic
def milestone_update(user, milestone: Milestone, *, version: int, reason: str = "", **values) -> Milestone:
    """Change a node's planned or actual date, name, person or note; `values` are MILESTONE_FIELDS."""
    return _update(user, Milestone.objects.all(), milestone, MILESTONE_FIELDS, milestone_rules, values, version, reason)


def _update(user, queryset, obj, allowed, rules, values: dict, version: int, reason: str = ""):
    """Change `allowed` fields of a record of a project the user may edit: the rules checked on the
    record as it would be, the version claimed, history stamped, the warning engine told."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    project = editable_project(user, obj.project_id)
    current = get_or_not_found(queryset, pk=obj.pk, project=project)
    for name, value in values.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    errors = rules(current, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    claim(current, version)
    stamp(current, user, reason).save()
    _changed([project.pk], user)
    return current


class TableError(Exception):
    """Why a table of rows was not saved (nothing was): {row id: {field: [messages]}} and the rows
    someone else changed meanwhile ({row id: the row as stored now, its `changed` saying who and when})."""

    def __init__(self, errors: dict, conflicts: dict):
        self.errors, self.conflicts = errors, conflicts
        super().__init__(_("未保存：请按提示修改后重新保存"))


def _update_many(user, project: Project, queryset, allowed, rules, rows: list[dict], reason: str = "") -> list:
    """Save a whole table of one project's rows in one go (the schedule and approvals tables): each row
    is {"id", "version", field: value…}. All or nothing: an invalid row, or a changed row whose version
    is stale, raises TableError and nothing is written. Rows the user did not change are left alone
    (their versions are not claimed, so another person's edit of another row is no conflict)."""
    project = editable_project(user, project.pk)
    ids = [int(row["id"]) for row in rows]
    if len(set(ids)) != len(ids):
        raise ValidationError(_("同一行在本次提交中出现了多次"))
    current = {obj.pk: obj for obj in queryset.filter(project=project, pk__in=ids)}
    if len(current) != len(ids):
        raise NotFound(_("所填的行不存在或不属于该项目"))
    today = timezone.localdate()
    errors, conflicts, changed = {}, {}, []
    for row in rows:
        obj = current[int(row["id"])]
        values = {k: v for k, v in row.items() if k in allowed}
        unknown = set(row) - set(allowed) - {"id", "version"}
        if unknown:
            raise ValueError(f"unknown fields {sorted(unknown)}")
        values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        if all(getattr(obj, k) == v for k, v in values.items()):
            continue
        if row.get("version") is None or int(row["version"]) != obj.version:
            conflicts[obj.pk] = obj
            continue
        for name, value in values.items():
            setattr(obj, name, value)
        row_errors = rules(obj, today)
        if row_errors:
            errors[obj.pk] = row_errors
        changed.append((obj, int(row["version"])))
    if errors or conflicts:
        raise TableError(errors, mark_changed(queryset.model, conflicts))
    for obj, version in sorted(changed, key=lambda item: item[0].pk):
        try:
            claim(obj, version)
        except ConflictError as exc:  # changed between our read and now: the atomic block undoes the rows already saved
            raise TableError({}, mark_changed(queryset.model, {obj.pk: exc.current})) from exc
        stamp(obj, user, reason).save()
    if changed:
        _changed([project.pk], user)
    return [obj for obj, _version in changed]


@transaction.atomic
def milestones_save(user, project: Project, rows: list[dict]) -> list[Milestone]:
    """Save every row of a project's node table at once (values are MILESTONE_FIELDS)."""
    return _update_many(user, project, Milestone.objects.all(), MILESTONE_FIELDS, milestone_rules, rows)


@transaction.atomic
def milestone_delete(user, milestone: Milestone, *, version: int) -> None:
    project = editable_project(user, milestone.project_id)
    current = get_or_not_found(Milestone.objects.all(), pk=milestone.pk, project=project)
    if current.actual_date is not None:
        raise ValidationError(_("节点“%(name)s”已记录实际完成日期，不能删除") % {"name": current.name})
    if current.baseline_date is not None and user is not None and not is_office(user):
        raise ValidationError(_("节点“%(name)s”已纳入批准的基线，如需删除请联系调度员") % {"name": current.name})
    claim(current, version)
    stamp(current, user, _("删除节点")).delete()
    _changed([project.pk], user)


@transaction.atomic
def milestone_evidence(user, milestone: Milestone, upload) -> Milestone:
    """Attach (or replace) the photo that proves the node was reached."""
    from django.core.files.storage import default_storage

    from tuijin.core import photos

    project = editable_project(user, milestone.project_id)
    current = get_or_not_found(Milestone.objects.all(), pk=milestone.pk, project=project)
    info = photos.inspect(upload)
    name = default_storage.save(photos.stored_name(info, timezone.localtime(), folder="milestones"), upload)
    old = current.evidence.name if current.evidence else ""
    current.evidence, current.evidence_name, current.evidence_type = name, (upload.name or "")[:200], info.content_type
    current.evidence_taken_at, current.evidence_latitude, current.evidence_longitude = info.taken_at, info.latitude, info.longitude
    current.version += 1
    try:
        stamp(current, user, _("上传节点佐证照片")).save()
    except Exception:
        default_storage.delete(name)
        raise
    if old:
        transaction.on_commit(lambda: default_storage.delete(old))
    return current


# ------------------------------------------------------------------------------------------ baselines


@transaction.atomic
def baseline_approve(user, project: Project, *, reason: str = "") -> Baseline:
    """Freeze the planned dates as a baseline: the first approval, or a re-baselining (which needs a
    reason and keeps every earlier baseline); the step and who may take it from workflow.py."""
    # The step is read before the scope check: its role test (403) looks at the user only.
    baseline_step(selectors.baseline_number(project)).require(user)
    project = editable_project(user, project.pk)
    milestones = list(Milestone.objects.filter(project=project).order_by("sort", "id"))
    if not milestones:
        raise ValidationError(_("该项目还没有节点计划，无法批准基线"))
    unscheduled = [m.name for m in milestones if m.planned_date is None]
    if unscheduled:
        raise ValidationError(_("以下节点还没有计划完成日期：%(names)s") % {"names": "、".join(unscheduled[:5])})
    schedule = _schedule(project)
    step = baseline_step(schedule.baseline_number)  # as locked now: the first approval or a re-baselining
    if step.name == BaselineStep.REBASELINE:
        current = set(BaselineItem.objects.filter(baseline__project=project, baseline__number=schedule.baseline_number)
                      .values_list("milestone_id", "planned_date"))
        if current == {(m.pk, m.planned_date) for m in milestones}:
            raise ValidationError(_("节点计划与当前基线V%(n)s相同，无需重新批准") % {"n": schedule.baseline_number})
    reason = (reason or "").strip()
    if step.name == BaselineStep.REBASELINE and not reason:
        raise ValidationError({"reason": [_("调整基线须填写原因")]})
    if len(reason) > 500:
        raise ValidationError({"reason": [_("原因不能超过500个字")]})
    number = schedule.baseline_number + 1
    baseline = Baseline.objects.create(project=project, number=number, reason=reason,
                                       created_by=user if getattr(user, "pk", None) else None)
    BaselineItem.objects.bulk_create([
        BaselineItem(baseline=baseline, milestone=m, name=m.name, sort=m.sort, planned_date=m.planned_date)
        for m in milestones
    ])
    for m in milestones:
        if m.baseline_date != m.planned_date:
            m.baseline_date = m.planned_date
            m.version += 1
            stamp(m, user, _("批准基线V%(n)s") % {"n": number}).save()
    schedule.baseline_number = number
    schedule.approved_at = timezone.now()
    schedule.approved_by = user if getattr(user, "pk", None) else None
    if schedule.pk is not None:
        schedule.version += 1
    stamp(schedule, user, (_("重新批准基线V%(n)s：%(reason)s") % {"n": number, "reason": reason}) if number > 1
          else _("批准基线V1")).save()
    _changed([project.pk], user)
    return baseline


# ------------------------------------------------------------------------------------------ approvals


@transaction.atomic
def approvals_init(user, project: Project) -> list[Approval]:
    """Put every active procedure type on the project's checklist (those it lacks), required as the
    type says by default."""
    project = editable_project(user, project.pk)
    have = set(Approval.objects.filter(project=project).values_list("type_id", flat=True))
    created = []
    for kind in ApprovalType.objects.filter(is_active=True).exclude(pk__in=have):
        approval = Approval(project=project, type=kind, required=kind.required_by_default, version=1,
                            status=ApprovalStatus.NOT_STARTED if kind.required_by_default else ApprovalStatus.NOT_NEEDED)
        stamp(approval, user, _("建立前期手续清单")).save()
        created.append(approval)
    if not created and not have:
        raise ValidationError(_("系统中还没有启用的前期手续类型，请管理员先在系统管理中添加"))
    _changed([project.pk], user)
    return created


APPROVAL_FIELDS = ("required", "status", "target_date", "done_date", "document_no", "approving_unit", "responsible", "note")


def approval_rules(approval: Approval, today: date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if approval.status not in ApprovalStatus.values:
        errors["status"] = [_("办理状态不正确")]
    _check_date(approval.target_date, _("计划办结日期"), errors, "target_date")
    _check_date(approval.done_date, _("办结日期"), errors, "done_date")
    if approval.status == ApprovalStatus.DONE and approval.done_date is None:
        errors.setdefault("done_date", []).append(_("已办结的手续请填写办结日期"))
    if approval.done_date is not None and approval.status != ApprovalStatus.DONE:
        errors.setdefault("status", []).append(_("填写了办结日期，请将办理状态设为“已办结”"))
    if approval.done_date and approval.done_date > today:
        errors.setdefault("done_date", []).append(_("办结日期不能晚于今天（%(d)s）") % {"d": today})
    if not approval.required and approval.status not in (ApprovalStatus.NOT_NEEDED, ApprovalStatus.DONE):
        errors.setdefault("status", []).append(_("不需要办理的手续，状态请选“无需办理”"))
    if approval.required and approval.status == ApprovalStatus.NOT_NEEDED:
        errors.setdefault("status", []).append(_("需要办理的手续不能选“无需办理”；如确实不需要，请取消勾选“需要办理”"))
    for field, limit, label in (("document_no", 100, _("批准文号")), ("approving_unit", 100, _("审批单位")),
                                ("responsible", 50, _("责任人")), ("note", 500, _("需协调解决问题"))):
        if len(getattr(approval, field) or "") > limit:
            errors.setdefault(field, []).append(_("%(label)s不能超过%(n)s个字") % {"label": label, "n": limit})
    return errors


@transaction.atomic
def approval_update(user, approval: Approval, *, version: int, **values) -> Approval:
    return _update(user, Approval.objects.select_related("type"), approval, APPROVAL_FIELDS, approval_rules, values, version)


@transaction.atomic
def approvals_save(user, project: Project, rows: list[dict]) -> list[Approval]:
    """Save every row of a project's approvals checklist at once (values are APPROVAL_FIELDS)."""
    return _update_many(user, project, Approval.objects.select_related("type"), APPROVAL_FIELDS, approval_rules, rows)
