"""Every write to the ledger: validation, history (who/when/before/after), version checks, events."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core import events
from tuijin.core.exceptions import ConflictError
from tuijin.core.fields import LimitedTextField, text_too_long
from tuijin.core.history import stamp
from tuijin.core.notify import notify
from tuijin.org.choices import Role
from tuijin.org.selectors import OFFICE_ROLES, regions_editable_by, user_access

from .choices import Admission
from .models import AnnualPlan, Project, ProjectLeader, ProjectResponsibleUnit
from .plans import monthly_plan_errors

PROJECT_CHANGED = "project.changed"
ANNUAL_PLAN_CHANGED = "annual_plan.changed"


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
    access = user_access(user)
    if not access.has_role(Role.ADMIN, Role.DISPATCHER, Role.REPORTER):
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
    transaction.on_commit(lambda: events.emit(PROJECT_CHANGED, project_id=project.pk, user=user))
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


def _save_project(project: Project) -> None:
    """Save, turning a lost race on the unique live code into the same message as project_validate."""
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        if project.code and Project.objects.filter(code=project.code, is_archived=False).exclude(pk=project.pk).exists():
            raise ValidationError({"code": [_("项目代码 %(code)s 已被其他项目使用") % {"code": project.code}]}) from exc
        raise


def _claim_version(model, pk: int, version: int, user) -> None:
    """Compare-and-swap on the version: 0 rows means someone saved in between (no lost update)."""
    claimed = model.objects.filter(pk=pk, version=version).update(version=F("version") + 1)
    if not claimed:
        raise ConflictError()


@transaction.atomic
def project_update(
    user, project: Project, *, version: int, programs=None, responsible_units=None, leaders=None, reason: str = ""
) -> Project:
    """Save an edited project read at `version`; a stale version raises ConflictError and writes nothing."""
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
        raise Http404
    original = Project.objects.get(pk=project.pk)
    if original.region_id != project.region_id:
        _check_region(user, project)
    if original.is_archived:
        raise ValidationError(_("已归档的项目不能修改"))
    project_validate(project)
    _claim_version(Project, project.pk, version, user)
    reason = _as_application(user, project, original, reason)
    project.version = version + 1
    project.search_text = project.build_search_text()
    _save_project(stamp(project, user, reason))
    if programs is not None:
        project.programs.set(programs)
    _save_links(project, responsible_units, leaders, user)
    transaction.on_commit(lambda: events.emit(PROJECT_CHANGED, project_id=project.pk, user=user))
    return project


@transaction.atomic
def project_archive(user, project: Project, *, version: int, reason: str) -> Project:
    """Archive instead of deleting: the project leaves the ledger, its history stays."""
    access = user_access(user)
    if not access.has_role(*OFFICE_ROLES):
        raise PermissionDenied
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
        raise Http404
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写归档原因")})
    project.refresh_from_db()
    if project.is_archived:
        raise ValidationError(_("该项目已归档"))
    _claim_version(Project, project.pk, version, user)
    project.version = version + 1
    project.is_archived = True
    project.archived_at = timezone.now()
    project.archive_reason = reason[:200]
    stamp(project, user, _("归档：%(reason)s") % {"reason": reason}).save()
    transaction.on_commit(lambda: events.emit(PROJECT_CHANGED, project_id=project.pk, user=user))
    return project


@transaction.atomic
def project_restore(user, project: Project, *, version: int) -> Project:
    access = user_access(user)
    if not access.has_role(*OFFICE_ROLES):
        raise PermissionDenied
    if not Project.objects.editable_by(user).filter(pk=project.pk).exists():
        raise Http404
    _claim_version(Project, project.pk, version, user)
    project.refresh_from_db()
    project.is_archived = False
    project.archived_at = None
    project.archive_reason = ""
    _save_project(stamp(project, user, _("恢复归档项目")))
    transaction.on_commit(lambda: events.emit(PROJECT_CHANGED, project_id=project.pk, user=user))
    return project


def _application_for_update(user, pk: int, version: int) -> Project:
    """The project whose application the office decides, claimed at `version`: out of the user's
    sight 404, seen but not the user's office 403, no application pending a message."""
    if not Project.objects.visible_to(user).filter(pk=pk).exists():
        raise Http404
    if not Project.objects.reviewable_by(user).filter(pk=pk).exists():
        raise PermissionDenied
    project = Project.objects.select_related("level", "requested_level", "applied_by").get(pk=pk)
    if project.admission != Admission.PENDING and project.requested_level_id is None:
        raise ValidationError(_("该项目没有待审核的申报，可能已被他人处理"))
    _claim_version(Project, pk, version, user)
    project.version = version + 1
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
    transaction.on_commit(lambda: events.emit(PROJECT_CHANGED, project_id=project.pk, user=user))
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
    transaction.on_commit(lambda: events.emit(PROJECT_CHANGED, project_id=project.pk, user=user))
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
    if not Project.objects.editable_by(user).filter(pk=plan.project_id).exists():
        raise Http404
    if plan.project.is_archived:
        raise ValidationError(_("已归档的项目不能修改"))
    annual_plan_validate(plan)
    if plan.pk is None:
        plan.version = 1
    else:
        _claim_version(AnnualPlan, plan.pk, version, user)
        plan.version = version + 1
    try:
        with transaction.atomic():
            stamp(plan, user, reason).save()
    except IntegrityError as exc:
        # Two first saves of the same (project, year) at once: the unique constraint decides.
        raise ValidationError({"year": [_("该项目%(year)s年的年度计划已存在") % {"year": plan.year}]}) from exc
    transaction.on_commit(
        lambda: events.emit(ANNUAL_PLAN_CHANGED, project_id=plan.project_id, year=plan.year, user=user)
    )
    return plan
