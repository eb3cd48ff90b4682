"""Matching: each project row to the project it updates (by code, else by name in its region), and
the names of units and leaders to existing ones, or to new ones the commit creates."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tuijin.core.sheets.values import (
    normalize_text,
    strip_markers,
)
from tuijin.org.models import Leader, Region, Unit
from tuijin.projects.models import Project

from .analysis import REQUIRED, Analysis, F, Issue
from .dictionaries import Dictionaries, _key

if TYPE_CHECKING:
    from .writing import ImportResult


def name_key(name: str) -> str:
    """A project name as matched: NFKC, no spaces or markers."""
    text, _markers = strip_markers(normalize_text(name))
    return text.replace(" ", "").lower()


def _match(analysis: Analysis, dicts: Dictionaries) -> None:
    """Fill in each project row's region and required fields, and find the project it updates."""
    rows = [r for r in analysis.project_rows if r.values.get(F.NAME)]
    for row in rows:
        for name in REQUIRED:
            if name in row.values:
                continue
            if row.context.get(name) is not None:
                row.values[name] = row.context[name]
            elif name in row.context and name in analysis.inferred:
                continue  # under a group naming an unknown region: only a default the user chose applies
            elif name in analysis.defaults:
                row.values[name] = analysis.defaults[name]
        if F.LEVEL not in row.values and F.REGION in row.values:
            row.values[F.LEVEL] = dicts.level_for(row.values[F.REGION])
            analysis.inferred.setdefault(F.LEVEL, _("表中没有级别列，按项目所在区域的层级确定（市级区域为“市重点”等）"))
    codes = {r.values[F.CODE] for r in rows if r.values.get(F.CODE)}
    by_code = {}
    if codes:
        for project in Project.objects.filter(code__in=codes, is_archived=False):
            by_code[project.code] = project
    region_ids = {r.values[F.REGION].id for r in rows if r.values.get(F.REGION)}
    by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
    if region_ids:
        for pk, name, region_id in Project.objects.filter(region_id__in=region_ids, is_archived=False).values_list(
            "id", "name", "region_id"
        ):
            by_name[(region_id, name_key(name))].append(pk)
    # Each row's (region id, name key), worked out once: the rows are matched by it twice.
    keys = []
    for row in rows:
        region = row.values.get(F.REGION)
        keys.append((region.id if region else None, name_key(row.values[F.NAME])))
    wanted = {pks[0] for key in keys if key[0] is not None for pks in [by_name.get(key, [])] if len(pks) == 1}
    by_pk = {p.pk: p for p in Project.objects.filter(pk__in=wanted)} if wanted else {}
    seen_code: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    column_code = analysis.column(F.CODE)
    for row, key in zip(rows, keys, strict=True):
        values = row.values
        code = values.get(F.CODE)
        region = values.get(F.REGION)
        if code and code in seen_code:
            row.errors.append(Issue(analysis.sheet, row.number, column_code.label if column_code else "",
                                    _("与第%(row)s行的项目代码相同（同一文件中项目重复）") % {"row": seen_code[code]},
                                    column_code.letter if column_code else ""))
            continue
        if key in seen_name and region is not None:
            column = analysis.column(F.NAME)
            row.errors.append(Issue(analysis.sheet, row.number, column.label, _("与第%(row)s行是同一区域的同名项目（同一文件中项目重复）")
                                    % {"row": seen_name[key]}, column.letter))
            continue
        if code:
            seen_code[code] = row.number
        seen_name[key] = row.number
        project = by_code.get(code) if code else None
        if project is None and region is not None:
            pks = by_name.get((region.id, key[1]), [])
            if len(pks) > 1:
                column = analysis.column(F.NAME)
                row.errors.append(Issue(analysis.sheet, row.number, column.label,
                                        _("系统中“%(region)s”有多个同名项目，请填写项目代码以区分") % {"region": region.name},
                                        column.letter))
                continue
            project = by_pk.get(pks[0]) if pks else None
        row.project = project
        row.action = "update" if project is not None else "create"


