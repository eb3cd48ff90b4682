"""The commit: the analysed file written in one transaction, with its history, after re-checking that
no project changed since the analysis."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import paused_gc
from tuijin.org.models import Leader, Unit
from tuijin.projects.models import AnnualPlan, Project

from .analysis import Analysis, F
from .dictionaries import Dictionaries
from .matching import _LeaderMaker, _Pending, _UnitMaker
from .reconcile import NeedsConfirmation


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0  # invalid project rows left out (only when importing the valid rows)
    plans: int = 0
    units_created: list = field(default_factory=list)
    leaders_created: list = field(default_factory=list)
    project_ids: list = field(default_factory=list)
    timings: dict = field(default_factory=dict)


class StaleImport(Exception):
    """Projects changed between the preview and the confirmation."""

    def __init__(self, names: list[str]):
        self.names = names
        shown = "、".join(names[:5]) + ("等" if len(names) > 5 else "")
        super().__init__(_("预览后以下项目已被他人修改：%(names)s。请重新上传或刷新预览后再确认。") % {"names": shown})


@paused_gc()
def commit(analysis: Analysis, *, valid_only: bool = False) -> ImportResult:
    """Write the analysed file in one transaction: all its project rows, or with `valid_only` the valid
    ones. Raises ValidationError when it has errors (and valid_only is not set), StaleImport when a
    project changed since the analysis; nothing is written then."""
    from django.db import connections, transaction

    from tuijin.core import events
    from tuijin.core.bulk import copy_to_history, create_rows, update_objects
    from tuijin.projects.filtersets import options_changed
    from tuijin.projects.models import ProjectLeader, ProjectResponsibleUnit
    from tuijin.projects.services import (
        ANNUAL_PLAN_CHANGED,
        PROJECT_CHANGED,
        admission_on_import,
        office_regions,
    )

    if analysis.errors or (not analysis.valid and not valid_only):
        raise ValidationError(_("文件中有错误，未导入任何数据"))
    if analysis.unconfirmed:
        raise NeedsConfirmation(" ".join(analysis.needs[kind] for kind in analysis.unconfirmed))
    rows = [r for r in analysis.project_rows if r.valid and r.built is not None]
    result = ImportResult(skipped=sum(1 for r in analysis.project_rows if not r.valid))
    if not rows:
        return result
    user = analysis.user if getattr(analysis.user, "pk", None) else None
    reason = _("台账导入：%(file)s") % {"file": analysis.filename[:80]}
    dicts = analysis.dicts or Dictionaries(analysis.user)
    now = timezone.now()
    started = last = time.perf_counter()

    def tick(phase: str) -> None:
        nonlocal last
        now_ = time.perf_counter()
        result.timings[f"write_{phase}"] = now_ - last
        last = now_

    with transaction.atomic():
        existing = {r.project.pk: r.project.version for r in rows if r.project is not None}
        if existing:
            current = {}
            for chunk in _chunks(list(existing), 5000):
                current.update(Project.objects.select_for_update().filter(pk__in=chunk).values_list("id", "version"))
            stale = [pk for pk, version in existing.items() if current.get(pk) != version]
            if stale:
                names = [r.project.name for r in rows if r.project is not None and r.project.pk in set(stale)]
                raise StaleImport(names)

        units = _UnitMaker(dicts, result)
        leaders = _LeaderMaker(dicts, result)
        for row in rows:
            project, _plan = row.built
            region = dicts.region_by_id[project.region_id]
            if row.values.get(F.OWNER):
                project.owner_id = units.get(row.values[F.OWNER], region, "owner")
            if row.values.get(F.LEAD_UNIT):
                project.lead_unit_id = units.get(row.values[F.LEAD_UNIT], region, "department")
            row.unit_ids = [units.get(name, region, "department") for name in row.values.get(F.RESPONSIBLE_UNITS, [])]
            row.leader_ids = [(leaders.get(name, title), role) for name, title, role in row.values.get(F.LEADERS, [])]
        units.save(user, reason, now)
        leaders.save(user, reason, now)
        tick("units")
        for row in rows:
            project = row.built[0]
            for name in ("owner", "lead_unit"):
                pending = getattr(project, f"{name}_id")
                if isinstance(pending, _Pending):
                    setattr(project, f"{name}_id", pending.pk)
            row.unit_ids = [u.pk if isinstance(u, _Pending) else u for u in row.unit_ids]
            row.leader_ids = [(x.pk if isinstance(x, _Pending) else x, role) for x, role in row.leader_ids]

        new = [r for r in rows if r.project is None]
        changed = [r for r in rows if r.project is not None]
        # The owner's name goes into search_text: as the sheet names it, or for owners the sheet does
        # not name (an update keeping its owner) from the database.
        owner_names = {r.built[0].owner_id: r.values[F.OWNER] for r in rows if r.values.get(F.OWNER)}
        unnamed = {r.built[0].owner_id for r in rows if r.built[0].owner_id and not r.values.get(F.OWNER)}
        for chunk in _chunks(list(unnamed), 5000):
            owner_names.update(Unit.objects.filter(pk__in=chunk).values_list("id", "name"))
        for row in rows:
            project = row.built[0]
            project.search_text = " ".join(
                p for p in (project.name, project.code, project.stats_code, owner_names.get(project.owner_id, "")) if p
            ).lower()
            project.updated_at = now
        admits = office_regions(analysis.user)
        for row in rows:
            admission_on_import(user, row.built[0], row.project, admits(row.built[0].region_id))
        creating = [r.built[0] for r in new]
        for project in creating:
            project.created_by_id = getattr(user, "pk", None)
            project.created_at = now
            project.version = 1
        tick("project_prep")
        create_rows(Project, [vars(project) for project in creating])
        tick("project_insert")
        copy_to_history(Project, [p.pk for p in creating], history_type="+", user=user, reason=reason, when=now)
        tick("project_history")
        updating = []
        for row in changed:
            project = row.built[0]
            project.version = row.project.version + 1
            updating.append(project)
        if updating:
            fields = [f.name for f in Project._meta.concrete_fields
                      if not f.primary_key and f.name not in ("created_at", "created_by", "is_archived", "archived_at",
                                                              "archive_reason", "parent", *Project.DERIVED_FIELDS)]
            update_objects(Project, updating, fields)
            copy_to_history(Project, [p.pk for p in updating], history_type="~", user=user, reason=reason, when=now)

        tick("project_update")
        _save_links(rows, user, reason, now, ProjectResponsibleUnit, ProjectLeader)
        tick("links")
        result.plans = _save_plans(rows, user, reason, now)
        tick("plans")
        # Foreign keys are checked at commit on both databases (deferred): check them here, so that a
        # broken reference fails inside this import with its own message, and the import's time
        # includes the checks (the bench rolls back, where deferred checks would never run).
        connection = connections[Project.objects.db]
        connection.check_constraints(table_names=[model._meta.db_table for model in (
            Unit, Leader, Project, Project.programs.through, ProjectResponsibleUnit, ProjectLeader, AnnualPlan)])
        tick("constraints")
        result.created, result.updated = len(new), len(changed)
        result.timings["write"] = time.perf_counter() - started
        result.project_ids = [r.built[0].pk for r in rows]

        project_ids = list(result.project_ids)
        year = analysis.year

        def after_commit():
            options_changed()
            # One event for the whole file: a subscriber (the warning engine) handles the set at once.
            events.emit(PROJECT_CHANGED, project_ids=project_ids, user=analysis.user)
            events.emit(ANNUAL_PLAN_CHANGED, project_ids=project_ids, year=year, user=analysis.user)

        transaction.on_commit(after_commit)
    return result


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _save_links(rows, user, reason, now, ProjectResponsibleUnit, ProjectLeader) -> None:
    """Programs, responsible units and leaders: a non-empty cell replaces the project's list."""
    from django.apps import apps

    from tuijin.core.bulk import copy_to_history, create_rows, delete_rows

    through = Project.programs.through
    m2m_history = apps.get_model("projects", "HistoricalProject_programs")
    program_rows, unit_rows, leader_rows = [], [], []
    replace_programs, replace_units, replace_leaders = [], [], []
    for row in rows:
        project = row.built[0]
        if F.PROGRAMS in row.values:
            if row.project is not None:
                replace_programs.append(project.pk)
            program_rows += [through(project_id=project.pk, program_id=p.pk) for p in row.values[F.PROGRAMS]]
        if row.unit_ids:
            if row.project is not None:
                replace_units.append(project.pk)
            unit_rows += [{"project_id": project.pk, "unit_id": pk} for pk in dict.fromkeys(row.unit_ids)]
        if row.leader_ids:
            if row.project is not None:
                replace_leaders.append(project.pk)
            leader_rows += [{"project_id": project.pk, "leader_id": pk, "role": role}
                            for pk, role in dict(reversed(row.leader_ids)).items()]
    for chunk in _chunks(replace_programs, 5000):
        through.objects.filter(project_id__in=chunk).delete()
    for model, ids in ((ProjectResponsibleUnit, replace_units), (ProjectLeader, replace_leaders)):
        for chunk in _chunks(ids, 5000):
            gone = list(model.objects.filter(project_id__in=chunk).values_list("pk", flat=True))
            copy_to_history(model, gone, history_type="-", user=user, reason=reason, when=now)
            delete_rows(model, gone)
    if program_rows:
        through.objects.bulk_create(program_rows, batch_size=1000)
        project_ids = list({r.project_id for r in program_rows})
        history_ids = {}
        for chunk in _chunks(project_ids, 5000):
            history_ids.update(
                Project.history.filter(id__in=chunk).order_by("history_id").values_list("id", "history_id")
            )  # the newest history row per project wins in the dict
        if any(r.pk is None for r in program_rows):
            program_rows = list(through.objects.filter(project_id__in=project_ids))
        m2m_history.objects.bulk_create(
            [m2m_history(history_id=history_ids[r.project_id], id=r.pk, project_id=r.project_id, program_id=r.program_id)
             for r in program_rows],
            batch_size=1000,
        )
    for model, items in ((ProjectResponsibleUnit, unit_rows), (ProjectLeader, leader_rows)):
        create_rows(model, items)
        copy_to_history(model, [item["id"] for item in items], history_type="+", user=user, reason=reason, when=now)


def _save_plans(rows, user, reason, now) -> int:
    from tuijin.core.bulk import copy_to_history, create_rows, update_objects

    creating, updating = [], []
    for row in rows:
        project, plan = row.built
        if plan is None:
            continue
        plan.project_id = project.pk
        plan.updated_at = now
        if plan.pk is None:
            plan.version = 1
            plan.created_at = now
            creating.append(plan)
        else:
            plan.version += 1
            updating.append(plan)
    create_rows(AnnualPlan, [vars(plan) for plan in creating])
    copy_to_history(AnnualPlan, [p.pk for p in creating], history_type="+", user=user, reason=reason, when=now)
    if updating:
        update_objects(AnnualPlan, updating, ["planned_investment", "completed_before", "construction_goal", "monthly_plan", "version",
                                              "updated_at"])
        copy_to_history(AnnualPlan, [p.pk for p in updating], history_type="~", user=user, reason=reason, when=now)
    return len(creating) + len(updating)
