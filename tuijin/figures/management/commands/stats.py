"""`tuijin stats --period 2026-10 --by region [--filter level=省重点 …] [--json] [--explain FIGURE --group KEY]`:
the figures (统计分析) from the command line — the same selectors as the 统计分析 page."""

import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError

from tuijin.core.exceptions import NotFound
from tuijin.core.management.acting import acting_user
from tuijin.core.parsing import parse_id
from tuijin.figures import selectors
from tuijin.figures.dimensions import DIMENSIONS, REGION_LEVELS
from tuijin.figures.registry import COMPONENT_LABELS, FIGURES, MONEY, display, display_part
from tuijin.org.models import Leader, Region, Unit
from tuijin.projects.choices import Light
from tuijin.projects.models import Category, Level, Program, Stage

BAD_INPUT = 2  # the exit status of a malformed argument (as argparse's own usage errors)

# The ledger filters the command takes: name → (Chinese name, model looked up by name; None: text).
FILTERS = {
    "region": ("区域", Region), "level": ("级别", Level), "category": ("类别", Category), "stage": ("阶段", Stage),
    "program": ("专项行动", Program), "unit": ("牵头/责任单位", Unit), "leader": ("联系领导", Leader),
    "lead_unit": ("牵头单位", Unit), "own_region": ("本级区域", Region), "light": ("预警", None), "q": ("关键词", None),
}
LIGHTS = {str(label): str(value) for value, label in Light.choices}
# The columns of the table printed without --json.
TEXT_KEYS = ("projects", "total_investment", "annual_plan", "completed", "plan_rate", "time_progress",
             "deviation_points", "start_rate", "work_rate", "completion_rate", "milestone_rate", "approval_rate",
             "problem_close_rate", "on_time_rate", "completed_yoy")


def bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_INPUT)


def _named(label: str, model, value: str) -> str:
    """The id of the entry called `value` (or with that id; a region also by its code)."""
    if parse_id(value) is not None and model.objects.filter(pk=int(value)).exists():
        return value
    found = model.objects.filter(name=value)
    if model is Region:
        found = Region.objects.filter(name=value) | Region.objects.filter(code=value)
    ids = list(found.values_list("pk", flat=True)[:10])
    if not ids:
        raise bad(f"{label}“{value}”不存在")
    if len(ids) > 1:
        hint = "、".join(Region.objects.filter(pk__in=ids).values_list("code", flat=True)) if model is Region \
            else "、".join(str(pk) for pk in ids)
        raise bad(f"{label}“{value}”有{len(ids)}个，请改用编号：{hint}")
    return str(ids[0])


def parse_filters(items) -> dict:
    filters: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise bad(f"筛选条件“{item}”应写作 名称=值，如 level=省重点")
        if name not in FILTERS:
            raise bad(f"未知的筛选条件“{name}”，可用：" + "、".join(f"{key}（{label}）" for key, (label, _m) in FILTERS.items()))
        label, model = FILTERS[name]
        if model is not None:
            value = _named(label, model, value)
        elif name == "light":
            value = LIGHTS.get(value, value)
        filters[name] = value
    return filters


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int, right: bool = False) -> str:
    gap = " " * max(size - width(text), 0)
    return gap + text if right else text + gap


