"""What figures are grouped by: region (rolled up to a level), lead unit, 牵头/责任单位, category (rolled up
to its top level), level, stage, programme and contact leader.

A dimension turns the raw group values a grouped query returns (a region id, a unit id…) into groups:
a stable key (a region's code, an id), a name, an order and the ledger parameters that open the ledger
on exactly the group's projects. A group's projects are the ledger filter of those parameters
(projects.filtersets.LedgerFilterSet and its narrowings), so a drill-down, the ledger opened from it and
the grouped figure all count the same rows.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuijin.core.exceptions import NotFound
from tuijin.core.parsing import parse_id
from tuijin.org.choices import RegionLevel
from tuijin.org.models import Leader, Region, Unit
from tuijin.projects.filtersets import narrow
from tuijin.projects.models import Category, Level, Program, Project, Stage

from .sources import Grouping

# Region levels a grouping rolls up to, by depth in the region tree (province 1, city 2, 县区 3).
REGION_LEVELS = {"province": 1, "city": 2, "district": 3}
REGION_LEVEL_LABELS = {"province": gettext_lazy("省"), "city": gettext_lazy("市"), "district": gettext_lazy("县（区）")}
LEVEL_DEPTH = {RegionLevel.PROVINCE: 1, RegionLevel.CITY: 2, RegionLevel.DISTRICT: 3, RegionLevel.COUNTY: 3,
               RegionLevel.ZONE: 3}
SELF = "-self"  # a region's own projects without its sub-regions (市本级): "371300-self"
NONE = "none"  # projects without a lead unit


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    sort: tuple
    params: dict = field(default_factory=dict)  # ledger parameters of exactly this group (with the filters')
    linkable: bool = True  # False: the ledger has no filter for it (its drill-down still lists the rows)
    offered: bool = True  # False: the ledger's filter may not offer it to every user (check before linking)


def _codes(path: str) -> list[str]:
    return [code for code in path.split("/") if code]


class Dimension(ABC):
    """The interface every grouping implements (an abstract base: a subclass missing one of the three
    methods cannot be instantiated)."""

    key = ""
    label = ""
    partition = True  # each project in exactly one group: the total is the sum of the groups
    filter_name = ""  # the ledger filter whose value names a group

    def __init__(self, filterset, filters: dict):
        self.filterset = filterset  # the ledger filter the figures were computed with
        self.filters = filters  # its validated values (cleaned_data), for the groups' ledger parameters

    @abstractmethod
    def groupings(self) -> list[Grouping]:
        """The grouped queries' columns (one Grouping, or several whose groups are merged)."""

    @abstractmethod
    def groups(self, raw_values: Iterable) -> dict:
        """{raw value: Group} for the raw values found."""

    @abstractmethod
    def restrict(self, projects, key: str):
        """(Group, the group's projects among `projects`); NotFound for a key naming nothing."""

    def _params(self, obj) -> tuple[dict, bool]:
        """The ledger parameters of a group named by `obj` under the dimension's filter, and whether the
        ledger can show exactly it (not when the filters already name another value of the same filter)."""
        chosen = self.filters.get(self.filter_name)
        if chosen is not None and chosen.pk != obj.pk:
            return {}, False
        return {self.filter_name: obj.pk}, True


