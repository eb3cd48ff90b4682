"""Everything the rows are matched against (regions, dictionaries, synonyms, units, leaders), read
once per analysis and looked up per distinct text."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils.translation import gettext as _

from tuijin.core.sheets.values import (
    normalize_text,
)
from tuijin.org.choices import RegionLevel
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import regions_editable_by
from tuijin.projects.models import Category, Level, Nature, Program, Stage

from ..choices import DictionaryKind
from ..models import ValueSynonym

_TITLE_CITY = re.compile(r"(?:^|省)([\u4e00-\u9fff]{2,3}市)")


def _key(text) -> str:
    """Names compared loosely: NFKC, no spaces."""
    return normalize_text(text).replace(" ", "")


class Dictionaries:
    """Everything rows are matched against, read once per analysis."""

    def __init__(self, user):
        self.user = user
        self._looked_up: dict = {}
        self._regions_found: dict = {}
        self._by_length: list | None = None
        self.memo: dict = {}  # what users of the dictionaries remember of their answers (matching._UnitMaker)
        self.regions = list(Region.objects.only("id", "code", "name", "level", "path", "parent_id"))
        self.region_by_id = {r.pk: r for r in self.regions}
        self.region_by_code = {r.code: r for r in self.regions}
        self.regions_by_name: dict[str, list[Region]] = defaultdict(list)
        for region in self.regions:
            self.regions_by_name[_key(region.name)].append(region)
        if user is None:
            self.editable_paths = None  # the system (CLI without --user): every region
        else:
            self.editable_paths = [r.path for r in regions_editable_by(user).only("path")]
        self.synonyms: dict[str, dict[str, str]] = defaultdict(dict)
        for kind, text, value in ValueSynonym.objects.filter(is_active=True).values_list("kind", "text", "value"):
            self.synonyms[kind][_key(text)] = _key(value)
        self.levels = self._names(Level.objects.filter(is_active=True))
        self.natures = self._names(Nature.objects.filter(is_active=True))
        self.stages = self._names(Stage.objects.filter(is_active=True))
        self.programs = self._names(Program.objects.filter(is_active=True))
        categories = list(Category.objects.filter(is_active=True).select_related("parent").order_by("parent_id", "sort", "id"))
        self.categories = self._names(categories)
        # "市政 / 道路桥梁": the export writes a category with its parent (exporting.CATEGORY_SEPARATOR).
        self.category_paths = {(_key(c.parent.name) if c.parent_id else "", _key(c.name)): c for c in categories}
        self.by_kind = {
            DictionaryKind.LEVEL: self.levels, DictionaryKind.NATURE: self.natures,
            DictionaryKind.STAGE: self.stages, DictionaryKind.PROGRAM: self.programs,
            DictionaryKind.CATEGORY: self.categories,
        }
        self.units_by_name: dict[str, list[tuple[int, int]]] = defaultdict(list)  # name → [(unit id, region id)]
        for pk, name, region_id in Unit.objects.filter(is_active=True).values_list("id", "name", "region_id"):
            self.units_by_name[_key(name)].append((pk, region_id))
        self.leaders_by_name: dict[str, int] = {}
        for pk, name in Leader.objects.filter(is_active=True).order_by("sort", "id").values_list("id", "name"):
            self.leaders_by_name.setdefault(_key(name), pk)

    @staticmethod
    def _names(queryset) -> dict:
        found = {}
        for obj in queryset:
            found.setdefault(_key(obj.name), obj)
        return found

    def lookup(self, kind: str, text):
        """A dictionary value by its name or a synonym; None when unknown (remembered per text: a
        ledger repeats the same few words thousands of times)."""
        memo = (kind, text)
        if memo not in self._looked_up:
            self._looked_up[memo] = self._lookup(kind, text)
        return self._looked_up[memo]

    def _lookup(self, kind: str, text):
        key = _key(text)
        if kind == DictionaryKind.CATEGORY and "/" in key:
            parent, _sep, child = key.rpartition("/")
            return self.category_paths.get((parent, child))
        if not key:
            return None
        values = self.by_kind[kind]
        if key in values:
            return values[key]
        target = self.synonyms[kind].get(key)
        if target is not None:
            return values.get(target)
        stripped = re.sub(r"(?:项目|类)$", "", key)
        if stripped != key:
            return values.get(stripped) or values.get(self.synonyms[kind].get(stripped, ""))
        return None

    def editable(self, region: Region) -> bool:
        return self.editable_paths is None or any(region.path.startswith(p) for p in self.editable_paths)

    def region(self, text) -> tuple[Region | None, str]:
        """A region by code or name, preferring the user's own; (None, reason) when not found."""
        if text not in self._regions_found:
            self._regions_found[text] = self._region(text)
        return self._regions_found[text]

    def _region(self, text) -> tuple[Region | None, str]:
        raw = normalize_text(text)
        if not raw:
            return None, ""
        if raw.isdigit():
            region = self.region_by_code.get(raw) or self.region_by_code.get(raw[:6] if len(raw) == 12 and raw.endswith("000000") else "")
            if region is not None:
                return region, ""
        key = _key(raw)
        candidates = self.regions_by_name.get(key, [])
        if not candidates:
            # "兰山" for 兰山区, "临沂" for 临沂市
            candidates = [r for r in self.regions if _key(r.name).rstrip("市区县") == key.rstrip("市区县") and len(key) >= 2]
        if len(candidates) > 1:
            mine = [r for r in candidates if self.editable(r)]
            candidates = mine if mine else candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _("区域“%(name)s”不存在（可填写行政区划代码或系统中的区域名称）") % {"name": raw}
        return None, _("区域名称“%(name)s”对应多个区域，请填写行政区划代码") % {"name": raw}

    def region_in(self, text) -> Region | None:
        """The region an address names: the whole text, else the most specific region whose full name
        it contains ("临沂市罗庄区罗庄街道沂河路8号" → 罗庄区)."""
        region, _reason = self.region(text)
        if region is not None:
            return region
        key = _key(text)
        if self._by_length is None:
            self._by_length = sorted(((_key(r.name), r) for r in self.regions if len(_key(r.name)) >= 2),
                                     key=lambda pair: len(pair[1].path), reverse=True)
        found = [r for name, r in self._by_length if name in key]
        if not found:
            return None
        deepest = [r for r in found if len(r.path) == len(found[0].path)]
        if len(deepest) > 1:
            mine = [r for r in deepest if self.editable(r)]
            deepest = mine if len(mine) == 1 else deepest
        return deepest[0] if len(deepest) == 1 else None

    def own_city(self, title: str) -> tuple[Region | None, str]:
        """The city "市本级" / "市直" stands for: the one the title names, else the one city in the
        user's scope; (None, reason) when neither tells."""
        title = _key(title)
        cities = [r for r in self.regions if r.level == RegionLevel.CITY]
        named = [r for r in cities if _key(r.name) in title or (len(_key(r.name)) > 2 and _key(r.name).rstrip("市") in title)]
        if len(named) == 1:
            return named[0], ""
        stranger = _TITLE_CITY.search(title)
        if not named and stranger:
            return None, _("标题写的是“%(city)s”，不是系统中的区域，无法确定“市本级”是哪个城市，请选择默认区域") % {
                "city": stranger.group(1)}
        mine = [r for r in cities if self.editable(r)] if self.editable_paths is not None else cities
        if self.editable_paths is not None and not mine:
            # a user of a district: the city above it
            mine = [r for r in cities if any(p.startswith(r.path) for p in self.editable_paths)]
        if len(mine) == 1:
            return mine[0], ""
        return None, _("无法确定“市本级”是哪个城市，请选择默认区域")

    def root_region(self) -> Region | None:
        """The one region the user acts for, as a default; None when they act for several."""
        if self.editable_paths is None:
            tops = [r for r in self.regions if r.parent_id is None]
            return tops[0] if len(tops) == 1 else None
        tops = {p for p in self.editable_paths if not any(p != q and p.startswith(q) for q in self.editable_paths)}
        if len(tops) != 1:
            return None
        return next((r for r in self.regions if r.path == next(iter(tops))), None)

    def level_for(self, region: Region):
        name = {RegionLevel.PROVINCE: "省重点", RegionLevel.CITY: "市重点"}.get(region.level, "县（区）重点")
        return self.levels.get(_key(name))