class _Pending:
    """A unit or leader to be created; its pk is set once saved."""

    def __init__(self, obj: dict):
        self.obj = obj

    @property
    def pk(self):
        return self.obj["id"]


def _create_pending(model, pending: dict[str, _Pending], user, reason: str, now) -> list[str]:
    """Insert the units or leaders an import names for the first time, with their "+" history rows;
    returns their names (none: nothing written)."""
    from tuijin.core.bulk import copy_to_history, create_rows

    objs = [p.obj for p in pending.values()]
    if objs:
        for obj in objs:
            obj["created_at"] = obj["updated_at"] = now
        create_rows(model, objs)
        copy_to_history(model, [obj["id"] for obj in objs], history_type="+", user=user, reason=reason, when=now)
    return [obj["name"] for obj in objs]


class _UnitMaker:
    """Units by name: an existing one in the project's region or above it, else one elsewhere in the
    user's scope, else a new one in the project's region (created on confirmation)."""

    def __init__(self, dicts: Dictionaries, result: ImportResult):
        self.dicts, self.result = dicts, result
        self.new: dict[tuple[int, str], _Pending] = {}
        # What the dictionaries answer, kept with them: the analysis (reconcile._needs) and the commit ask
        # the same ten thousand names.
        memo = dicts.memo.setdefault(_UnitMaker, ({}, {}, {}))
        self.ancestors: dict[int, set[int]] = memo[0]
        self.keys: dict[str, str] = memo[1]  # name as written → _key(name)
        self.found: dict[tuple[str, int], int] = memo[2]  # (key, region) → an existing unit's pk

    def get(self, name: str, region: Region, kind: str):
        key = self.keys.get(name)
        if key is None:
            key = self.keys[name] = _key(name)
        region_id = region.id  # (not .pk: Django's property, here forty thousand times a file)
        known = self.found.get((key, region_id))
        if known is not None:
            return known
        pk = self._existing(key, region)
        if pk is not None:
            self.found[(key, region_id)] = pk
            return pk
        pending = self.new.get((region_id, key))
        if pending is None:
            pending = _Pending({"name": name.strip()[:100], "region_id": region_id, "kind": kind})
            self.new[(region_id, key)] = pending
        return pending

    def _existing(self, key: str, region: Region) -> int | None:
        found = self.dicts.units_by_name.get(key)
        if found:
            ancestors = self.ancestors.get(region.id)
            if ancestors is None:
                ancestors = self.ancestors[region.id] = {r.id for r in self.dicts.regions if region.path.startswith(r.path)}
            near = [pk for pk, region_id in found if region_id in ancestors]
            if near:
                return near[0]
            mine = [pk for pk, region_id in found if self.dicts.editable(self.dicts.region_by_id[region_id])]
            if mine:
                return mine[0]
        return None

    def save(self, user, reason: str, now) -> None:
        names = _create_pending(Unit, self.new, user, reason, now)
        if names:
            self.result.units_created = names

    def names(self) -> dict[int, str]:
        """The units created, id → name as stored (once saved)."""
        return {p.obj["id"]: p.obj["name"] for p in self.new.values() if "id" in p.obj}


class _LeaderMaker:
    def __init__(self, dicts: Dictionaries, result: ImportResult):
        self.dicts, self.result = dicts, result
        self.new: dict[str, _Pending] = {}

    def get(self, name: str, title: str):
        key = _key(name)
        if key in self.dicts.leaders_by_name:
            return self.dicts.leaders_by_name[key]
        if key not in self.new:
            self.new[key] = _Pending({"name": name.strip()[:50], "title": (title or "").strip()[:100]})
        return self.new[key]

    def save(self, user, reason: str, now) -> None:
        names = _create_pending(Leader, self.new, user, reason, now)
        if names:
            self.result.leaders_created = names
