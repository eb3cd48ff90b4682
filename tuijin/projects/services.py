"""Every write to the ledger: validation, history (who/when/before/after), version checks, events."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.exceptions import ConflictError, NotFound
from tuijin.core.fields import LimitedTextField, text_too_long
from tuijin.core.history import stamp
from tuijin.core.notify import notify
from tuijin.core.versioning import claim, claim_many
from tuijin.org.selectors import (
    OFFICE_ROLES,
    is_editor,
    is_office,
    regions_editable_by,
    require_editor,
    user_access,
)

from . import completion
from .choices import Admission
from .events import AnnualPlanChanged, ProjectChanged
from .location import coordinate_errors
from .models import AnnualPlan, Project, ProjectLeader, ProjectResponsibleUnit
from .plans import monthly_plan_errors


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


# Free-text fields with a length limit (core.fields.LimitedTextField), checked by the rules below so the
# form, the importer and the CLI refuse the same text with the same message.
LIMITED_TEXT = {
    "project": [f.name for f in Project._meta.concrete_fields if isinstance(f, LimitedTextField)],
    "plan": [f.name for f in AnnualPlan._meta.concrete_fields if isinstance(f, LimitedTextField)],
}


def project_validate(project: Project) -> None:
    """The ledger's rules, shared by the edit form, the importer and the CLI."""
    plans = []
    if project.pk and project.total_investment is not None:
        plans = AnnualPlan.objects.filter(project_id=project.pk).order_by("year").values_list(
            "year", "planned_investment", "completed_before"
        )
    errors = project_rules(project, plans=plans)
    if project.code:
        duplicate = Project.objects.filter(code=project.code, is_archived=False).exclude(pk=project.pk)
        if duplicate.exists():
            errors.setdefault("code", []).append(
                _("项目代码 %(code)s 已被项目“%(name)s”使用") % {"code": project.code, "name": duplicate.first().name}
            )
    if errors:
        raise ValidationError(errors)


