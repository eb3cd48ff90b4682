"""Assemble a bulletin's content (document.Document) for a period and an audience from the figures
layer, the published rankings, the warnings and the problems — never computing a figure itself.

Sections (FACTS §4, the composite template): 一、总体情况, 二、分类情况, 三、各地各部门完成情况及排名 (with
the published boards of the period), 四、预警及滞后项目, 五、存在问题, 六、下一步工作 (the office's text),
then the 附件 tables. The office's own text of each section follows its generated content.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from tuijin.figures import selectors as figures
from tuijin.figures.periods import Period
from tuijin.figures.registry import COMPONENT_LABELS
from tuijin.org.choices import RegionLevel
from tuijin.org.models import Region
from tuijin.scoring import ranks

from . import narrative as say
from .choices import SECTIONS
from .document import Document, Image, Paragraph, Section, Table

# The figures a comparison table prints, in its column order.
TABLE_KEYS = ("projects", "annual_plan", "completed", "plan_rate", "deviation_points")
REGION_KEYS = ("projects", "total_investment", "annual_plan", "completed", "plan_rate", "time_progress",
               "deviation_points", "planned_starts", "started", "start_rate")
UNIT_TABLE_ROWS = 60  # the lead units' ranking table, up to a city's departments and districts
WARNING_ROWS = 20  # the body lists the 20 red projects furthest behind
WARNING_ANNEX_ROWS = 300  # the annex the first 300 warned ones (a province has thousands: the warnings list exports them)
PLACE = {RegionLevel.PROVINCE: "全省", RegionLevel.CITY: "全市", RegionLevel.DISTRICT: "全区",
         RegionLevel.COUNTY: "全县", RegionLevel.ZONE: "全区"}


@dataclass
class Spec:
    """What the office chose: the period, the audience and the texts (a Bulletin's fields)."""

    period: Period
    region: Region
    title: str = ""
    issuer: str = ""
    issued_on: date | None = None
    number: str = ""
    main_to: str = ""
    copy_to: str = ""
    red_header: bool = True
    opening: str = ""
    texts: dict = field(default_factory=dict)
    corrects: str = ""


@dataclass
class Assembly:
    document: Document
    headline: dict        # the total's figures as `tuijin stats --json` prints them, plus the unit
    basis: str            # 截至2026年10月，已审核填报
    filters: dict         # the ledger filters every figure was computed with


def place_word(region: Region) -> str:
    """全市 for the office's own city; a district's edition names it: 全县 / 全区."""
    return PLACE.get(region.level, region.name)


def default_title(period: Period, region: Region) -> str:
    return _("关于%(y)s年%(span)s%(place)s重点项目建设情况的通报") % {
        "y": period.year, "span": period.span_label, "place": place_word(region)}


def default_issuer(region: Region) -> str:
    return _("%(name)s重点项目建设推进办公室") % {"name": region.name}


def date_text(day: date | None) -> str:
    day = day or timezone.localdate()
    return _("%(y)s年%(m)s月%(d)s日") % {"y": day.year, "m": day.month, "d": day.day}


def _paragraphs(text: str) -> list[Paragraph]:
    return [Paragraph(line.strip()) for line in (text or "").splitlines() if line.strip()]


def _table_row(name: str, values: dict, keys, unit) -> list[str]:
    cells = [name]
    for key in keys:
        value = values.get(key)
        kind = figures.FIGURES[key].kind
        if kind == "money":
            cells.append(say.money(value, unit))
        elif kind == "rate":
            cells.append(say.rate(value))
        elif kind == "points":
            cells.append(say.points(value))
        else:
            cells.append(say.count(value))
    return cells


def _headers(keys, unit) -> list[str]:
    headers = []
    for key in keys:
        figure = figures.FIGURES[key]
        label = str(figure.label)
        headers.append(f"{label}（{unit.name}）" if figure.kind == "money" else
                       f"{label}（个百分点）" if figure.kind == "points" else label)
    return headers


def figure_table(title: str, first: str, table, keys, unit, *, ranked: bool = False, note: str = "") -> Table:
    """A FigureTable (one row per group and the 合计) as a bulletin table; `ranked` adds 排名 by 年计划完成率
    (ties share the better rank)."""
    rows = [_table_row(g.name, g.values, keys, unit) for g in table.groups]
    columns = [first, *_headers(keys, unit)]
    if ranked:
        positions = ranks.competition_ranks([g.values.get("plan_rate") for g in table.groups])
        order = sorted(range(len(rows)), key=lambda i: (positions[i] is None, positions[i] or 0))
        rows = [[*rows[i], str(positions[i]) if positions[i] is not None else "—"] for i in order]
        columns.append(_("排名"))
    totals = [_("合计"), *_table_row("", table.total.values, keys, unit)[1:]]
    if ranked:
        totals.append("")
    return Table(title, columns, rows, totals, [False] + [True] * (len(columns) - 1), note=note)


class Assembler:
    """One assembly: the figures are asked once per grouping and reused by sentences and tables."""

    def __init__(self, user, spec: Spec, today: date | None = None):
        self.user = user
        self.spec = spec
        self.period = spec.period
        self.today = today or timezone.localdate()
        # The audience as the ledger's region filter; the top region (a province's own bulletin) is every
        # project, and the ledger's filter offers only the regions below it.
        self.filters = {"region": spec.region.pk} if spec.region.parent_id is not None else {}
        self.place = place_word(spec.region)

    def figures(self, group_by=None, keys=None, **kwargs):
        return figures.figures(self.user, period=self.period, group_by=group_by, filters=self.filters,
                               keys=keys, today=self.today, **kwargs)

    def run(self) -> Assembly:
        self.total_table = self.figures()
        total = self.total_table.total.values
        self.unit = say.unit_for([total.get("annual_plan"), total.get("completed")])
        self.has_reports = self.total_table.basis.as_of is not None and bool(total.get("completed"))
        self.regions = self.figures("region", REGION_KEYS)
        self.units = self.figures("lead_unit", TABLE_KEYS)
        annexes: list[Table] = []
        sections = {
            "overview": self.overview(),
            "categories": self.categories(),
            "rankings": self.rankings(),
            "warnings": self.warnings(annexes),
            "problems": self.problems(),
            "next_steps": [],
        }
        region_annex = figure_table(_("各地重点项目建设情况表"), _("地区"), self.regions, REGION_KEYS, self.unit,
                                    ranked=True, note=self.total_table.label)
        region_annex.landscape = True
        annexes.insert(0, region_annex)
        body = []
        for key, heading in SECTIONS:
            blocks = sections[key] + _paragraphs(self.spec.texts.get(key, ""))
            if blocks:
                body.append(Section(key, str(heading), blocks))
        spec = self.spec
        document = Document(
            title=spec.title or default_title(self.period, spec.region), number=spec.number,
            issuer=spec.issuer or default_issuer(spec.region), date=date_text(spec.issued_on),
            sections=body, main_to=spec.main_to, copy_to=spec.copy_to, red_header=spec.red_header,
            opening=spec.opening, corrects=spec.corrects, annexes=annexes)
        headline = {**self.total_table.total.as_json(), "unit": self.unit.name, "period": self.period.key,
                    "region": spec.region.code, "basis": self.total_table.label}
        return Assembly(document, headline, self.total_table.label, dict(self.filters))

    # -------------------------------------------------------------------------------- sections

    def overview(self) -> list:
        values = self.total_table.total.values
        stages = values.get("projects_by_stage") or {}
        stage_counts = [(str(COMPONENT_LABELS[f"stage_{k}"]), n) for k, n in stages.items()]
        has_reports = self.has_reports
        blocks = [Paragraph(say.scale_sentence(self.place, _("重点项目"), values, self.unit, stage_counts))]
        for text in (say.completion_sentence(self.period.span_label, values, self.unit, has_reports=has_reports),
                     say.starts_sentence(values) if values.get("projects") else "",
                     say.completions_sentence(values) if values.get("projects") else "",
                     say.reporting_sentence(values)):
            if text:
                blocks.append(Paragraph(text))
        blocks.append(Paragraph(_("注：%(basis)s；金额单位为%(unit)s。") % {"basis": self.total_table.label,
                                                                      "unit": self.unit.name}, "note"))
        return blocks

    def categories(self) -> list:
        blocks: list = []
        for by, lead, first in (("category", _("分类别看"), _("项目类别")), ("stage", _("分阶段看"), _("项目阶段")),
                                ("level", _("分级别看"), _("项目级别"))):
            table = self.figures(by, TABLE_KEYS)
            if len(table.groups) < 2:
                continue
            # 交通 → 交通类(项目); a category already called 产业发展类 keeps its name.
            names = [g.name if by != "category" or g.name.endswith("类") else g.name + _("类") for g in table.groups]
            rows = list(zip(names, [g.values for g in table.groups], strict=True))
            text = say.groups_sentence(lead, rows, self.unit, has_reports=self.has_reports)
            best = say.best_sentence(_("项目"), [(name, values.get("plan_rate")) for name, values in rows]) \
                if by == "category" and self.has_reports else ""
            if text:
                blocks.append(Paragraph(text + best))
            blocks.append(figure_table(_("按%(what)s统计") % {"what": first}, first, table, TABLE_KEYS, self.unit))
        return blocks

    def rankings(self) -> list:
        blocks: list = []
        for table, noun, first in ((self.regions, _("地区"), _("地区")), (self.units, _("牵头单位"), _("牵头单位"))):
            groups = [g for g in table.groups]
            if len(groups) < 2:
                continue
            positions = ranks.competition_ranks([g.values.get("plan_rate") for g in groups])
            ordered = sorted(zip(positions, groups, strict=True), key=lambda p: (p[0] is None, p[0] or 0))
            ranked = [(g.name, g.values.get("plan_rate"), g.values.get("deviation_points")) for _p, g in ordered]
            blocks.append(Paragraph(say.standing_sentence(noun, ranked) if self.has_reports else
                                    _("各%(noun)s尚无计入统计的投资完成数据。") % {"noun": noun}))
            if table is self.regions:
                blocks.append(figure_table(_("各地重点项目完成情况及排名"), first, table, TABLE_KEYS, self.unit,
                                           ranked=True))
            elif len(groups) <= UNIT_TABLE_ROWS:  # a province's hundreds of lead units: the sentence only
                blocks.append(figure_table(_("各牵头单位重点项目完成情况及排名"), first, table, TABLE_KEYS,
                                           self.unit, ranked=True))
        chart = self.groups_chart()
        if chart is not None:
            blocks.append(chart)
        blocks.extend(self.boards())
        return blocks

    def groups_chart(self) -> Image | None:
        groups = [g for g in self.regions.groups if g.values.get("plan_rate") is not None][:40]
        if len(groups) < 2 or not self.has_reports:
            return None
        from . import charts

        png = charts.groups_chart([g.name for g in groups], [g.values["plan_rate"] for g in groups],
                                  self.regions.total.values.get("time_progress"))
        return Image(png, _("图：各地年计划完成率与序时进度（%(span)s）") % {"span": self.period.span_label})

    def boards(self) -> list:
        """The period's published boards (红黑榜, 十快十慢) of the schemes whose subjects are in the audience."""
        from tuijin.scoring.choices import RunState
        from tuijin.scoring.models import Result, Run
        from tuijin.scoring.schemes import board_labels

        blocks: list = []
        runs = (Run.objects.filter(state=RunState.PUBLISHED, period_end=self.period.end).select_related("scheme")
                .order_by("scheme__name", "id"))
        for run in runs:
            results = sorted(Result.objects.filter(run=run).exclude(board=""),
                             key=lambda r: (r.series_sort, r.board != "red", r.rank or 0, r.subject_name))
            if not results:
                continue
            labels = board_labels(run.snapshot.get("config") or run.scheme.config)
            number = _("%(y)s年第%(n)s期") % {"y": run.year, "n": run.number}
            rows = [[r.series, labels.get(r.board, r.board), r.subject_name, str(r.rank or "—"), str(r.total)]
                    for r in results]
            blocks.append(Paragraph(_("根据《%(scheme)s》（%(number)s）考核结果：%(lists)s。") % {
                "scheme": run.scheme.name, "number": number,
                "lists": "；".join(f"{labels[b]}：{'、'.join(r.subject_name for r in results if r.board == b)}"
                                  for b in ("red", "black") if any(r.board == b for r in results))}))
            blocks.append(Table(_("%(scheme)s上榜名单") % {"scheme": run.scheme.name},
                                [_("序列"), _("榜单"), _("对象"), _("名次"), _("得分")], rows, None,
                                [False, False, False, True, True]))
        return blocks

    def warnings(self, annexes: list) -> list:
        from tuijin.alerts.choices import Dimension
        from tuijin.alerts.models import Alert, LightSnapshot, PeriodLight
        from tuijin.projects.choices import Light
        from tuijin.projects.models import ProjectLeader

        projects = figures.projects_of(self.user, period=self.period, filters=self.filters)
        by_project: dict[int, dict] = {}
        # The lights as of the bulletin's month when they were recorded (alerts.LightSnapshot: judged while
        # that month's figures were the latest), else today's.
        snapshot = LightSnapshot.objects.filter(period__ends_on=self.period.end).order_by("-period_id").first()
        if snapshot is not None:
            for pid, level, reason, dimensions, lag in (
                    PeriodLight.objects.filter(snapshot=snapshot, project__in=projects.values("pk"))
                    .values_list("project_id", "light", "reason", "dimensions", "lag")):
                by_project[pid] = {"level": level, "reasons": [reason], "lag": lag,
                                   "kinds": [str(Dimension(d).label) for d in dimensions.split(",") if d]}
            when = _("%(m)s月底") % {"m": self.period.last_month}
        else:
            for alert in (Alert.objects.active().filter(project__in=projects.values("pk"), level__gte=Light.YELLOW)
                          .values("project_id", "level", "dimension", "reason", "value")):
                entry = by_project.setdefault(alert["project_id"], {"level": 0, "reasons": [], "kinds": [], "lag": None})
                entry["level"] = max(entry["level"], alert["level"])
                entry["reasons"].append(alert["reason"])
                entry["kinds"].append(str(Dimension(alert["dimension"]).label))
                if alert["dimension"] == Dimension.INVESTMENT_LAG:
                    entry["lag"] = alert["value"]
            when = _("%(m)s月%(d)s日") % {"m": self.today.month, "d": self.today.day}
        red = sum(1 for e in by_project.values() if e["level"] == Light.RED)
        yellow = len(by_project) - red
        blocks: list = [Paragraph(say.warnings_sentence(when, red, yellow))]
        if not by_project:
            return blocks
        info = {p["pk"]: p for p in projects.filter(pk__in=list(by_project)).values(
            "pk", "name", "region__name", "lead_unit__name")}
        leaders: dict[int, list[str]] = {}
        for pid, name in (ProjectLeader.objects.filter(project_id__in=list(by_project))
                          .order_by("project_id", "id").values_list("project_id", "leader__name")):
            leaders.setdefault(pid, []).append(name)
        ordered = sorted(by_project.items(), key=lambda item: (-item[1]["level"], item[1]["lag"] is None,
                                                              -(item[1]["lag"] or 0), info[item[0]]["name"]))
        light = {Light.RED: _("红灯"), Light.YELLOW: _("黄灯")}

        def row(number, pid, entry, detail):
            what = "；".join(dict.fromkeys(entry["reasons"] if detail else entry["kinds"]))
            return [str(number), info[pid]["name"], info[pid]["region__name"] or "", str(light[entry["level"]]),
                    str(entry["lag"]) if entry["lag"] is not None else "—", what, info[pid]["lead_unit__name"] or "",
                    "、".join(leaders.get(pid, []))]

        numeric = [True, False, False, False, True, False, False, False]
        head = [_("序号"), _("项目名称"), _("地区"), _("预警"), _("滞后（个百分点）")]
        tail = [_("牵头单位"), _("联系领导")]
        # The body names the red ones (the first WARNING_ROWS of them) by what they are warned of; the
        # annex the first WARNING_ANNEX_ROWS red and yellow ones with the warnings' own words.
        reds = [(pid, e) for pid, e in ordered if e["level"] == Light.RED][:WARNING_ROWS]
        if reds:
            note = _("本表列出滞后最多的%(n)s个红灯项目，预警原因见附件。") % {"n": len(reds)}
            blocks.append(Table(_("红灯预警项目"), [*head, _("预警事项"), *tail],
                                [row(i, pid, e, False) for i, (pid, e) in enumerate(reds, 1)], None, numeric, note=note))
        listed = ordered[:WARNING_ANNEX_ROWS]
        note = (_("本表列出滞后最多的%(n)s个预警项目（红灯在前），全部%(all)s个可在“预警”页面导出。")
                % {"n": len(listed), "all": len(ordered)} if len(ordered) > len(listed) else "")
        annexes.append(Table(_("预警项目清单"), [*head, _("预警原因"), *tail],
                             [row(i, pid, e, True) for i, (pid, e) in enumerate(listed, 1)], None, numeric,
                             landscape=True, note=note))
        return blocks

    def problems(self) -> list:
        rows, total = figures.problems_by_type(self.user, period=self.period, filters=self.filters, today=self.today)
        values = self.total_table.total.values
        month = _("%(m)s月") % {"m": self.period.last_month}
        new = total.new if self.period.kind == "month" else None
        blocks: list = [Paragraph(say.problems_sentence(self.period.span_label, values, new, month)
                                  + say.causes_sentence([(r.name, r.total) for r in rows]))]
        if rows:
            table_rows = [[r.name, str(r.total), str(r.new), str(r.open), str(r.closed), say.rate(r.rate)] for r in rows]
            totals = [_("合计"), str(total.total), str(total.new), str(total.open), str(total.closed), say.rate(total.rate)]
            blocks.append(Table(_("问题分类及办理情况"), [_("问题类型"), _("问题数"), _("本期新增"), _("推进中"),
                                                 _("已销号"), _("办结率")], table_rows, totals,
                                [False, True, True, True, True, True]))
        return blocks


def assemble(user, spec: Spec, today: date | None = None) -> Assembly:
    """The bulletin's content; in Chinese whatever the language of the page that asks (a 公文 is Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return Assembler(user, spec, today).run()


def next_number(region: Region, year: int) -> int:
    from .models import Bulletin

    last = Bulletin.objects.filter(region=region, year=year).aggregate(n=Max("number"))["n"]
    return (last or 0) + 1
