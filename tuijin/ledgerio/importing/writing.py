"""The commit: the analysed file written in one transaction, with its history, after re-checking that
no project changed since the analysis."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import paused_gc
from tuijin.org.models import Leader, Unit
from tuijin.projects.services import BulkProject, StaleProjects, projects_bulk_save

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
    project changed since the analysis; nothing is written then.

    The units and leaders the file names anew are created here; the projects, their links and plans
    are saved by projects.services.projects_bulk_save (search text, versions, history, events)."""
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
        # Foreign keys are checked at commit (deferred): here, so that a broken reference fails with its
        # own message inside the import, and the import's time includes the checks (the bench rolls back).
        connections[Unit.objects.db].check_constraints(table_names=[Unit._meta.db_table, Leader._meta.db_table])
        tick("units")
        items = []
        for row in rows:
            project, plan = row.built
            for attname in ("owner_id", "lead_unit_id"):
                pending = getattr(project, attname)
                if isinstance(pending, _Pending):
                    setattr(project, attname, pending.pk)
            # A cell left blank keeps the project's links; one filled in replaces them.
            items.append(BulkProject(
                project, row.project,
                programs=[p.pk for p in row.values[F.PROGRAMS]] if F.PROGRAMS in row.values else None,
                responsible_units=[u.pk if isinstance(u, _Pending) else u for u in row.unit_ids] or None,
                leaders=[(x.pk if isinstance(x, _Pending) else x, role) for x, role in row.leader_ids] or None,
                plans=[plan] if plan is not None else [],
                rules_checked=True,  # by the analysis (validation.py), with the project's other plans too
            ))
        try:
            saved = projects_bulk_save(analysis.user, items, reason=reason, now=now, owner_names=units.names(), tick=tick)
        except StaleProjects as exc:
            raise StaleImport(exc.names) from None
        result.created, result.updated, result.plans = saved.created, saved.updated, saved.plans
        result.project_ids = saved.project_ids
        result.timings["write"] = time.perf_counter() - started
    return result
