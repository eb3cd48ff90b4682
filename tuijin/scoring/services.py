"""Every write of the scoring app: schemes (editor, import, presets), exemptions, a run's manual and
judges' scores and vetoes, computing a run and publishing it. Each checks the role, validates with
Chinese messages, keeps history and claims the version it read.

A subject is (kind, id) — ("region", 12) — since a scheme's 序列 may rank different kinds of subject.

A published run is frozen: its results, the scheme as it was and the figures it used are stored with
it (Run.snapshot), so later reports, a changed scheme or a new exemption never change it."""

from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.audit import services as audit
from tuijin.audit.choices import Action
from tuijin.core.history import stamp
from tuijin.core.templatetags.tuijin import person
from tuijin.core.versioning import claim
from tuijin.org.selectors import require_office

from . import schemes, selectors
from .choices import PeriodKind, RunState, Source, SubjectKind
from .compute import Subject, compute, subject_key
from .curves import CENT
from .models import Exemption, ManualScore, Result, Run, Scheme, Veto
from .presets import PRESETS

HEADER_FIELDS = ("code", "name", "period_kind", "basis", "target_figure", "target_value", "red_needs_target", "is_active")


def figure_keys() -> set[str]:
    from tuijin.figures.registry import FIGURES

    return set(FIGURES)


# -- schemes ---------------------------------------------------------------------------------------

