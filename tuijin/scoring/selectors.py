"""Reads of the scoring app: schemes, runs and results as each role may see them, subjects by kind,
and a scheme's document for export. A subject is (kind, id): a scheme's 序列 may rank regions and
units side by side, whose ids may coincide."""

from collections import defaultdict

from django.db.models import Q

from tuijin.org.choices import Role
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import is_office, subtrees_q, user_access
from tuijin.projects.models import Project

from .choices import RunState, SubjectKind
from .compute import parse_key, subject_key
from .models import Result, Run, Scheme

# Who may hand in a judge's sheet (观摩 on-site scoring, 擂台赛): the office, leaders and inspectors.
JUDGE_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.INSPECTOR)
# Who sees every published result: the office, leaders and inspectors. Everyone else (a district's
# clerk, a handling unit) sees the published boards and the rows of their own place.
SEE_ALL_ROLES = (Role.ADMIN, Role.DISPATCHER, Role.LEADER, Role.INSPECTOR)

_MODELS = {SubjectKind.REGION: Region, SubjectKind.LEAD_UNIT: Unit, SubjectKind.RESPONSIBLE_UNIT: Unit,
           SubjectKind.LEADER: Leader, SubjectKind.PROJECT: Project}


def subject_model(kind: str):
    return _MODELS[kind]