def project_rules(project: Project, *, plans=(), today=None) -> dict[str, list[str]]:
    """The rules that need nothing from the database: {field: [messages]}, empty when all hold.

    `plans` are the project's annual plans as (year, planned_investment, completed_before), in year
    order; `today` defaults to today in Asia/Shanghai. The importer runs this on thousands of rows with
    the plans read in one query.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in LIMITED_TEXT["project"]:
        message = text_too_long(getattr(project, name), Project._meta.get_field(name).max_length)
        if message:
            add(name, message)
    if project.total_investment is not None and project.total_investment < 0:
        add("total_investment", _("总投资不能为负数"))
    funds = [getattr(project, name) for name in Project.FUND_FIELDS]
    for name, value in zip(Project.FUND_FIELDS, funds, strict=True):
        if value is not None and value < 0:
            add(name, _("资金金额不能为负数"))
    fund_sum = sum((v for v in funds if v is not None), Decimal("0"))
    total_ok = project.total_investment is not None and project.total_investment >= 0
    if total_ok and fund_sum > project.total_investment:
        add("fund_other", _("资金来源合计（%(sum)s万元）超过总投资（%(total)s万元）")
            % {"sum": _money(fund_sum), "total": _money(project.total_investment)})
    if project.start_year and project.end_year and project.end_year < project.start_year:
        add("end_year", _("建设截止年不能早于起始年"))
    if project.planned_start and project.planned_completion and project.planned_completion < project.planned_start:
        add("planned_completion", _("计划竣工日期不能早于计划开工日期"))
    if project.actual_start and project.actual_completion and project.actual_completion < project.actual_start:
        add("actual_completion", _("实际竣工日期不能早于实际开工日期"))
    if project.actual_completion and not project.actual_start:
        add("actual_start", _("已填写实际竣工日期时，须填写实际开工日期"))
    today = today or timezone.localdate()
    if project.actual_start and project.actual_start > today:
        add("actual_start", _("实际开工日期不能晚于今天"))
    if project.actual_completion and project.actual_completion > today:
        add("actual_completion", _("实际竣工日期不能晚于今天"))
    if project.parent_id and project.pk and project.parent_id == project.pk:
        add("parent", _("打包项目不能是项目自身"))
    for name, message in coordinate_errors(project.longitude, project.latitude):
        add(name, message)
    if total_ok:
        for year, planned, before in plans:
            if planned + before > project.total_investment:
                add("total_investment", _("总投资不能小于%(year)s年的上年底累计完成投资与年度计划投资之和（%(sum)s万元）")
                    % {"year": year, "sum": _money(planned + before)})
                break
    return errors


def _check_region(user, project: Project) -> None:
    if not regions_editable_by(user).filter(pk=project.region_id).exists():
        raise ValidationError({"region": _("您无权在“%(region)s”登记项目") % {"region": project.region}})




def _save_links(project: Project, responsible_units, leaders, user) -> None:
    if responsible_units is not None:
        wanted = {u.pk for u in responsible_units}
        current = set(project.responsible_links.values_list("unit_id", flat=True))
        for link in project.responsible_links.filter(unit_id__in=current - wanted):
            stamp(link, user).delete()
        for unit_id in wanted - current:
            stamp(ProjectResponsibleUnit(project=project, unit_id=unit_id), user).save()
    if leaders is not None:
        wanted = {leader.pk: role for leader, role in leaders}
        for link in project.leader_links.all():
            if link.leader_id not in wanted:
                stamp(link, user).delete()
            elif link.role != wanted[link.leader_id]:
                link.role = wanted[link.leader_id]
                stamp(link, user).save()
        existing = set(project.leader_links.values_list("leader_id", flat=True))
        for leader_id, role in wanted.items():
            if leader_id not in existing:
                stamp(ProjectLeader(project=project, leader_id=leader_id, role=role), user).save()


@transaction.atomic
def project_create(
    user, project: Project, *, programs=(), responsible_units=(), leaders=(), reason: str = ""
) -> Project:
    """Register a new project in the ledger; `leaders` is a list of (Leader, role)."""
    if not is_editor(user):
        raise PermissionDenied
    _check_region(user, project)
    project_validate(project)
    project.full_clean(exclude=["code"] if not project.code else None, validate_unique=False)
    project.version = 1
    project.created_by = user if getattr(user, "pk", None) else None
    project.search_text = project.build_search_text()
    if admits_directly(user, project.region_id):
        project.admission = Admission.ADMITTED
    else:
        _apply(project, user, admission=Admission.PENDING)
        reason = reason or _("新建项目（申报入库，待推进办审核）")
    _save_project(stamp(project, user, reason or _("新建项目")))
    project.programs.set(programs)
    _save_links(project, responsible_units, leaders, user)
    _announce_applications(user, [(project, None, [u.pk for u in responsible_units or ()])])
    transaction.on_commit(lambda: events.emit(ProjectChanged(project_ids=(project.pk,), user=user)))
    return project


def admits_directly(user, region_id: int) -> bool:
    """Whether a project `user` registers in the region enters the ledger at once: the system (no user),
    a superuser, or an office role (admin, dispatcher) over the region. A clerk's project is a 申报."""
    return office_regions(user)(region_id)


def office_regions(user):
    """admits_directly for many regions (the importer): a test `region_id -> bool`, reading once."""
    from tuijin.org.models import Region

    access = user_access(user)
    if not getattr(user, "pk", None) or access.is_superuser:
        return lambda region_id: True
    paths = access.region_paths(OFFICE_ROLES)
    if not paths:
        return lambda region_id: False
    query = Q()
    for path in paths:
        query |= Q(path__startswith=path)
    allowed = set(Region.objects.filter(query).values_list("id", flat=True))
    return lambda region_id: region_id in allowed


def admission_on_import(user, project: Project, original: Project | None, admits: bool) -> None:
    """The ledger import by a clerk follows the form's rules: a new project is a 申报 (pending), a level
    change of an admitted one is a request, a returned one is resubmitted. The office's import admits."""
    if original is None:
        project.admission = Admission.ADMITTED if admits else Admission.PENDING
        if not admits:
            _apply(project, user)
    elif not admits:
        if original.admission == Admission.ADMITTED and project.level_id != original.level_id:
            _apply(project, user, requested_level_id=project.level_id)
            project.level_id = original.level_id
        elif original.admission == Admission.RETURNED:
            _apply(project, user, admission=Admission.PENDING)


def _apply(project: Project, user, **state) -> None:
    """Record an application (申报) on `project`: who, when, and no return reason any more."""
    for name, value in state.items():
        setattr(project, name, value)
    # By attname: the importer's new rows are plain records, not model instances.
    project.applied_by_id = getattr(user, "pk", None)
    project.applied_at = timezone.now()
    project.return_reason = ""