def _header_errors(data: dict, scheme: Scheme | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    code = data["code"]
    if not schemes.CODE.match(code or ""):
        errors["code"] = [_("方案代码只能含英文字母、数字、下划线或连字符（1–40个）")]
    elif Scheme.objects.filter(code=code).exclude(pk=getattr(scheme, "pk", None)).exists():
        errors["code"] = [_("方案代码“%(code)s”已被使用") % {"code": code}]
    if not data["name"]:
        errors["name"] = [_("请填写方案名称")]
    elif len(data["name"]) > 100:
        errors["name"] = [_("方案名称不能超过100个字")]
    if data["period_kind"] not in PeriodKind.values:
        errors["period_kind"] = [_("请选择考核周期")]
    if len(data["basis"]) > 300:
        errors["basis"] = [_("依据不能超过300个字")]
    if data["target_figure"] and data["target_figure"] not in figure_keys():
        errors["target_figure"] = [_("统计指标“%(figure)s”不存在") % {"figure": data["target_figure"]}]
    if data["target_value"] is None:
        errors["target_value"] = [_("目标值应为数字")]
    return errors


def _decimal_or_none(raw) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < Decimal("10000000") else None


def _clean_header(fields: dict) -> dict:
    return {
        "code": str(fields.get("code") or "").strip(),
        "name": str(fields.get("name") or "").strip(),
        "period_kind": fields.get("period_kind") or PeriodKind.MONTH,
        "basis": str(fields.get("basis") or "").strip(),
        "target_figure": str(fields.get("target_figure") or "").strip(),
        "target_value": _decimal_or_none(str(fields.get("target_value") or "").strip() or "100"),
        "red_needs_target": bool(fields.get("red_needs_target", False)),
        "is_active": bool(fields.get("is_active", True)),
    }


def _member_errors(config: dict) -> list[str]:
    """Each 序列's subjects exist as its kind of subject (a parsed document: kinds and ids are sound)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for series in config.get("series", []):
        wanted[series["kind"]].update(int(m) for m in series.get("members", []))
    missing = []
    for kind, ids in wanted.items():
        found = set(selectors.subject_model(kind).objects.filter(pk__in=ids).values_list("pk", flat=True))
        missing += [(SubjectKind(kind).label, m) for m in sorted(ids - found)]
    if missing:
        return [_("考核对象不存在：%(ids)s") % {"ids": "、".join(f"{label}#{m}" for label, m in missing[:10])}]
    return []


def _normalised(config: dict) -> dict:
    """The document as stored: members as whole numbers, in the order given, each once."""
    series = [{**s, "members": list(dict.fromkeys(int(m) for m in s.get("members", [])))} for s in config["series"]]
    document = {"series": series, "indicators": config["indicators"]}
    if config.get("boards"):
        document["boards"] = {k: v.strip() for k, v in config["boards"].items() if v.strip()}
    return document


@transaction.atomic
def scheme_save(user, scheme: Scheme | None = None, *, version=None, config: dict, **fields) -> Scheme:
    """Create a scheme (scheme=None) or change one read at `version`: header fields and the document
    of 序列 and indicators, checked together; nothing is written when anything is wrong."""
    require_office(user)
    unknown = set(fields) - set(HEADER_FIELDS)
    if unknown:
        raise TypeError(f"scheme_save: unknown fields {sorted(unknown)} (a 序列's kind is in the document)")
    data = _clean_header(fields)
    errors = _header_errors(data, scheme)
    try:
        schemes.parse(config, figures=figure_keys())
        member_problems = _member_errors(config)
        if member_problems:
            raise schemes.SchemeError(member_problems)
    except schemes.SchemeError as error:
        errors["config"] = error.messages
    if errors:
        raise ValidationError(errors)
    creating = scheme is None
    if creating:
        scheme = Scheme()
    else:
        claim(scheme, version)
    for key, value in data.items():
        setattr(scheme, key, value)
    scheme.config = _normalised(config)
    stamp(scheme, user, _("新建考核方案") if creating else _("修改考核方案")).save()
    return scheme


@transaction.atomic
def scheme_import(user, document) -> Scheme:
    """A scheme from a shared document (another office's export or a preset): its members are matched
    by name among this city's subjects of each 序列's kind, its exempted projects by code (else by
    name); a name not found here is refused, never dropped. A document of the first format (one kind
    for the whole scheme, `subject_kind`) gives that kind to each 序列. The exemptions come in as the
    importing office's, with their reasons and dates."""
    require_office(user)
    if not isinstance(document, dict) or not isinstance(document.get("series"), list):
        raise ValidationError({"config": [_("文件不是推进平台导出的考核方案（JSON）")]})
    default_kind = document.get("subject_kind")
    config = {"series": [], "indicators": document.get("indicators")}
    if document.get("boards"):
        config["boards"] = document["boards"]
    missing: list[str] = []
    by_kind: dict[str, dict[str, int]] = {}
    for item in document["series"]:
        if not isinstance(item, dict):
            config["series"].append(item)
            continue
        kind = item.get("kind", default_kind)
        members = item.get("members") or []
        if kind not in SubjectKind.values or not isinstance(members, list):
            config["series"].append({**item, "kind": kind})  # the document's check says what is wrong
            continue
        if kind not in by_kind:
            by_kind[kind] = {}
            for pk, name in selectors.subject_model(kind).objects.values_list("pk", "name").order_by("pk"):
                by_kind[kind].setdefault(name, pk)
        names = [str(m) for m in members]
        missing += [n for n in names if n not in by_kind[kind]]
        config["series"].append({**item, "kind": kind, "members": [by_kind[kind][n] for n in names if n in by_kind[kind]]})
    if missing:
        raise ValidationError({"config": [_("以下考核对象在本系统中找不到，请先核对名称：%(names)s")
                                          % {"names": "、".join(dict.fromkeys(missing))}]})
    fields = {key: document.get(key) for key in HEADER_FIELDS if key != "is_active"}
    scheme = scheme_save(user, None, config=config, **fields)
    _import_exemptions(user, scheme, document.get("exemptions"))
    return scheme


def _import_exemptions(user, scheme: Scheme, items) -> None:
    from tuijin.projects.models import Project

    if items in (None, []):
        return
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationError({"config": [_("方案文件中的豁免格式不正确")]})
    missing: list[str] = []
    for item in items:
        starts, ends = _iso_date(item.get("starts")), _iso_date(item.get("ends"))
        fields = {"reason": str(item.get("reason") or ""), "starts": starts, "ends": ends}
        if item.get("project") is not None:
            code, name = str(item.get("project_code") or ""), str(item["project"])
            found = (Project.objects.filter(code=code).first() if code else None) or Project.objects.filter(
                name=name).order_by("pk").first()
            if found is None:
                missing.append(f"{name}（{code}）" if code else name)
                continue
            try:
                exemption_add(user, scheme, project_id=found.pk, **fields)
            except ValidationError as error:
                raise ValidationError({"config": [_("豁免项目“%(name)s”：%(problem)s") % {
                    "name": name, "problem": "；".join(error.messages)}]}) from None
        else:
            kind, name = item.get("kind"), str(item.get("subject") or "")
            pk = None
            if kind in SubjectKind.values:
                pk = (selectors.subject_model(kind).objects.filter(name=name).order_by("pk").values_list("pk", flat=True)
                      .first())
            if pk is None:
                missing.append(name)
                continue
            try:
                exemption_add(user, scheme, subject=(kind, pk), **fields)
            except ValidationError as error:
                raise ValidationError({"config": [_("豁免对象“%(name)s”：%(problem)s") % {
                    "name": name, "problem": "；".join(error.messages)}]}) from None
    if missing:
        raise ValidationError({"config": [_("以下豁免的对象或项目在本系统中找不到，请先核对：%(names)s")
                                          % {"names": "、".join(dict.fromkeys(missing))}]})


def _iso_date(value) -> date | None:
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def preset_install(user, code: str) -> Scheme:
    """Install a published scheme as a new scheme of this office, without subjects yet."""
    require_office(user)
    preset = PRESETS.get(code)
    if preset is None:
        raise ValidationError({"preset": [_("没有这个预设方案")]})
    if Scheme.objects.filter(code=code).exists():
        raise ValidationError({"preset": [_("该预设方案已安装（方案代码“%(code)s”），可在方案列表中修改") % {"code": code}]})
    document = {key: (str(value) if key in ("name", "basis") else value) for key, value in preset.items()}
    document["series"] = [{**s, "name": str(s["name"]), "members": []} for s in preset["series"]]
    document["format_version"] = 2
    document["indicators"] = [{**i, "name": str(i["name"])} for i in preset["indicators"]]
    if preset.get("boards"):
        document["boards"] = {key: str(label) for key, label in preset["boards"].items()}
    return scheme_import(user, document)


def _exemption_fields(reason: str, starts: date | None, ends: date | None, errors: dict) -> str:
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [_("请填写豁免原因（如：因不可抗力停工，经推进办批准）")]
    elif len(reason) > 300:
        errors["reason"] = [_("原因不能超过300个字")]
    if starts is None or ends is None:
        errors["starts"] = [_("请填写豁免的起止日期")]
    elif ends < starts:
        errors["ends"] = [_("结束日期不能早于开始日期")]
    return reason


def _overlapping(exemptions, starts: date | None, ends: date | None) -> bool:
    return starts is not None and ends is not None and exemptions.filter(starts__lte=ends, ends__gte=starts).exists()


_GIVEN = object()


@transaction.atomic
def exemption_add(user, scheme: Scheme, *, subject=_GIVEN, project_id=_GIVEN,
                  reason: str, starts: date | None, ends: date | None) -> Exemption:
    """Exempt, for a stated reason and the dates given, a subject of the scheme (`subject`: (kind, id);
    it never enters the 黑榜) or a project of its subjects (`project_id`; it leaves the scheme's
    figures). Pass one of the two (None when the form's value was unusable: refused with the message).
    Nothing is written when anything is wrong; the office approves it (approved_by: the user)."""
    from tuijin.projects.models import Project

    require_office(user)
    if (subject is _GIVEN) == (project_id is _GIVEN):
        raise TypeError("exemption_add: pass either subject or project_id")
    errors: dict[str, list[str]] = {}
    project = None
    if project_id is not _GIVEN:
        project = Project.objects.filter(pk=project_id).only("pk", "name").first() if project_id else None
        if project is None:
            errors["project"] = [_("请选择要豁免的项目") if not project_id else _("项目不存在")]
        elif not Project.objects.admitted().filter(pk=project.pk, is_archived=False).exists():
            errors["project"] = [_("项目“%(name)s”未入库或已归档，不计入考核，无需豁免") % {"name": project.name}]
        elif not selectors.project_subjects(scheme.config, [project.pk], starts or timezone.localdate()).get(project.pk):
            errors["project"] = [_("项目“%(name)s”不属于本方案的任何考核对象，不能在本方案中豁免") % {"name": project.name}]
    else:
        if subject is None or tuple(subject) not in selectors.scheme_subjects(scheme):
            errors["subject"] = [_("请选择本方案的考核对象")]
    reason = _exemption_fields(reason, starts, ends, errors)
    if not errors:
        same = (scheme.exemptions.filter(project=project) if project is not None else
                scheme.exemptions.filter(subject_kind=subject[0], subject_id=subject[1]))
        if _overlapping(same, starts, ends):
            errors["starts"] = [_("该项目在这段时间已有豁免，请修改原有的豁免") if project is not None else
                                _("该考核对象在这段时间已有豁免，请修改原有的豁免")]
    if errors:
        raise ValidationError(errors)
    exemption = Exemption(scheme=scheme, reason=reason, starts=starts, ends=ends, approved_by=user)
    if project is not None:
        exemption.project = project
    else:
        exemption.subject_kind, exemption.subject_id = subject
    stamp(exemption, user, _("登记豁免")).save()
    return exemption


@transaction.atomic
def exemption_change(user, exemption: Exemption, *, version, reason: str, starts: date | None, ends: date | None) -> Exemption:
    """Change an exemption's reason or dates (read at `version`); runs already published keep the old."""
    require_office(user)
    errors: dict[str, list[str]] = {}
    reason = _exemption_fields(reason, starts, ends, errors)
    if not errors:
        others = Exemption.objects.filter(scheme=exemption.scheme_id).exclude(pk=exemption.pk)
        same = (others.filter(project=exemption.project_id) if exemption.project_id else
                others.filter(subject_kind=exemption.subject_kind, subject_id=exemption.subject_id))
        if _overlapping(same, starts, ends):
            errors["starts"] = [_("这段时间与同一对象的另一项豁免重叠")]
    if errors:
        raise ValidationError(errors)
    claim(exemption, version)
    exemption.reason, exemption.starts, exemption.ends = reason, starts, ends
    stamp(exemption, user, _("修改豁免")).save()
    return exemption


@transaction.atomic
def exemption_remove(user, exemption: Exemption, *, version) -> None:
    require_office(user)
    claim(exemption, version)
    stamp(exemption, user, _("取消豁免")).delete()


# -- runs ------------------------------------------------------------------------------------------

def _draft(run: Run) -> None:
    if run.state != RunState.DRAFT:
        raise ValidationError(_("该期考核结果已发布，不能再修改"))


def _period(scheme: Scheme, period):
    from tuijin.figures.periods import PeriodError, parse_period

    try:
        parsed = parse_period(period) if isinstance(period, str) else period
    except PeriodError as error:
        raise ValidationError({"period": [str(error)]}) from None
    if parsed.kind != scheme.period_kind:
        raise ValidationError({"period": [_("该方案按%(kind)s考核，请选择%(kind)s期间") % {
            "kind": PeriodKind(scheme.period_kind).label}]})
    return parsed


def run_compute_check(user, scheme: Scheme, period):
    """What refuses a computation before anything is written (the page asks it before queuing the job):
    (the parsed period, the parsed scheme), or ValidationError."""
    require_office(user)
    parsed = _period(scheme, period)
    if Run.objects.filter(scheme=scheme, period_end=parsed.end, state=RunState.PUBLISHED).exists():
        raise ValidationError({"period": [_("%(period)s的考核结果已发布，不能重新计算") % {"period": parsed.label}]})
    try:
        spec = schemes.parse(scheme.config, figures=figure_keys(), need_members=True)
    except schemes.SchemeError as error:
        raise ValidationError({"config": error.messages}) from None
    return parsed, spec


@transaction.atomic
def run_compute(user, scheme: Scheme, period) -> Run:
    """Compute (or recompute) the scheme's draft run for a period from today's figures, the manual
    and judges' scores and vetoes already entered on that draft, and the exemptions in force."""
    parsed, spec = run_compute_check(user, scheme, period)
    end = parsed.end
    now = timezone.now()
    # One draft per period (a constraint); its row lock queues a second computation behind this one.
    run = Run.objects.select_for_update().filter(scheme=scheme, period_end=end, state=RunState.DRAFT).first()
    if run is None:
        run = Run(scheme=scheme, period_end=end, computed_at=now, computed_by=user if getattr(user, "pk", None) else None)
        run.save()
    else:
        run.version += 1  # the results change: a page showing the old ones cannot publish them
    subjects = [subject for one in spec.series for subject in one.subjects]
    keys = {i.figure for i in spec.indicators if i.source == Source.FIGURE}
    if scheme.target_figure:
        keys.add(scheme.target_figure)
    # The projects exempted for this period leave every figure of the scheme (the figures layer leaves
    # them out); each is listed next to the subjects it would have counted for.
    in_force = list(Exemption.objects.filter(scheme=scheme, starts__lte=end, ends__gte=parsed.start)
                    .select_related("project", "approved_by").order_by("starts", "id"))
    project_exemptions = [e for e in in_force if e.project_id]
    excluded = {e.project_id for e in project_exemptions}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for kind, subject_id in subjects:
        by_kind[kind].append(subject_id)
    values: dict[Subject, dict] = {}
    names: dict[Subject, str] = {}
    for kind, ids in by_kind.items():
        values.update(((kind, pk), found) for pk, found in selectors.subject_figures(kind, ids, parsed, keys, exclude=excluded).items())
        names.update(((kind, pk), name) for pk, name in selectors.subject_names(kind, ids).items())
    scores: dict[tuple[str, Subject], list[Decimal]] = {}
    for indicator, kind, subject, score in run.manual_scores.order_by("scored_at", "id").values_list(
            "indicator", "subject_kind", "subject_id", "score"):
        scores.setdefault((indicator, (kind, subject)), []).append(score)
    vetoes = {(kind, pk): reason for kind, pk, reason in run.vetoes.values_list("subject_kind", "subject_id", "reason")}
    exemptions = {(e.subject_kind, e.subject_id): e.reason for e in in_force if not e.project_id}
    belongs = selectors.project_subjects(scheme.config, excluded, parsed)
    listed: dict[Subject, list[dict]] = defaultdict(list)
    frozen_projects = []
    for exemption in project_exemptions:
        entry = {"project": exemption.project_id, "name": exemption.project.name, "code": exemption.project.code,
                 "reason": exemption.reason, "approved_by": person(exemption.approved_by),
                 "starts": exemption.starts.isoformat(), "ends": exemption.ends.isoformat()}
        found_in = [subject for subject in belongs.get(exemption.project_id, []) if subject in set(subjects)]
        for subject in found_in:
            listed[subject].append(entry)
        frozen_projects.append({**entry, "subjects": [subject_key(*s) for s in found_in]})
    withdrawn = {("project", e.project_id): e.reason for e in project_exemptions if ("project", e.project_id) in set(subjects)}
    lines = compute(indicators=spec.indicators, series=spec.series, names=names, figures=values, scores=scores,
                    target=(scheme.target_figure, scheme.target_value) if scheme.target_figure else None,
                    vetoes=vetoes, exemptions=exemptions, withdrawn=withdrawn,
                    previous=selectors.previous_ranks(scheme, end), red_needs_target=scheme.red_needs_target)
    run.results.all().delete()
    order = {s.id: index for index, s in enumerate(spec.series)}
    series_names = {s.id: s.name for s in spec.series}
    Result.objects.bulk_create([
        Result(run=run, series=series_names[line.series_id], series_sort=order[line.series_id],
               subject_kind=line.kind, subject_id=line.subject_id, subject_name=line.name[:200],
               values={k: _text(v) for k, v in line.values.items()},
               points={k: _text(v) for k, v in line.points.items()}, total=line.total, rank=line.rank, tied=line.tied,
               previous_rank=line.previous_rank, board=line.board, target_met=line.target_met,
               vetoed=line.vetoed, exempted=line.exempted,
               exempt_projects=[] if line.withdrawn else listed.get(line.key, []))
        for line in lines])
    run.snapshot = {
        "period": parsed.key, "period_label": parsed.label, "kinds": list(by_kind),
        "scheme": {"version": scheme.version, **selectors.scheme_document(scheme)},
        "config": scheme.config, "target": [scheme.target_figure, str(scheme.target_value)] if scheme.target_figure else None,
        "red_needs_target": scheme.red_needs_target, "names": {subject_key(*k): v for k, v in names.items()},
        "figures": {subject_key(*s): {k: _text(v) for k, v in values.get(s, {}).items()} for s in subjects},
        "exemptions": {subject_key(*k): v for k, v in exemptions.items()},
        "withdrawn": {subject_key(*k): v for k, v in withdrawn.items()},
        "excluded_projects": sorted(excluded), "project_exemptions": frozen_projects,
    }
    run.computed_at, run.computed_by = now, user if getattr(user, "pk", None) else None
    stamp(run, user, _("计算考核结果")).save()
    return run


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class SheetError(Exception):
    """Some scores of a sheet are not usable: `cells` maps (indicator code, subject) to the Chinese
    message; nothing of the sheet was written."""

    def __init__(self, cells: dict):
        self.cells = cells
        super().__init__("；".join(cells.values()))


def _score_problem(item: dict, value: Decimal | None) -> str | None:
    if value is None:
        return _("得分应为数字")
    curve = item.get("curve") or {}
    if curve.get("kind") == "count":
        if value < 0 or value != value.to_integral_value():
            return _("请填写个数（0或正整数）")
        return None
    ceiling = Decimal(str(curve["target"])) if curve.get("kind") == "linear" and curve.get("target") else (
        Decimal(100) if item.get("source") == Source.JUDGES else None)
    if value < 0 or (ceiling is not None and value > ceiling):
        return _("得分应在0到%(max)s之间") % {"max": format(ceiling.normalize(), "f")} if ceiling is not None else _("得分不能为负数")
    if value != value.quantize(CENT):
        return _("得分最多保留两位小数")
    return None


@transaction.atomic
def sheet_save(user, run: Run, entries) -> int:
    """A scoring sheet: (indicator code, subject (kind, id), score text) for the items this user may
    score on a draft — the office's manual items, or the judge's own sheet for judges' items. All or
    nothing; the run's results follow when it is computed again. Returns how many scores were saved."""
    _draft(run)
    items = {i["code"]: i for i in selectors.sheet_items(run, user)}
    if not items:
        raise PermissionDenied
    members = selectors.scheme_subjects(run.scheme)
    cells, clean = {}, []
    for code, subject, raw in entries:
        item = items.get(code)
        if item is None or subject not in members:
            cells[(code, subject)] = _("该项不在您的评分表中")
            continue
        value = _decimal_or_none(raw)
        problem = _score_problem(item, value)
        if problem:
            cells[(code, subject)] = problem
        else:
            clean.append((code, subject, value))
    if cells:
        raise SheetError(cells)
    for code, (kind, subject_id), value in clean:
        ManualScore.objects.update_or_create(run=run, indicator=code, subject_kind=kind, subject_id=subject_id, judge=user,
                                             defaults={"score": value})
    return len(clean)


@transaction.atomic
def veto_set(user, run: Run, *, subject: Subject | None, reason: str) -> Veto:
    require_office(user)
    _draft(run)
    reason = (reason or "").strip()
    if subject is None or tuple(subject) not in selectors.scheme_subjects(run.scheme):
        raise ValidationError({"subject": [_("请选择本方案的考核对象")]})
    if not reason:
        raise ValidationError({"reason": [_("请填写一票否决的原因")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("原因不能超过300个字")]})
    kind, subject_id = subject
    veto, _created = Veto.objects.update_or_create(run=run, subject_kind=kind, subject_id=subject_id,
                                                   defaults={"reason": reason, "by": user})
    return veto


def veto_clear(user, run: Run, *, subject: Subject | None) -> None:
    require_office(user)
    _draft(run)
    if subject is not None:
        run.vetoes.filter(subject_kind=subject[0], subject_id=subject[1]).delete()


@transaction.atomic
def run_publish(user, run: Run, *, version) -> Run:
    """Freeze a draft: numbered 2026年第N期 (the scheme's Nth published run of the year), never changed
    again. Computing it again first is the office's choice; publishing takes the results as shown."""
    require_office(user)
    _draft(run)
    if not run.results.exists():
        raise ValidationError(_("该期考核结果尚未计算，不能发布"))
    claim(run, version, state=RunState.DRAFT)
    run.year = run.period_end.year
    last = Run.objects.filter(scheme=run.scheme, state=RunState.PUBLISHED, year=run.year).aggregate(n=Max("number"))["n"]
    run.number = (last or 0) + 1  # a concurrent publication of the same number fails on the constraint
    run.state, run.published_at = RunState.PUBLISHED, timezone.now()
    run.published_by = user if getattr(user, "pk", None) else None
    stamp(run, user, _("发布考核结果")).save()
    audit.record(Action.PUBLISH, actor=user if getattr(user, "pk", None) else None,
                 target=f"{run.scheme.name} {run.year}年第{run.number}期",
                 detail={"kind": "ranking", "run_id": run.pk, "scheme": run.scheme.name, "year": run.year,
                         "number": run.number, "results": run.results.count()})
    return run


@transaction.atomic
def run_delete(user, run: Run, *, version) -> None:
    require_office(user)
    _draft(run)
    claim(run, version, state=RunState.DRAFT)
    stamp(run, user, _("删除考核结果草稿")).delete()