class RegionDimension(Dimension):
    key, label = "region", gettext_lazy("区域")
    filter_name = "region"

    def __init__(self, filterset, filters, level: str | None = None):
        super().__init__(filterset, filters)
        self.level = level
        self._regions = None

    def groupings(self):
        return [Grouping("region_id")]

    def regions(self) -> dict[int, tuple]:
        if self._regions is None:
            self._regions = {pk: (code, name, path, level) for pk, code, name, path, level in
                             Region.objects.order_by().values_list("pk", "code", "name", "path", "level")}
        return self._regions

    def depth(self, raw_values) -> int:
        """The chosen level's depth; by default one below the regions' common ancestor (or the filtered
        region), within province / city / 县区."""
        if self.level:
            return REGION_LEVELS[self.level]
        regions = self.regions()
        chosen = self.filters.get("region")
        if chosen is not None:
            return min(len(_codes(chosen.path)) + 1, 3)
        paths = [_codes(regions[pk][2]) for pk in raw_values if pk in regions]
        if not paths:
            return 3
        common = 0
        for codes in zip(*paths, strict=False):
            if len(set(codes)) != 1:
                break
            common += 1
        return min(max(common + 1, 2), 3)

    def groups(self, raw_values):
        raw_values = [v for v in raw_values if v is not None]
        regions = self.regions()
        by_code = {code: (pk, name, path) for pk, (code, name, path, _level) in regions.items()}
        depth = self.depth(raw_values)
        result = {}
        for pk in raw_values:
            code, name, path, _level = regions[pk]
            codes = _codes(path)
            if len(codes) >= depth:
                target = codes[depth - 1]
                target_pk, target_name, target_path = by_code[target]
                result[pk] = self._subtree_group(target_pk, target, target_name, target_path)
            else:
                result[pk] = self._own_group(pk, code, name, path)
        return result

    def _subtree_group(self, pk, code, name, path) -> Group:
        chosen = self.filters.get("region")
        # Under a chosen region the group is its part of it: the deeper of the two names the rows.
        target = chosen.pk if chosen is not None and chosen.path.startswith(path) else pk
        # The ledger's region filter offers the regions below the province.
        return Group(code, name, (path, 1), {"region": target}, linkable=len(_codes(path)) > 1 or chosen is not None)

    def _own_group(self, pk, code, name, path) -> Group:
        params = {"own_region": pk}
        return Group(f"{code}{SELF}", _("%(name)s本级") % {"name": name}, (path, 0), params)

    def restrict(self, projects, key):
        own = key.endswith(SELF)
        code = key[: -len(SELF)] if own else key
        region = Region.objects.filter(code=code).only("pk", "code", "name", "path").first()
        if region is None:
            raise NotFound(key)
        if own:
            return self._own_group(region.pk, region.code, region.name, region.path), narrow(projects, "own_region", region.pk)
        group = self._subtree_group(region.pk, region.code, region.name, region.path)
        return group, self.filterset.filter_region(projects, "region", region)


class ModelDimension(Dimension):
    """A dimension over one model: the group value is its id."""

    model = None
    lookup = ""
    keep_empty = False
    none_name = ""

    def groupings(self):
        return [Grouping(self.lookup, keep_empty=self.keep_empty)]

    def _objects(self, pks):
        return self.model.objects.filter(pk__in=pks)

    def _group(self, obj) -> Group:
        params, linkable = self._params(obj)
        if getattr(obj, "is_active", True) is False:
            linkable = False  # the ledger's filter offers active entries only
        return Group(str(obj.pk), self._name(obj), self._sort(obj), params, linkable)

    def _name(self, obj) -> str:
        return obj.name

    def _sort(self, obj) -> tuple:
        return (getattr(obj, "sort", 0), obj.pk)

    def _none_group(self) -> Group:
        return Group(NONE, str(self.none_name), (), {}, False)

    def groups(self, raw_values):
        pks = [v for v in raw_values if v is not None]
        objects = {obj.pk: obj for obj in self._objects(pks)}
        result = {pk: self._group(objects[pk]) for pk in pks if pk in objects}
        if None in raw_values and self.keep_empty:
            result[None] = self._none_group()
        return result

    def restrict(self, projects, key):
        if key == NONE and self.keep_empty:
            return self._none_group(), projects.filter(**{f"{self.lookup}__isnull": True})
        pk = parse_id(key)
        obj = self._objects([pk]).first() if pk is not None else None
        if obj is None:
            raise NotFound(key)
        return self._group(obj), self._apply(projects, obj)

    def _apply(self, projects, obj):
        return self.filterset.filters[self.filter_name].filter(projects, obj)


class LeadUnitDimension(ModelDimension):
    key, label = "lead_unit", gettext_lazy("牵头单位")
    model, lookup, filter_name = Unit, "lead_unit_id", "lead_unit"
    keep_empty, none_name = True, gettext_lazy("（未指定牵头单位）")

    def _objects(self, pks):
        return Unit.objects.filter(pk__in=pks).select_related("region").only("pk", "name", "region__path")

    def _sort(self, obj):
        return (obj.region.path, obj.name)

    def _params(self, obj):
        return {"lead_unit": obj.pk}, True  # a narrowing: it combines with any unit filter

    def _apply(self, projects, obj):
        return narrow(projects, "lead_unit", obj.pk)