def _as_application(user, project: Project, original: Project, reason: str) -> str:
    """A clerk's edit: a level change of an admitted project becomes a pending request (the project
    keeps counting at its old level), and an edit of a returned project resubmits it. The office's
    edits apply directly. Returns the history reason."""
    if Project.objects.reviewable_by(user).filter(pk=project.pk).exists():
        return reason
    if original.admission == Admission.ADMITTED and project.level_id != original.level_id:
        _apply(project, user, requested_level_id=project.level_id)
        project.level_id = original.level_id
        return reason or _("申报调整项目级别（待推进办审核）")
    if original.admission == Admission.RETURNED:
        _apply(project, user, admission=Admission.PENDING)
        return reason or _("修改后重新申报入库")
    return reason


def _application_kind(project, original: Project | None) -> str | None:
    """What a save made of the project for the office to decide: a new 申报 ("new"), a level change
    requested ("level"), a returned 申报 resubmitted ("resubmit"); None when nothing new awaits it."""
    if original is None:
        return "new" if project.admission == Admission.PENDING else None
    requested = getattr(project, "requested_level_id", None)
    if requested is not None and requested != original.requested_level_id:
        return "level"
    if original.admission == Admission.RETURNED and project.admission == Admission.PENDING:
        return "resubmit"
    return None


def _announce_applications(user, saved) -> None:
    """Tell the office over each project (org.selectors.OfficeMembers) that an application awaits it, as
    it tells the clerk the decision (_tell_applicant): `saved` is [(project, its original or None, its
    responsible unit ids)]. One message per person: a project's own, or for a batch (the ledger import)
    how many and which, pointing to the queue."""
    from tuijin.org.models import Region
    from tuijin.org.selectors import OfficeMembers

    from .models import Level

    applications = [(project, kind, units) for project, original, units in saved
                    if (kind := _application_kind(project, original)) is not None]
    if not applications:
        return
    who = (user.get_full_name() or user.username) if getattr(user, "pk", None) else _("系统")
    regions = dict(Region.objects.filter(pk__in={p.region_id for p, _k, _u in applications}).values_list("pk", "path"))
    by_person: dict[int, list] = defaultdict(list)
    people = {}
    offices = OfficeMembers()
    for project, kind, units in applications:
        for person in offices.over(regions[project.region_id], {project.lead_unit_id, *units}):
            if person.pk != getattr(user, "pk", None):
                people[person.pk] = person
                by_person[person.pk].append((project, kind))
    if not by_person:
        return
    levels = dict(Level.objects.values_list("pk", "name")) if any(k == "level" for _p, k, _u in applications) else {}
    for pk, items in by_person.items():
        if len(items) == 1:
            project, kind = items[0]
            if kind == "level":
                text = _("%(who)s申请将项目“%(name)s”的级别由%(old)s调整为%(new)s，请审核") % {
                    "who": who, "name": project.name, "old": levels.get(project.level_id, ""),
                    "new": levels.get(project.requested_level_id, "")}
            elif kind == "resubmit":
                text = _("%(who)s修改后重新申报项目“%(name)s”，请审核") % {"who": who, "name": project.name}
            else:
                text = _("%(who)s申报新项目“%(name)s”入库，请审核") % {"who": who, "name": project.name}
            notify([people[pk]], text, reverse("projects:detail", args=[project.pk]))
        else:
            names = "、".join(f"“{project.name}”" for project, _kind in items[:3])
            text = _("%(who)s提交了%(n)s项项目申报（%(names)s%(more)s），请审核") % {
                "who": who, "n": len(items), "names": names, "more": _("等") if len(items) > 3 else ""}
            notify([people[pk]], text, reverse("projects:admissions"))


def _save_project(project: Project) -> None:
    """Save, turning a lost race on the unique live code into the same message as project_validate."""
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        if project.code and Project.objects.filter(code=project.code, is_archived=False).exclude(pk=project.pk).exists():
            raise ValidationError({"code": [_("项目代码 %(code)s 已被其他项目使用") % {"code": project.code}]}) from exc
        raise


def _in_scope(projects, pk: int) -> None:
    """NotFound unless project `pk` is among `projects` (the user's scope): out of scope is never 403."""
    if not projects.filter(pk=pk).exists():
        raise NotFound(_("项目不存在或不在您的范围内"))


