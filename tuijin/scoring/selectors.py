"""Reads of the scoring app: schemes, runs and results as each role may see them, subjects by kind,
and a scheme's document for export."""

from django.db.models import Q

from tuijin.org.choices import Role
from tuijin.org.models import Leader, Region, Unit
from tuijin.org.selectors import is_office, subtrees_q, user_access
from tuijin.projects.models import Project

from .choices import RunState, SubjectKind
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
    own = own_subject_ids(user, run.snapshot.get("subject_kind") or run.scheme.subject_kind)
    return results.filter(Q(board__in=["red", "black"]) | Q(subject_id__in=own))


def previous_ranks(scheme: Scheme, before) -> dict[int, int]:
    """Each subject's rank in the scheme's last published run before this period."""
    last = (Run.objects.filter(scheme=scheme, state=RunState.PUBLISHED, period_end__lt=before)
            .order_by("-period_end").first())
    if last is None:
        return {}
    return dict(last.results.exclude(rank=None).values_list("subject_id", "rank"))


HEADER = ("code", "name", "subject_kind", "period_kind", "basis", "target_figure", "target_value", "red_needs_target")


def scheme_document(scheme: Scheme) -> dict:
    """The scheme as a portable document: members by name (another city matches them by name)."""
    config = scheme.config or {}
    ids = [m for s in config.get("series", []) for m in s.get("members", [])]
    names = subject_names(scheme.subject_kind, ids)
    header = {key: getattr(scheme, key) for key in HEADER}
    header["target_value"] = str(scheme.target_value)
    return {
        "format": "tuijin-scheme", "format_version": 1, **header,
        "series": [{**{k: v for k, v in s.items() if k != "members"},
                    "members": [names[m] for m in s.get("members", []) if m in names]}
                   for s in config.get("series", [])],
        "indicators": config.get("indicators", []),
        **({"boards": config["boards"]} if config.get("boards") else {}),
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
    series: dict[str, list] = {}
    for line in results:
        series.setdefault(line.series, []).append({
            "rank": line.rank, "tied": line.tied, "subject_id": line.subject_id, "name": line.subject_name,
            "total": format(line.total, "f"), "points": line.points, "values": line.values,
            "board": line.board, "previous_rank": line.previous_rank,
            "movement": movement(line.previous_rank, line.rank), "target_met": line.target_met,
            "vetoed": line.vetoed, "exempted": line.exempted,
        })
    return {
        "run": run.pk, "scheme": scheme.get("code", run.scheme.code), "scheme_name": scheme.get("name", run.scheme.name),
        "period": run.snapshot.get("period"), "period_label": run.snapshot.get("period_label"),
        "state": run.state, "number": run.number, "label": run_label(run),
        "indicators": [{"code": i.get("code"), "name": i.get("name"), "weight": str(i.get("weight"))}
                       for i in scheme.get("indicators", [])],
        "series": [{"name": name, "results": lines} for name, lines in series.items()],
    }


def series_of(results) -> list[tuple[str, list]]:
    """Results grouped by 序列 in the scheme's order (results come ordered by series_sort, rank)."""
    groups: dict[str, list] = {}
    for line in results:
        groups.setdefault(line.series, []).append(line)
    return list(groups.items())


def members_with_names(scheme: Scheme) -> list[tuple[str, list[tuple[int, str]]]]:
    series = (scheme.config or {}).get("series", [])
    names = subject_names(scheme.subject_kind, [m for s in series for m in s.get("members", [])])
    return [(s.get("name", ""), [(m, names.get(m, f"#{m}")) for m in s.get("members", [])]) for s in series]


def sheets(run: Run, user) -> dict:
    """{(indicator code, subject id): the user's own score} for the draft's scoring forms."""
    return {(s.indicator, s.subject_id): s for s in run.manual_scores.filter(judge=user)}


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


def subject_figures(kind: str, subject_ids, period, keys) -> dict[int, dict]:
    """{subject id: {figure key: value}} from the one statistics layer, as of the period, over every
    admitted project (the system's view). A subject without projects is absent (nothing to measure)."""
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
            table = figures(None, period=period, group_by="region", region_level=level, keys=keys)
            result.update({by_code[g.key]: dict(g.values) for g in table.groups if g.key in by_code})
        return result
    table = figures(None, period=period, group_by=DIMENSION_OF[kind], keys=keys)
    result = {}
    for group in table.groups:
        if group.key.isdigit() and int(group.key) in wanted:
            result[int(group.key)] = dict(group.values)
    return result


def with_links(run: Run, results: list) -> list:
    """Give each result line `links`: {indicator code: the drill-down of the figure behind its value}
    (the projects and reports it is computed from, by today's data), and `shown`: each value as the
    page states it (91.8%, 3, 1,234.00)."""
    from decimal import Decimal
    from urllib.parse import urlencode

    from django.urls import reverse

    from tuijin.figures.registry import FIGURES, MONEY, POINTS, RATE

    kind = run.snapshot.get("subject_kind") or run.scheme.subject_kind
    period = run.snapshot.get("period")
    figures_of = {i.get("code"): i.get("figure") for i in run.snapshot.get("scheme", {}).get("indicators", [])
                  if i.get("source") == "figure"}
    keys = _region_levels([line.subject_id for line in results]) if kind == SubjectKind.REGION else {}
    base = reverse("figures:explain")

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
        if not period:
            continue
        if kind == SubjectKind.REGION:
            if line.subject_id not in keys:
                continue
            group, extra = keys[line.subject_id][0], {"region_level": keys[line.subject_id][1]}
        else:
            group, extra = str(line.subject_id), {}
        for code, figure in figures_of.items():
            query = {"period": period, "by": DIMENSION_OF[kind], **extra, "figure": figure, "group": group}
            line.links[code] = f"{base}?{urlencode(query)}"
    return results


def reproduce(run: Run):
    """The run's lines computed again from what it froze (the scheme's document, the figures, the
    exemptions and names in its snapshot; its scores, vetoes and last period's ranks), without reading
    today's figures: a published result can be checked against its inputs at any time."""
    from decimal import Decimal

    from . import schemes
    from .compute import compute

    snapshot = run.snapshot
    spec = schemes.parse(snapshot["config"])
    figures = {int(s): {k: (None if v is None else Decimal(v)) for k, v in values.items()}
               for s, values in snapshot["figures"].items()}
    scores: dict = {}
    for indicator, subject, score in run.manual_scores.order_by("scored_at", "id").values_list("indicator", "subject_id", "score"):
        scores.setdefault((indicator, subject), []).append(score)
    target = snapshot.get("target")
    return compute(indicators=spec.indicators, series=spec.series,
                   names={int(k): v for k, v in snapshot.get("names", {}).items()}, figures=figures, scores=scores,
                   target=(target[0], Decimal(target[1])) if target else None,
                   vetoes=dict(run.vetoes.values_list("subject_id", "reason")),
                   exemptions={int(k): v for k, v in snapshot.get("exemptions", {}).items()},
                   previous=dict(run.results.exclude(previous_rank=None).values_list("subject_id", "previous_rank")),
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
    scores = run.manual_scores.filter(indicator__in=list(items)).select_related("judge").order_by("judge_id", "subject_id")
    sheets: dict[tuple[str, int], dict] = {}
    for score in scores:
        sheet = sheets.setdefault((score.indicator, score.judge_id), {
            "item": items[score.indicator]["name"], "judge": person(score.judge), "scores": []})
        sheet["scores"].append((names.get(str(score.subject_id), f"#{score.subject_id}"), score.score))
    return list(sheets.values())