class Command(BaseCommand):
    help = "统计分析：按区域、单位、类别、级别、阶段、专项或联系领导分组的投资完成、序时进度、开工率等指标（--explain 列出某个数字由哪些项目算得）"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="统计期：2026-10（月）、2026-Q3（季度）、2026-H1（半年）或 2026（年）")
        parser.add_argument("--by", help="分组：" + "、".join(f"{k}（{d.label}）" for k, d in DIMENSIONS.items()))
        parser.add_argument("--region-level", help="区域汇总到的层级：" + "、".join(REGION_LEVELS))
        parser.add_argument("--filter", action="append", metavar="名称=值",
                            help="台账的筛选条件，可多次使用，如 level=省重点、region=兰山区、unit=临沂市交通运输局")
        parser.add_argument("--figures", help="只计算这些指标（逗号分隔的指标键）")
        parser.add_argument("--explain", metavar="FIGURE", help="列出该指标由哪些项目（及填报、节点、手续、问题）算得")
        parser.add_argument("--group", help="与 --explain 同用：分组的键（如区划代码 371302）或名称；不填为合计")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")
        parser.add_argument("--user", help="以该用户的数据范围统计（默认：系统，全部项目）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        filters = parse_filters(options["filter"])
        keys = [k.strip() for k in options["figures"].split(",") if k.strip()] if options["figures"] else None
        try:
            if options["explain"]:
                self._explain(user, options, filters)
                return
            if options["group"]:
                raise bad("--group 须与 --explain 同用")
            table = selectors.figures(user, period=options["period"], group_by=options["by"], filters=filters,
                                      keys=keys, region_level=options["region_level"])
        except selectors.FiguresError as exc:
            raise bad(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(table.as_json(), ensure_ascii=False))
        else:
            self.stdout.write(self._table(table))

    def _group_key(self, user, options, filters) -> str | None:
        group = options["group"]
        if not group or group == "total":
            return None
        if not options["by"]:
            raise bad("--group 须与 --by 同用（分组方式）")
        table = selectors.figures(user, period=options["period"], group_by=options["by"], filters=filters,
                                  keys=["projects"], region_level=options["region_level"])
        for g in table.groups:
            if group in (g.key, g.name):
                return g.key
        return group  # not among the user's groups: explain says it is not found

    def _explain(self, user, options, filters):
        key = self._group_key(user, options, filters)
        try:
            found = selectors.explain(user, options["explain"], key, period=options["period"], filters=filters,
                                      group_by=options["by"], region_level=options["region_level"])
        except NotFound as exc:
            raise bad(f"分组“{options['group']}”不存在或不在您的数据范围内") from exc
        if options["json"]:
            self.stdout.write(json.dumps(found.as_json(), ensure_ascii=False))
            return
        figure = found.figure
        where = found.group.name if found.group is not None else "合计"
        lines = [f"{figure.label} · {where}：{display(found.value, figure.kind)}", found.label, str(figure.definition), ""]
        columns = [str(COMPONENT_LABELS[p]) for p in figure.parts]
        lines.append("  ".join([pad("项目", 30), pad("区域", 10), *(pad(c, 14, True) for c in columns), "依据"]))
        for row in found.rows:
            cells = [pad(display_part(row.parts.get(p)), 14, True) for p in figure.parts]
            basis = "；".join(item["text"] for item in row.items)
            lines.append("  ".join([pad(row.name[:15], 30), pad(row.region, 10), *cells, basis]))
        totals = [pad(display_part(found.totals.get(p)), 14, True) for p in figure.parts]
        lines.append("  ".join([pad("合计", 30), pad("", 10), *totals]))
        self.stdout.write("\n".join(lines))

    @staticmethod
    def _table(table) -> str:
        keys = [k for k in TEXT_KEYS if k in table.keys]
        first = str(table.dimension.label) if table.dimension is not None else "范围"
        header = [pad(first, 18)] + [pad(str(FIGURES[k].label), 14, True) for k in keys]
        lines = [table.label + ("（金额单位：万元）" if any(FIGURES[k].kind == MONEY for k in keys) else ""), "  ".join(header)]
        for group in [*table.groups, table.total]:
            cells = [pad(display(group.get(k), FIGURES[k].kind), 14, True) for k in keys]
            lines.append("  ".join([pad(group.name[:9], 18), *cells]))
        if "deviation_points" in keys and table.total.get("deviation_points") is not None:
            lines += ["", f"合计：年计划完成率{table.total['plan_rate']}%，{table.total.deviation_text}"]
        return "\n".join(lines)