@transaction.atomic
def project_update(
    user, project: Project, *, version: int, programs=None, responsible_units=None, leaders=None, reason: str = ""
) -> Project:
    """Save an edited project read at `version`; a stale version raises ConflictError and writes nothing."""
    _in_scope(Project.objects.editable_by(user), project.pk)
    original = Project.objects.get(pk=project.pk)
    if original.region_id != project.region_id:
        _check_region(user, project)
    if original.is_archived:
        raise ValidationError(_("已归档的项目不能修改"))
    project_validate(project)
    claim(project, version)
    reason = _as_application(user, project, original, reason)
    project.search_text = project.build_search_text()
    _save_project(stamp(project, user, reason))
    if programs is not None:
        project.programs.set(programs)
    _save_links(project, responsible_units, leaders, user)
    _announce_applications(user, [(project, original, [u.pk for u in responsible_units or ()])])
    transaction.on_commit(lambda: events.emit(ProjectChanged(project_ids=(project.pk,), user=user)))
    return project


@transaction.atomic
def project_archive(user, project: Project, *, version: int, reason: str) -> Project:
    """Archive instead of deleting: the project leaves the ledger, its history stays."""
    if not is_office(user):
        raise PermissionDenied
    _in_scope(Project.objects.editable_by(user), project.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写归档原因")})
    project.refresh_from_db()
    if project.is_archived:
        raise ValidationError(_("该项目已归档"))
    claim(project, version)
    project.is_archived = True
    project.archived_at = timezone.now()
    project.archive_reason = reason[:200]
    stamp(project, user, _("归档：%(reason)s") % {"reason": reason}).save()
    transaction.on_commit(lambda: events.emit(ProjectChanged(project_ids=(project.pk,), user=user)))
    return project


@transaction.atomic
def project_restore(user, project: Project, *, version: int) -> Project:
    if not is_office(user):
        raise PermissionDenied
    _in_scope(Project.objects.editable_by(user), project.pk)
    claim(project, version)
    project.refresh_from_db()
    project.is_archived = False
    project.archived_at = None
    project.archive_reason = ""
    _save_project(stamp(project, user, _("恢复归档项目")))
    transaction.on_commit(lambda: events.emit(ProjectChanged(project_ids=(project.pk,), user=user)))
    return project


def _application_for_update(user, pk: int, version: int) -> Project:
    """The project whose application the office decides, claimed at `version`: out of the user's
    sight 404, seen but not the user's office 403, no application pending a message."""
    _in_scope(Project.objects.visible_to(user), pk)
    if not Project.objects.reviewable_by(user).filter(pk=pk).exists():
        raise PermissionDenied
    project = Project.objects.select_related("level", "requested_level", "applied_by").get(pk=pk)
    if project.admission != Admission.PENDING and project.requested_level_id is None:
        raise ValidationError(_("该项目没有待审核的申报，可能已被他人处理"))
    claim(project, version)
    return project


def _tell_applicant(project: Project, text: str) -> None:
    if project.applied_by_id:
        notify([project.applied_by], text, reverse("projects:detail", args=[project.pk]))


@transaction.atomic
def admission_approve(user, project: Project, *, version: int) -> Project:
    """The office approves an application: a new project enters the ledger (its figures, warnings,
    reporting periods), or a requested level replaces the old one."""
    project = _application_for_update(user, project.pk, version)
    if project.admission == Admission.PENDING:
        project.admission = Admission.ADMITTED
        why = _("申报入库审核通过")
        text = _("您申报的项目“%(name)s”已审核通过，纳入台账") % {"name": project.name}
    else:
        old, new = project.level, project.requested_level
        project.level, project.requested_level = new, None
        why = _("级别调整审核通过：%(old)s → %(new)s") % {"old": old, "new": new}
        text = _("项目“%(name)s”的级别调整（%(old)s → %(new)s）已审核通过") % {"name": project.name, "old": old, "new": new}
    project.return_reason = ""
    stamp(project, user, why).save()
    _tell_applicant(project, text)
    transaction.on_commit(lambda: events.emit(ProjectChanged(project_ids=(project.pk,), user=user)))
    return project


@transaction.atomic
def admission_return(user, project: Project, *, version: int, reason: str) -> Project:
    """The office returns an application with its reason: a new project stays out of the ledger (已退回)
    until the clerk edits and resubmits it; a level change is dropped, the old level stands."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写退回原因")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("退回原因不能超过300个字")]})
    project = _application_for_update(user, project.pk, version)
    if project.admission == Admission.PENDING:
        project.admission = Admission.RETURNED
        why = _("申报入库退回：%(reason)s") % {"reason": reason}
        text = _("您申报的项目“%(name)s”已被退回：%(reason)s") % {"name": project.name, "reason": reason}
    else:
        requested, project.requested_level = project.requested_level, None
        why = _("级别调整退回（申请%(level)s）：%(reason)s") % {"level": requested, "reason": reason}
        text = _("项目“%(name)s”的级别调整申请（%(level)s）已被退回：%(reason)s") % {
            "name": project.name, "level": requested, "reason": reason}
    project.return_reason = reason
    stamp(project, user, why).save()
    _tell_applicant(project, text)
    transaction.on_commit(lambda: events.emit(ProjectChanged(project_ids=(project.pk,), user=user)))
    return project


def annual_plan_validate(plan: AnnualPlan) -> None:
    errors = annual_plan_rules(plan, plan.project.total_investment)
    duplicate = AnnualPlan.objects.filter(project_id=plan.project_id, year=plan.year).exclude(pk=plan.pk)
    if plan.year and duplicate.exists():
        errors.setdefault("year", []).append(_("该项目%(year)s年的年度计划已存在") % {"year": plan.year})
    if errors:
        raise ValidationError(errors)


def annual_plan_rules(plan: AnnualPlan, total_investment: Decimal) -> dict[str, list[str]]:
    """An annual plan's rules against its project's total investment, without the database."""
    errors: dict[str, list[str]] = {}
    for name in LIMITED_TEXT["plan"]:
        message = text_too_long(getattr(plan, name), AnnualPlan._meta.get_field(name).max_length)
        if message:
            errors.setdefault(name, []).append(message)
    if plan.planned_investment is not None and plan.planned_investment < 0:
        errors.setdefault("planned_investment", []).append(_("年度计划投资不能为负数"))
    if plan.completed_before is not None and plan.completed_before < 0:
        errors.setdefault("completed_before", []).append(_("累计完成投资不能为负数"))
    if plan.planned_investment is not None and plan.completed_before is not None and not errors:
        remaining = total_investment - plan.completed_before
        if plan.completed_before > total_investment:
            errors.setdefault("completed_before", []).append(
                _("上年底累计完成投资不能超过总投资（%(total)s万元）") % {"total": _money(total_investment)}
            )
        elif plan.planned_investment > remaining:
            errors.setdefault("planned_investment", []).append(
                _("年度计划投资不能超过剩余投资 %(remaining)s万元（总投资 %(total)s − 上年底累计 %(before)s）")
                % {
                    "remaining": _money(remaining),
                    "total": _money(total_investment),
                    "before": _money(plan.completed_before),
                }
            )
    if plan.planned_start and plan.planned_completion and plan.planned_completion < plan.planned_start:
        errors.setdefault("planned_completion", []).append(_("年内计划竣工不能早于年内计划开工"))
    monthly = monthly_plan_errors(plan.monthly_plan, plan.planned_investment)
    if monthly:
        errors.setdefault("monthly_plan", []).extend(monthly)
    return errors


@transaction.atomic
def annual_plan_save(user, plan: AnnualPlan, *, version: int | None = None, reason: str = "") -> AnnualPlan:
    """Create (version None) or update an annual plan read at `version`."""
    _in_scope(Project.objects.editable_by(user), plan.project_id)
    if plan.project.is_archived:
        raise ValidationError(_("已归档的项目不能修改"))
    annual_plan_validate(plan)
    if plan.pk is None:
        plan.version = 1
        _carry_counted([plan])
    else:
        claim(plan, version)
    try:
        with transaction.atomic():
            stamp(plan, user, reason).save()
    except IntegrityError as exc:
        # Two first saves of the same (project, year) at once: the unique constraint decides.
        raise ValidationError({"year": [_("该项目%(year)s年的年度计划已存在") % {"year": plan.year}]}) from exc
    transaction.on_commit(
        lambda: events.emit(AnnualPlanChanged(project_ids=(plan.project_id,), year=plan.year, user=user))
    )
    return plan


def _carry_counted(plans) -> None:
    """New annual plans carry the 本年累计完成 their project's reports of the year already count
    (AnnualPlan.counted_*, kept by the monthly dispatch from then on: completion.plan_figures); 0 without."""
    found = completion.plan_figures((plan.project_id, plan.year) for plan in plans)
    zero = Decimal("0.00")
    for plan in plans:
        plan.counted_approved, plan.counted_handed_in = found.get((plan.project_id, plan.year), (zero, zero))


# ---------------------------------------------------------------------------- bulk saves (import, demo)


@dataclass
class BulkProject:
    """One project of a bulk save (projects_bulk_save).

    `project` is the project as it will be saved: a Project, or a record whose attributes are the
    model's attnames (the ledger import's rows: ten thousand model instances cost more than the save).
    `original` is the project as read before the change, None for a new project; its version must still
    be the stored one. Links that are given (not None) replace the project's: program ids, responsible
    unit ids, (leader id, role) pairs (the first role of a leader named twice wins). `plans` are annual
    plans of the project to save (pk None: a new one), instances or records like `project`.
    `rules_checked`: the caller has just run the ledger's rules (project_rules with all the project's
    plans, annual_plan_rules) on these very objects, as the import's analysis does to report them row
    by row; the save does not run them a second time (10,000 rows: a tenth of a second). Role, scope,
    versions and archived projects are checked whatever the caller says.
    """

    project: object
    original: Project | None = None
    programs: list | None = None
    responsible_units: list | None = None
    leaders: list | None = None
    plans: list = field(default_factory=list)
    rules_checked: bool = False


@dataclass
class BulkSaved:
    created: int = 0
    updated: int = 0
    plans: int = 0
    project_ids: list = field(default_factory=list)  # in the order given


class StaleProjects(ConflictError):
    """Projects of a bulk save changed since they were read (`names`, in the order given); nothing was
    written."""

    def __init__(self, names: list[str]):
        self.names = names
        super().__init__()


# What an update of a project's row leaves alone: written once (created_*), by the archive services, or
# derived by other services (the light).
_BULK_KEPT = frozenset({"created_at", "created_by", "is_archived", "archived_at", "archive_reason", "parent",
                        *Project.DERIVED_FIELDS})
_BULK_CHUNK = 5000


def _chunks(items: list, size: int = _BULK_CHUNK):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def projects_bulk_save(user, items: list[BulkProject], *, reason: str, now=None, owner_names: dict | None = None,
                       tick=None) -> BulkSaved:
    """Save many projects at once, with their links and annual plans: the one bulk path for projects
    (the ledger import, the demo). Like project_create / project_update for each, in a few statements:

    - checks: the user's role and scope (the system, user None, may write anywhere), every version read
      still the stored one (StaleProjects), no archived project changed, and the ledger's rules that
      need nothing beyond what is saved (project_rules with the plans given, annual_plan_rules) unless
      the caller has just run them (BulkProject.rules_checked);
    - admission: a clerk's new project is a 申报, a clerk's level change a request (admission_on_import);
    - search text (Project.search_text_of, owners' names as stored), version 1 or the read one + 1,
      created/updated stamps;
    - history rows for every row written (who, when, `reason`), as the single-project services write;
    - after the commit, one ProjectChanged for all the projects and one AnnualPlanChanged per plan year.

    `now` stamps the rows and their history (default: now). `owner_names` (owner id → name as stored) spares reading the names the caller has just written.
    `tick(phase)` is called after each phase (the import bench reports them). Raises ValidationError,
    PermissionDenied or StaleProjects; nothing is written then (the caller's transaction rolls back).
    """
    from django.db import connections, models

    from tuijin.core.bulk import copy_to_history, create_rows, update_objects
    from tuijin.org.models import Unit

    from .filtersets import options_changed

    tick = tick or (lambda phase: None)
    writer = user if getattr(user, "pk", None) else None
    now = now or timezone.now()
    saved = BulkSaved()
    if not items:
        return saved
    for item in items:  # instances: their related objects' ids, as Model.save copies them
        if isinstance(item.project, models.Model):
            item.project._prepare_related_fields_for_save(operation_name="projects_bulk_save")
    _bulk_check(user, items)
    tick("validate")

    names = dict(owner_names or {})
    unknown = list({i.project.owner_id for i in items if i.project.owner_id and i.project.owner_id not in names})
    for chunk in _chunks(unknown):
        names.update(Unit.objects.filter(pk__in=chunk).values_list("id", "name"))
    admits = office_regions(user)
    creating, updating = [], []
    for item in items:
        project = item.project
        project.search_text = Project.search_text_of(project.name, project.code, project.stats_code,
                                                     names.get(project.owner_id, ""))
        project.updated_at = now
        admission_on_import(writer, project, item.original, admits(project.region_id))
        if item.original is None:
            project.created_by_id = getattr(writer, "pk", None)
            project.created_at = now
            project.version = 1
            creating.append(project)
        else:
            project.version = item.original.version + 1
            updating.append(project)
    tick("project_prep")
    create_rows(Project, [vars(project) for project in creating])
    alias = Project.objects.db
    for project in creating:
        if isinstance(project, models.Model):
            project._state.adding, project._state.db = False, alias
    tick("project_insert")
    copy_to_history(Project, [p.pk for p in creating], history_type="+", user=writer, reason=reason, when=now)
    tick("project_history")
    if updating:
        fields = [f.name for f in Project._meta.concrete_fields if not f.primary_key and f.name not in _BULK_KEPT]
        update_objects(Project, updating, fields)
        copy_to_history(Project, [p.pk for p in updating], history_type="~", user=writer, reason=reason, when=now)
    tick("project_update")
    _bulk_save_links(items, writer, reason, now)
    tick("links")
    plan_years = _bulk_save_plans(items, writer, reason, now, saved)
    tick("plans")
    _announce_applications(writer, [(item.project, item.original, item.responsible_units or ()) for item in items])
    # Foreign keys are checked at commit on both databases (deferred): check them here, so that a broken
    # reference fails inside this save with its own message, and the import's time includes the checks
    # (the import bench rolls back, where deferred checks would never run).
    connections[alias].check_constraints(table_names=[model._meta.db_table for model in (
        Project, Project.programs.through, ProjectResponsibleUnit, ProjectLeader, AnnualPlan)])
    tick("constraints")
    saved.created, saved.updated = len(creating), len(updating)
    saved.project_ids = [item.project.pk for item in items]
    project_ids = list(saved.project_ids)

    def after_commit():
        options_changed()
        # One event for the whole set: a subscriber (the warning engine) handles it at once.
        events.emit(ProjectChanged(project_ids=tuple(project_ids), user=user))
        for year, ids in sorted(plan_years.items()):
            events.emit(AnnualPlanChanged(project_ids=tuple(ids), year=year, user=user))

    transaction.on_commit(after_commit)
    return saved


def _bulk_check(user, items: list[BulkProject]) -> None:
    """projects_bulk_save's checks, in bulk: role and scope, versions (locking the rows), archived
    projects, and the rules that need nothing from the database."""
    from tuijin.org.models import Region

    originals = [item.original for item in items if item.original is not None]
    if user is not None:
        require_editor(user)
        regions = set(regions_editable_by(user).values_list("id", flat=True))
        outside = next((item.project for item in items if item.original is None and item.project.region_id not in regions),
                       None)
        if outside is not None:
            region = Region.objects.get(pk=outside.region_id)
            raise ValidationError({"region": _("您无权在“%(region)s”登记项目") % {"region": region}})
        editable = set()
        for chunk in _chunks([p.pk for p in originals]):
            editable.update(Project.objects.editable_by(user).filter(pk__in=chunk).values_list("id", flat=True))
        if any(p.pk not in editable for p in originals):
            raise PermissionDenied
    if originals:
        stale_pks, stored = claim_many(Project, {p.pk: p.version for p in originals}, "is_archived")
        if stale_pks:
            stale = set(stale_pks)
            raise StaleProjects([p.name for p in originals if p.pk in stale])
        archived = next((p for p in originals if stored[p.pk][1]), None)
        if archived is not None:
            raise ValidationError(_("已归档的项目不能修改：%(name)s") % {"name": archived.name})
    today = timezone.localdate()
    for item in items:
        if item.rules_checked:
            continue
        project = item.project
        plans = sorted((p.year, p.planned_investment, p.completed_before) for p in item.plans)
        errors = project_rules(project, plans=plans, today=today)
        for plan in item.plans:
            for name, messages in annual_plan_rules(plan, project.total_investment).items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError({name: [_("项目“%(name)s”：%(message)s") % {"name": project.name, "message": message}
                                          for message in messages] for name, messages in errors.items()})


def _bulk_save_links(items: list[BulkProject], user, reason: str, now) -> None:
    """Programs, responsible units and leaders given replace the project's."""
    from django.apps import apps

    from tuijin.core.bulk import copy_to_history, create_rows, delete_rows

    through = Project.programs.through
    m2m_history = apps.get_model("projects", "HistoricalProject_programs")
    program_rows, unit_rows, leader_rows = [], [], []
    replace_programs, replace_units, replace_leaders = [], [], []
    for item in items:
        pk = item.project.pk
        if item.programs is not None:
            if item.original is not None:
                replace_programs.append(pk)
            program_rows += [through(project_id=pk, program_id=program_id) for program_id in item.programs]
        if item.responsible_units is not None:
            if item.original is not None:
                replace_units.append(pk)
            unit_rows += [{"project_id": pk, "unit_id": unit_id} for unit_id in dict.fromkeys(item.responsible_units)]
        if item.leaders is not None:
            if item.original is not None:
                replace_leaders.append(pk)
            roles = {}
            for leader_id, role in item.leaders:
                roles.setdefault(leader_id, role)
            leader_rows += [{"project_id": pk, "leader_id": leader_id, "role": role} for leader_id, role in roles.items()]
    for chunk in _chunks(replace_programs):
        through.objects.filter(project_id__in=chunk).delete()
    for model, ids in ((ProjectResponsibleUnit, replace_units), (ProjectLeader, replace_leaders)):
        for chunk in _chunks(ids):
            gone = list(model.objects.filter(project_id__in=chunk).values_list("pk", flat=True))
            copy_to_history(model, gone, history_type="-", user=user, reason=reason, when=now)
            delete_rows(model, gone)
    if program_rows:
        through.objects.bulk_create(program_rows, batch_size=1000)
        project_ids = list({r.project_id for r in program_rows})
        history_ids = {}
        for chunk in _chunks(project_ids):
            history_ids.update(
                Project.history.filter(id__in=chunk).order_by("history_id").values_list("id", "history_id")
            )  # the newest history row per project wins in the dict
        if any(r.pk is None for r in program_rows):
            program_rows = list(through.objects.filter(project_id__in=project_ids).order_by("id"))
        m2m_history.objects.bulk_create(
            [m2m_history(history_id=history_ids[r.project_id], id=r.pk, project_id=r.project_id, program_id=r.program_id)
             for r in program_rows],
            batch_size=1000,
        )
    for model, rows in ((ProjectResponsibleUnit, unit_rows), (ProjectLeader, leader_rows)):
        create_rows(model, rows)
        copy_to_history(model, [row["id"] for row in rows], history_type="+", user=user, reason=reason, when=now)


def _bulk_save_plans(items: list[BulkProject], user, reason: str, now, saved: BulkSaved) -> dict[int, list[int]]:
    """The annual plans given, created or updated (version + 1), with history; returns the project ids
    by plan year."""
    from django.db import models

    from tuijin.core.bulk import copy_to_history, create_rows, update_objects

    creating, updating, years = [], [], defaultdict(list)
    for item in items:
        project = item.project
        for plan in item.plans:
            if isinstance(plan, models.Model) and isinstance(project, models.Model):
                plan.project = project  # now saved: copies its id and keeps the instance
            else:
                plan.project_id = project.pk
            plan.updated_at = now
            if plan.pk is None:
                plan.version = 1
                plan.created_at = now
                creating.append(plan)
            else:
                plan.version += 1
                updating.append(plan)
            years[plan.year].append(project.pk)
    # A new project has no reports yet: only a new plan of a project already saved can carry figures.
    existing = {item.project.pk for item in items if item.original is not None}
    _carry_counted([plan for plan in creating if plan.project_id in existing])
    create_rows(AnnualPlan, [vars(plan) for plan in creating])
    alias = AnnualPlan.objects.db
    for plan in creating:
        if isinstance(plan, models.Model):
            plan._state.adding, plan._state.db = False, alias
    copy_to_history(AnnualPlan, [p.pk for p in creating], history_type="+", user=user, reason=reason, when=now)
    if updating:
        update_objects(AnnualPlan, updating, ["planned_investment", "completed_before", "construction_goal", "monthly_plan",
                                              "version", "updated_at"])
        copy_to_history(AnnualPlan, [p.pk for p in updating], history_type="~", user=user, reason=reason, when=now)
    saved.plans = len(creating) + len(updating)
    return dict(years)