def subject_names(kind: str, ids) -> dict[int, str]:
    model = subject_model(kind)
    return dict(model.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def subject_choices(kind: str):
    """The candidates the editor offers for a 序列 of this kind."""
    model = subject_model(kind)
    queryset = model.objects.all()
    if model is Project:
        queryset = Project.objects.admitted().filter(is_archived=False)
    return queryset.order_by("pk").values_list("pk", "name")


def scheme_subjects(scheme: Scheme) -> set[tuple[str, int]]:
    """Every (kind, id) the scheme's 序列 rank."""
    return {(s.get("kind"), m) for s in (scheme.config or {}).get("series", []) for m in s.get("members", [])}


def run_kinds(run: Run) -> list[str]:
    """The kinds of subject a run ranked, in its 序列's order."""
    series = (run.snapshot.get("config") or {}).get("series", [])
    return list(dict.fromkeys(s.get("kind") for s in series if s.get("kind"))) or run.snapshot.get("kinds", [])


def sees_everything(user) -> bool:
    return user_access(user).has_role(*SEE_ALL_ROLES)


def schemes_visible_to(user):
    if is_office(user):
        return Scheme.objects.all()
    if not user_access(user).grants and not getattr(user, "is_superuser", False):
        return Scheme.objects.none()
    return Scheme.objects.filter(runs__state=RunState.PUBLISHED).distinct()


def runs_visible_to(user):
    """Drafts only to the office; published runs to every signed-in user with a place."""
    if is_office(user):
        return Run.objects.all()
    if not user_access(user).grants and not getattr(user, "is_superuser", False):
        return Run.objects.none()
    return Run.objects.filter(state=RunState.PUBLISHED)


def own_subject_ids(user, kind: str) -> set[int]:
    """The subjects that are the user's own place: their region (and below), their unit, the projects
    their unit leads or is responsible for."""
    access = user_access(user)
    if kind == SubjectKind.REGION:
        paths = {g.region_path for g in access.grants}
        return set(Region.objects.filter(subtrees_q(paths)).values_list("pk", flat=True)) if paths else set()
    if kind in (SubjectKind.LEAD_UNIT, SubjectKind.RESPONSIBLE_UNIT):
        return set(access.unit_ids([g.role for g in access.grants]))
    if kind == SubjectKind.PROJECT:
        return set(Project.objects.visible_to(user).values_list("pk", flat=True))
    if kind == SubjectKind.LEADER:
        return set(Leader.objects.filter(user=user).values_list("pk", flat=True))
    return set()


def results_visible_to(user, run: Run):
    """The lines of a run this user may read: all of them for the office, leaders and inspectors;
    for others the board lines and their own."""
    results = Result.objects.filter(run=run)
    if sees_everything(user):
        return results
    own = Q(board__in=["red", "black"])
    for kind in run_kinds(run):
        own |= Q(subject_kind=kind, subject_id__in=own_subject_ids(user, kind))
    return results.filter(own)


def previous_ranks(scheme: Scheme, before) -> dict[tuple[str, int], int]:
    """Each subject's rank in the scheme's last published run before this period."""
    last = (Run.objects.filter(scheme=scheme, state=RunState.PUBLISHED, period_end__lt=before)
            .order_by("-period_end").first())
    if last is None:
        return {}
    return {(kind, pk): rank for kind, pk, rank in
            last.results.exclude(rank=None).values_list("subject_kind", "subject_id", "rank")}


HEADER = ("code", "name", "period_kind", "basis", "target_figure", "target_value", "red_needs_target")
FORMAT_VERSION = 2  # 2: each 序列 names its kind of subject; the exemptions come along


def names_by_kind(series) -> dict[tuple[str, int], str]:
    """{(kind, id): name} of the members of a document's 序列, one query per kind."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for one in series:
        if one.get("kind") in SubjectKind.values:
            wanted[one["kind"]] += [m for m in one.get("members", []) if isinstance(m, int)]
    return {(kind, pk): name for kind, ids in wanted.items() for pk, name in subject_names(kind, ids).items()}


def scheme_document(scheme: Scheme) -> dict:
    """The scheme as a portable document: members by name within their 序列's kind (another city
    matches them by name), and its exemptions — a subject by name, a project by code and name."""
    config = scheme.config or {}
    names = names_by_kind(config.get("series", []))
    header = {key: getattr(scheme, key) for key in HEADER}
    header["target_value"] = str(scheme.target_value)
    exemptions = []
    for e in scheme.exemptions.select_related("project").order_by("starts", "id"):
        dates = {"reason": e.reason, "starts": e.starts.isoformat(), "ends": e.ends.isoformat()}
        if e.project_id:
            exemptions.append({"project": e.project.name, "project_code": e.project.code, **dates})
        else:
            name = subject_names(e.subject_kind, [e.subject_id]).get(e.subject_id, f"#{e.subject_id}")
            exemptions.append({"kind": e.subject_kind, "subject": name, **dates})
    return {
        "format": "tuijin-scheme", "format_version": FORMAT_VERSION, **header,
        "series": [{**{k: v for k, v in s.items() if k != "members"},
                    "members": [names[(s.get("kind"), m)] for m in s.get("members", []) if (s.get("kind"), m) in names]}
                   for s in config.get("series", [])],
        "indicators": config.get("indicators", []),
        **({"boards": config["boards"]} if config.get("boards") else {}),
        "exemptions": exemptions,
    }


def run_label(run: Run) -> str:
    """2026年第10期 once published; 草稿 before."""
    from django.utils.translation import gettext as _

    if run.number:
        return _("%(year)s年第%(n)s期") % {"year": run.year, "n": run.number}
    return _("草稿")


def run_payload(run: Run, results=None) -> dict:
    """A run as one JSON object (the CLI's --json, the export): decimals as exact strings."""
    from .ranks import movement

    results = list(results if results is not None else run.results.all())
    scheme = run.snapshot.get("scheme", {})
    series: dict[str, dict] = {}
    for line in results:
        entry = series.setdefault(line.series, {"name": line.series, "kind": line.subject_kind, "results": []})
        entry["results"].append({
            "rank": line.rank, "tied": line.tied, "kind": line.subject_kind, "subject_id": line.subject_id,
            "name": line.subject_name, "total": format(line.total, "f"), "points": line.points, "values": line.values,
            "board": line.board, "previous_rank": line.previous_rank,
            "movement": movement(line.previous_rank, line.rank), "target_met": line.target_met,
            "vetoed": line.vetoed, "exempted": line.exempted, "exempt_projects": line.exempt_projects,
        })
    return {
        "run": run.pk, "scheme": scheme.get("code", run.scheme.code), "scheme_name": scheme.get("name", run.scheme.name),
        "period": run.snapshot.get("period"), "period_label": run.snapshot.get("period_label"),
        "state": run.state, "number": run.number, "label": run_label(run),
        "indicators": [{"code": i.get("code"), "name": i.get("name"), "weight": str(i.get("weight"))}
                       for i in scheme.get("indicators", [])],
        "series": list(series.values()),
    }


def series_of(results) -> list[tuple[str, list]]:
    """Results grouped by 序列 in the scheme's order (results come ordered by series_sort, rank)."""
    groups: dict[str, list] = {}
    for line in results:
        groups.setdefault(line.series, []).append(line)
    return list(groups.items())


def members_with_names(scheme: Scheme) -> list[dict]:
    """Each 序列: its name, kind (and the kind's label) and members as {"key": region:12, "subject":
    (kind, id), "name"}."""
    series = (scheme.config or {}).get("series", [])
    names = names_by_kind(series)
    labels = dict(SubjectKind.choices)
    return [{"name": s.get("name", ""), "kind": s.get("kind"), "kind_label": labels.get(s.get("kind"), ""),
             "red": s.get("red", 0), "black": s.get("black", 0),
             "members": [{"key": subject_key(s.get("kind"), m), "subject": (s.get("kind"), m),
                          "name": names.get((s.get("kind"), m), f"#{m}")} for m in s.get("members", [])]}
            for s in series]


def sheets(run: Run, user) -> dict:
    """{(indicator code, (kind, id)): the user's own score} for the draft's scoring forms."""
    return {(s.indicator, (s.subject_kind, s.subject_id)): s for s in run.manual_scores.filter(judge=user)}


def may_judge(user) -> bool:
    return user_access(user).has_role(*JUDGE_ROLES)


def sheet_items(run: Run, user) -> list[dict]:
    """The indicators this user scores on a draft: the office its manual items, judges the judges' items."""
    if run.state != RunState.DRAFT:
        return []
    indicators = (run.scheme.config or {}).get("indicators", [])
    wanted = set()
    if is_office(user):
        wanted.add("manual")
    if may_judge(user):
        wanted.add("judges")
    return [i for i in indicators if i.get("source") in wanted]


def sheet_runs(user):
    """Drafts whose sheets this user may fill in (the office's manual items or judges' items)."""
    if not (is_office(user) or may_judge(user)):
        return Run.objects.none()
    return Run.objects.filter(state=RunState.DRAFT)


def indicators_described(indicators) -> list[dict]:
    """A document's indicators with their curve in words (`words`) for pages and bulletins."""
    from decimal import Decimal, InvalidOperation

    from .curves import CurveError, describe, parse

    described = []
    for item in indicators:
        try:
            words = describe(parse(item.get("curve"), weight=Decimal(str(item.get("weight")))))
        except (CurveError, InvalidOperation):
            words = ""
        described.append({**item, "words": words})
    return described


# -- figures of the subjects ---------------------------------------------------------------------

# The figures layer's grouping for each kind of subject (tuijin.figures.dimensions).
DIMENSION_OF = {SubjectKind.REGION: "region", SubjectKind.LEAD_UNIT: "lead_unit",
                SubjectKind.RESPONSIBLE_UNIT: "responsible_unit", SubjectKind.LEADER: "leader",
                SubjectKind.PROJECT: "project"}
REGION_LEVEL_OF_DEPTH = {1: "province", 2: "city", 3: "district"}


def _region_levels(subject_ids) -> dict[int, tuple[str, str]]:
    """{region id: (its code, the figures' region level of its depth)} — a 县区 rolls up its 乡镇."""
    result = {}
    for pk, code, path in Region.objects.filter(pk__in=list(subject_ids)).values_list("pk", "code", "path"):
        depth = min(len([c for c in path.split("/") if c]), 3)
        result[pk] = (code, REGION_LEVEL_OF_DEPTH[depth])
    return result


def subject_figures(kind: str, subject_ids, period, keys, *, exclude=()) -> dict[int, dict]:
    """{subject id: {figure key: value}} from the one statistics layer, as of the period, over every
    admitted project (the system's view) but those of `exclude` (the scheme's exempted projects). A
    subject without projects is absent (nothing to measure)."""
    from tuijin.figures.selectors import figures

    keys = sorted(keys)
    if not keys or not subject_ids:
        return {}
    wanted = set(subject_ids)
    if kind == SubjectKind.REGION:
        levels = _region_levels(wanted)
        result = {}
        for level in sorted({level for _code, level in levels.values()}):
            by_code = {code: pk for pk, (code, lvl) in levels.items() if lvl == level}
            table = figures(None, period=period, group_by="region", region_level=level, keys=keys, exclude=exclude)
            result.update({by_code[g.key]: dict(g.values) for g in table.groups if g.key in by_code})
        return result
    table = figures(None, period=period, group_by=DIMENSION_OF[kind], keys=keys, exclude=exclude)
    result = {}
    for group in table.groups:
        if group.key.isdigit() and int(group.key) in wanted:
            result[int(group.key)] = dict(group.values)
    return result


def _group_of(kind: str, subject_id: int) -> tuple[str, dict] | None:
    """The figures layer's group of a subject: (its key, the grouping parameters) — None for a region
    that is not there."""
    if kind == SubjectKind.REGION:
        found = _region_levels([subject_id]).get(subject_id)
        return None if found is None else (found[0], {"group_by": "region", "region_level": found[1]})
    return str(subject_id), {"group_by": DIMENSION_OF[kind]}


def project_subjects(config: dict, project_ids, when) -> dict[int, list[tuple[str, int]]]:
    """{project id: the subjects (kind, id) of the scheme's 序列 it counts for}, by the figures layer's
    own grouping (a project of a 乡镇 counts for its 县区; of several units or leaders, for each).
    `when`: a period of the figures, or a date (its year)."""
    from tuijin.figures.selectors import project_groups

    period = when if hasattr(when, "key") else str(when.year)
    ids = list(project_ids)
    result: dict[int, list[tuple[str, int]]] = defaultdict(list)
    if not ids:
        return result
    cache: dict = {}

    def groups(group_by: str, level: str | None = None):
        if (group_by, level) not in cache:
            cache[(group_by, level)] = project_groups(ids, period=period, group_by=group_by, region_level=level)
        return cache[(group_by, level)]

    for one in (config or {}).get("series", []):
        kind, members = one.get("kind"), one.get("members", [])
        if kind not in SubjectKind.values or not members:
            continue
        if kind == SubjectKind.REGION:
            levels = _region_levels(members)
            for member in members:
                if member not in levels:
                    continue
                code, level = levels[member]
                for pk, keys in groups("region", level).items():
                    if code in keys:
                        result[pk].append((kind, member))
        else:
            for pk, keys in groups(DIMENSION_OF[kind]).items():
                result[pk] += [(kind, member) for member in members if str(member) in keys]
    return result


def with_links(run: Run, results: list) -> list:
    """Give each result line `links`: {indicator code: its drill-down (scoring:point: the projects and
    reports the figure behind the value is computed from, by today's data, without the run's exempted
    projects, which it lists apart)}, and `shown`: each value as the page states it (91.8%, 3, 1,234.00)."""
    from decimal import Decimal
    from urllib.parse import urlencode

    from django.urls import reverse

    from tuijin.figures.registry import FIGURES, MONEY, POINTS, RATE

    figures_of = {i.get("code"): i.get("figure") for i in run.snapshot.get("scheme", {}).get("indicators", [])
                  if i.get("source") == "figure"}
    base = reverse("scoring:point", args=[run.pk])

    def shown(code, text):
        if text is None:
            return None
        kind = FIGURES[figures_of[code]].kind if code in figures_of and figures_of[code] in FIGURES else None
        value = Decimal(text)
        if kind == RATE:
            return f"{value}%"
        if kind == POINTS:
            return f"{value:+}"
        if kind == MONEY:
            return f"{value:,.2f}"
        return text

    for line in results:
        line.links = {}
        line.shown = {code: shown(code, text) for code, text in line.values.items()}
        if not run.snapshot.get("period") or line.rank is None:
            continue  # a project withdrawn from the ranking has no figures to show
        for code in figures_of:
            line.links[code] = f"{base}?{urlencode({'subject': line.key, 'indicator': code})}"
    return results


def point(user, run: Run, subject_text: str, code: str) -> dict:
    """The drill-down of one value of a run: the line (as `user` may read it), the indicator, its frozen
    value, and the figures layer's rows behind it today — computed like the run, without the run's
    exempted projects — with the subject's exempted projects listed apart (已豁免, with the reason).
    NotFound for a line the user may not read or an indicator that is not a figure."""
    from tuijin.core.exceptions import NotFound
    from tuijin.figures.selectors import explain

    subject = parse_key(subject_text)
    indicator = next((i for i in run.snapshot.get("scheme", {}).get("indicators", [])
                      if i.get("code") == code and i.get("source") == "figure"), None)
    if subject is None or subject[0] not in SubjectKind.values or indicator is None:
        raise NotFound(subject_text)
    line = results_visible_to(user, run).filter(subject_kind=subject[0], subject_id=subject[1]).first()
    if line is None or line.rank is None:
        raise NotFound(subject_text)
    group = _group_of(*subject)
    found = None
    if group is not None:
        try:
            found = explain(user, indicator["figure"], group[0], period=run.snapshot.get("period"),
                            exclude=run.snapshot.get("excluded_projects", []), **group[1])
        except NotFound:
            found = None  # none of the subject's projects is the user's (or all are exempted)
    return {"line": line, "indicator": indicator, "value": line.values.get(code), "found": found,
            "exempt": line.exempt_projects}


def reproduce(run: Run):
    """The run's lines computed again from what it froze (the scheme's document, the figures, the
    exemptions and names in its snapshot; its scores, vetoes and last period's ranks), without reading
    today's figures: a published result can be checked against its inputs at any time."""
    from decimal import Decimal

    from . import schemes
    from .compute import compute

    snapshot = run.snapshot

    def keyed(mapping):
        return {parse_key(k): v for k, v in (mapping or {}).items()}

    spec = schemes.parse(snapshot["config"])
    figures = {s: {k: (None if v is None else Decimal(v)) for k, v in values.items()}
               for s, values in keyed(snapshot["figures"]).items()}
    scores: dict = {}
    for indicator, kind, subject, score in run.manual_scores.order_by("scored_at", "id").values_list(
            "indicator", "subject_kind", "subject_id", "score"):
        scores.setdefault((indicator, (kind, subject)), []).append(score)
    target = snapshot.get("target")
    return compute(indicators=spec.indicators, series=spec.series, names=keyed(snapshot.get("names")),
                   figures=figures, scores=scores, target=(target[0], Decimal(target[1])) if target else None,
                   vetoes={(k, pk): r for k, pk, r in run.vetoes.values_list("subject_kind", "subject_id", "reason")},
                   exemptions=keyed(snapshot.get("exemptions")), withdrawn=keyed(snapshot.get("withdrawn")),
                   previous={(k, pk): r for k, pk, r in run.results.exclude(previous_rank=None)
                             .values_list("subject_kind", "subject_id", "previous_rank")},
                   red_needs_target=snapshot.get("red_needs_target", False))


def judges_sheets(run: Run) -> list[dict]:
    """Every judge's sheet of a run (the office checks them): per judges' item, per judge, the scores
    given to each subject."""
    from tuijin.core.templatetags.tuijin import person

    items = {i["code"]: i for i in (run.snapshot.get("config") or run.scheme.config or {}).get("indicators", [])
             if i.get("source") == "judges"}
    if not items:
        return []
    names = run.snapshot.get("names") or {}
    scores = (run.manual_scores.filter(indicator__in=list(items)).select_related("judge")
              .order_by("judge_id", "subject_kind", "subject_id"))
    sheets: dict[tuple[str, int], dict] = {}
    for score in scores:
        sheet = sheets.setdefault((score.indicator, score.judge_id), {
            "item": items[score.indicator]["name"], "judge": person(score.judge), "scores": []})
        key = subject_key(score.subject_kind, score.subject_id)
        sheet["scores"].append((names.get(key, f"#{score.subject_id}"), score.score))
    return list(sheets.values())


# -- exemptions ----------------------------------------------------------------------------------

def exemption_label(exemption) -> str:
    """What an exemption exempts: 项目“兰山产业园”（LY-2026-001） or 县区/园区“兰山区”."""
    from django.utils.translation import gettext as _

    if exemption.project_id:
        return _("项目“%(name)s”（%(code)s）") % {"name": exemption.project.name, "code": exemption.project.code}
    name = subject_names(exemption.subject_kind, [exemption.subject_id]).get(exemption.subject_id, f"#{exemption.subject_id}")
    return f"{SubjectKind(exemption.subject_kind).label}“{name}”"


def exemptions_of(scheme: Scheme) -> list[dict]:
    """The scheme's exemptions for its page, subjects' first: {"e", "what", "project": bool}."""
    from .models import Exemption

    found = list(Exemption.objects.filter(scheme=scheme).select_related("project", "approved_by")
                 .order_by("project_id", "-starts", "id"))
    names = {}
    for kind in {e.subject_kind for e in found if not e.project_id}:
        names.update(((kind, pk), name) for pk, name in
                     subject_names(kind, [e.subject_id for e in found if e.subject_kind == kind]).items())
    result = []
    for e in found:
        if e.project_id:
            what = f"{e.project.name}（{e.project.code}）"
        else:
            what = f"{SubjectKind(e.subject_kind).label}：{names.get((e.subject_kind, e.subject_id), e.subject_id)}"
        result.append({"e": e, "what": what, "project": bool(e.project_id)})
    return result


def exemptable_projects(scheme: Scheme) -> list[tuple[int, str]]:
    """The admitted projects that count for some subject of the scheme (those a project exemption may
    name), as (id, "name（code，region）") by region and name."""
    from django.utils import timezone

    projects = {pk: (name, code, region, path) for pk, name, code, region, path in
                Project.objects.admitted().filter(is_archived=False).values_list(
                    "pk", "name", "code", "region__name", "region__path")}
    counted = project_subjects(scheme.config, list(projects), timezone.localdate())
    chosen = sorted((pk for pk in projects if counted.get(pk)), key=lambda pk: (projects[pk][3], projects[pk][0], pk))
    return [(pk, f"{projects[pk][0]}（{projects[pk][1]}，{projects[pk][2]}）") for pk in chosen]


def exemption_history(exemption) -> list:
    from tuijin.core.history import describe

    from .models import Exemption

    records = Exemption.history.filter(id=exemption.pk).select_related("history_user")
    return describe(records, Exemption, skip=("version", "id", "scheme_id", "subject_kind", "subject_id", "project_id",
                                              "approved_by_id", "approved_at", "created_at"))


def notes_of(line) -> list[str]:
    """What a result line's 说明 states: 一票否决, an exemption (the subject's own, or a project's of
    a 序列 of projects, which then is not ranked) and each exempted project of the subject, with the
    reason and who approved it. The page, the print, the workbook and the CLI say the same."""
    from django.utils.translation import gettext as _

    notes = []
    if line.vetoed:
        notes.append(_("一票否决：%(r)s") % {"r": line.vetoed})
    if line.exempted:
        notes.append((_("豁免，不参与排名：%(r)s") if line.rank is None else _("豁免：%(r)s")) % {"r": line.exempted})
    for item in line.exempt_projects or []:
        notes.append(_("豁免项目“%(name)s”不计入：%(reason)s（%(who)s批准）") % {
            "name": item.get("name", ""), "reason": item.get("reason", ""), "who": item.get("approved_by", "")})
    return notes