class UnitDimension(ModelDimension):
    """牵头/责任单位: the units that lead a project or are responsible for it (the ledger's unit filter)."""

    key, label = "responsible_unit", gettext_lazy("牵头/责任单位")
    model, filter_name = Unit, "unit"
    partition = False

    def groupings(self):
        return [Grouping("lead_unit_id"), Grouping("responsible_links__unit_id", exclude_equal="lead_unit_id")]

    def _objects(self, pks):
        return Unit.objects.filter(pk__in=pks).select_related("region").only("pk", "name", "is_active", "region__path")

    def _sort(self, obj):
        return (obj.region.path, obj.name)

    def _group(self, obj) -> Group:
        # The ledger offers a user the units of their regions that lead projects or are not owners.
        group = super()._group(obj)
        return Group(group.key, group.name, group.sort, group.params, group.linkable, offered=False)


class CategoryDimension(ModelDimension):
    """项目类别 rolled up to its top-level categories (each with its whole subtree)."""

    key, label = "category", gettext_lazy("项目类别")
    model, lookup, filter_name = Category, "category_id", "category"

    def groups(self, raw_values):
        categories = {pk: (parent, name, sort) for pk, parent, name, sort in
                      Category.objects.order_by().values_list("pk", "parent_id", "name", "sort")}
        result = {}
        for pk in raw_values:
            if pk is None or pk not in categories:
                continue
            root = pk
            while categories[root][0] is not None:
                root = categories[root][0]
            _parent, name, sort = categories[root]
            result[pk] = self._root_group(root, name, sort)
        return result

    def _root_group(self, pk, name, sort) -> Group:
        chosen = self.filters.get("category")
        # Under a chosen category (always inside one top-level category) the group is the chosen one.
        return Group(str(pk), name, (sort, pk), {"category": chosen.pk if chosen is not None else pk})

    def restrict(self, projects, key):
        pk = parse_id(key)
        category = Category.objects.filter(pk=pk, parent__isnull=True).first() if pk is not None else None
        if category is None:
            raise NotFound(key)
        return self._root_group(category.pk, category.name, category.sort), self.filterset.filter_category(
            projects, "category", category)


class LevelDimension(ModelDimension):
    key, label = "level", gettext_lazy("项目级别")
    model, lookup, filter_name = Level, "level_id", "level"


class StageDimension(ModelDimension):
    key, label = "stage", gettext_lazy("项目阶段")
    model, lookup, filter_name = Stage, "stage_id", "stage"


class ProgramDimension(ModelDimension):
    key, label = "program", gettext_lazy("专项行动")
    model, lookup, filter_name = Program, "programs", "program"
    partition = False


class LeaderDimension(ModelDimension):
    key, label = "leader", gettext_lazy("联系领导")
    model, lookup, filter_name = Leader, "leader_links__leader_id", "leader"
    partition = False

    def _name(self, obj):
        return str(obj)


DIMENSIONS = {d.key: d for d in (RegionDimension, LeadUnitDimension, UnitDimension, CategoryDimension,
                                 LevelDimension, StageDimension, ProgramDimension, LeaderDimension)}


def dimension_choices() -> list[tuple[str, str]]:
    return [(key, str(d.label)) for key, d in DIMENSIONS.items()]


def make(key: str, filterset, filters: dict, region_level: str | None = None) -> Dimension:
    cls = DIMENSIONS[key]
    if cls is RegionDimension:
        return RegionDimension(filterset, filters, region_level)
    return cls(filterset, filters)


class ProjectDimension(ModelDimension):
    """Each project on its own (a scheme that ranks projects, 十快十慢): the group value is its id. The
    ledger has no filter for one project, so a group is not linkable; its drill-down lists its rows."""

    key, label = "project", gettext_lazy("项目")
    model, lookup = Project, "id"

    def _objects(self, pks):
        return Project.objects.filter(pk__in=pks).only("pk", "name")

    def _sort(self, obj):
        return (obj.pk,)

    def _params(self, obj):
        return {}, False

    def _apply(self, projects, obj):
        return projects.filter(pk=obj.pk)


DIMENSIONS[ProjectDimension.key] = ProjectDimension
