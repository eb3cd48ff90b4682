"""Every write of the scoring app: schemes (editor, import, presets), exemptions, a run's manual and
judges' scores and vetoes, computing a run and publishing it. Each checks the role, validates with
Chinese messages, keeps history and claims the version it read.

A published run is frozen: its results, the scheme as it was and the figures it used are stored with
it (Run.snapshot), so later reports, a changed scheme or a new exemption never change it."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.history import stamp
from tuijin.core.versioning import claim
from tuijin.org.selectors import require_office

from . import schemes, selectors
from .choices import PeriodKind, RunState, Source, SubjectKind
from .compute import compute
from .curves import CENT
from .models import Exemption, ManualScore, Result, Run, Scheme, Veto
from .presets import PRESETS


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
    if data["subject_kind"] not in SubjectKind.values:
        errors["subject_kind"] = [_("请选择考核对象")]
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
        "subject_kind": fields.get("subject_kind"),
        "period_kind": fields.get("period_kind") or PeriodKind.MONTH,
        "basis": str(fields.get("basis") or "").strip(),
        "target_figure": str(fields.get("target_figure") or "").strip(),
        "target_value": _decimal_or_none(str(fields.get("target_value") or "").strip() or "100"),
        "red_needs_target": bool(fields.get("red_needs_target", False)),
        "is_active": bool(fields.get("is_active", True)),
    }


def _member_errors(kind: str, config: dict) -> list[str]:
    if kind not in SubjectKind.values:
        return []
    wanted = {m for s in config.get("series", []) for m in s.get("members", []) if isinstance(m, int)}
    found = set(selectors.subject_model(kind).objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = sorted(wanted - found)
    if missing:
        return [_("考核对象不存在：%(ids)s") % {"ids": "、".join(f"#{m}" for m in missing[:10])}]
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
    data = _clean_header(fields)
    errors = _header_errors(data, scheme)
    try:
        schemes.parse(config, figures=figure_keys())
        member_problems = _member_errors(data["subject_kind"], config)
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


def scheme_import(user, document) -> Scheme:
    """A scheme from a shared document (another office's export or a preset): its members are matched
    by name among this city's subjects; a name not found here is refused, never dropped."""
    require_office(user)
    if not isinstance(document, dict) or not isinstance(document.get("series"), list):
        raise ValidationError({"config": [_("文件不是推进平台导出的考核方案（JSON）")]})
    kind = document.get("subject_kind")
    config = {"series": [], "indicators": document.get("indicators")}
    if document.get("boards"):
        config["boards"] = document["boards"]
    missing: list[str] = []
    if kind in SubjectKind.values:
        by_name: dict[str, int] = {}
        for pk, name in selectors.subject_model(kind).objects.values_list("pk", "name").order_by("pk"):
            by_name.setdefault(name, pk)
        for item in document["series"]:
            if not isinstance(item, dict):
                config["series"].append(item)
                continue
            members = item.get("members") or []
            names = [str(m) for m in members] if isinstance(members, list) else []
            missing += [n for n in names if n not in by_name]
            config["series"].append({**item, "members": [by_name[n] for n in names if n in by_name]})
    else:
        config["series"] = document["series"]
    if missing:
        raise ValidationError({"config": [_("以下考核对象在本系统中找不到，请先核对名称：%(names)s")
                                          % {"names": "、".join(dict.fromkeys(missing))}]})
    fields = {key: document.get(key) for key in selectors.HEADER}
    return scheme_save(user, None, config=config, **fields)


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
    document["indicators"] = [{**i, "name": str(i["name"])} for i in preset["indicators"]]
    if preset.get("boards"):
        document["boards"] = {key: str(label) for key, label in preset["boards"].items()}
    return scheme_import(user, document)


@transaction.atomic
def exemption_add(user, scheme: Scheme, *, subject_id, reason: str, starts: date | None, ends: date | None) -> Exemption:
    require_office(user)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    members = {m for s in (scheme.config or {}).get("series", []) for m in s.get("members", [])}
    if subject_id not in members:
        errors["subject_id"] = [_("请选择本方案的考核对象")]
    if not reason:
        errors["reason"] = [_("请填写豁免原因（如：因不可抗力停工，经推进办批准）")]
    elif len(reason) > 300:
        errors["reason"] = [_("原因不能超过300个字")]
    if starts is None or ends is None:
        errors["starts"] = [_("请填写豁免的起止日期")]
    elif ends < starts:
        errors["ends"] = [_("结束日期不能早于开始日期")]
    if errors:
        raise ValidationError(errors)
    exemption = Exemption(scheme=scheme, subject_id=subject_id, reason=reason, starts=starts, ends=ends, approved_by=user)
    exemption.save()
    return exemption


def exemption_remove(user, exemption: Exemption) -> None:
    require_office(user)
    exemption.delete()


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


@transaction.atomic
def run_compute(user, scheme: Scheme, period) -> Run:
    """Compute (or recompute) the scheme's draft run for a period from today's figures, the manual
    and judges' scores and vetoes already entered on that draft, and the exemptions in force."""
    require_office(user)
    parsed = _period(scheme, period)
    end = parsed.end
    if Run.objects.filter(scheme=scheme, period_end=end, state=RunState.PUBLISHED).exists():
        raise ValidationError({"period": [_("%(period)s的考核结果已发布，不能重新计算") % {"period": parsed.label}]})
    try:
        spec = schemes.parse(scheme.config, figures=figure_keys(), need_members=True)
    except schemes.SchemeError as error:
        raise ValidationError({"config": error.messages}) from None
    now = timezone.now()
    # One draft per period (a constraint); its row lock queues a second computation behind this one.
    run = Run.objects.select_for_update().filter(scheme=scheme, period_end=end, state=RunState.DRAFT).first()
    if run is None:
        run = Run(scheme=scheme, period_end=end, computed_at=now, computed_by=user if getattr(user, "pk", None) else None)
        run.save()
    else:
        run.version += 1  # the results change: a page showing the old ones cannot publish them
    subjects = [m for s in spec.series for m in s.members]
    keys = {i.figure for i in spec.indicators if i.source == Source.FIGURE}
    if scheme.target_figure:
        keys.add(scheme.target_figure)
    values = selectors.subject_figures(scheme.subject_kind, subjects, parsed, keys)
    scores: dict[tuple[str, int], list[Decimal]] = {}
    for indicator, subject, score in run.manual_scores.order_by("scored_at", "id").values_list(
            "indicator", "subject_id", "score"):
        scores.setdefault((indicator, subject), []).append(score)
    vetoes = dict(run.vetoes.values_list("subject_id", "reason"))
    exemptions = dict(Exemption.objects.filter(scheme=scheme, starts__lte=end, ends__gte=parsed.start)
                      .values_list("subject_id", "reason"))
    names = selectors.subject_names(scheme.subject_kind, subjects)
    lines = compute(indicators=spec.indicators, series=spec.series, names=names, figures=values, scores=scores,
                    target=(scheme.target_figure, scheme.target_value) if scheme.target_figure else None,
                    vetoes=vetoes, exemptions=exemptions, previous=selectors.previous_ranks(scheme, end),
                    red_needs_target=scheme.red_needs_target)
    run.results.all().delete()
    order = {s.id: index for index, s in enumerate(spec.series)}
    series_names = {s.id: s.name for s in spec.series}
    Result.objects.bulk_create([
        Result(run=run, series=series_names[line.series_id], series_sort=order[line.series_id],
               subject_id=line.subject_id, subject_name=line.name[:200],
               values={k: _text(v) for k, v in line.values.items()},
               points={k: _text(v) for k, v in line.points.items()}, total=line.total, rank=line.rank, tied=line.tied,
               previous_rank=line.previous_rank, board=line.board, target_met=line.target_met,
               vetoed=line.vetoed, exempted=line.exempted)
        for line in lines])
    run.snapshot = {
        "period": parsed.key, "period_label": parsed.label, "subject_kind": scheme.subject_kind,
        "scheme": {"version": scheme.version, **selectors.scheme_document(scheme)},
        "config": scheme.config, "target": [scheme.target_figure, str(scheme.target_value)] if scheme.target_figure else None,
        "red_needs_target": scheme.red_needs_target, "names": {str(k): v for k, v in names.items()},
        "figures": {str(s): {k: _text(v) for k, v in values.get(s, {}).items()} for s in subjects},
        "exemptions": {str(k): v for k, v in exemptions.items()},
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
    """Some scores of a sheet are not usable: `cells` maps (indicator code, subject id) to the Chinese
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
    """A scoring sheet: (indicator code, subject id, score text) for the items this user may score on a
    draft — the office's manual items, or the judge's own sheet for judges' items. All or nothing;
    the run's results follow when it is computed again. Returns how many scores were saved."""
    _draft(run)
    items = {i["code"]: i for i in selectors.sheet_items(run, user)}
    if not items:
        raise PermissionDenied
    members = {m for s in (run.scheme.config or {}).get("series", []) for m in s.get("members", [])}
    cells, clean = {}, []
    for code, subject_id, raw in entries:
        item = items.get(code)
        if item is None or subject_id not in members:
            cells[(code, subject_id)] = _("该项不在您的评分表中")
            continue
        value = _decimal_or_none(raw)
        problem = _score_problem(item, value)
        if problem:
            cells[(code, subject_id)] = problem
        else:
            clean.append((code, subject_id, value))
    if cells:
        raise SheetError(cells)
    for code, subject_id, value in clean:
        ManualScore.objects.update_or_create(run=run, indicator=code, subject_id=subject_id, judge=user,
                                             defaults={"score": value})
    return len(clean)


@transaction.atomic
def veto_set(user, run: Run, *, subject_id: int, reason: str) -> Veto:
    require_office(user)
    _draft(run)
    reason = (reason or "").strip()
    members = {m for s in (run.scheme.config or {}).get("series", []) for m in s.get("members", [])}
    if subject_id not in members:
        raise ValidationError({"subject_id": [_("请选择本方案的考核对象")]})
    if not reason:
        raise ValidationError({"reason": [_("请填写一票否决的原因")]})
    if len(reason) > 300:
        raise ValidationError({"reason": [_("原因不能超过300个字")]})
    veto, _created = Veto.objects.update_or_create(run=run, subject_id=subject_id, defaults={"reason": reason, "by": user})
    return veto


def veto_clear(user, run: Run, *, subject_id: int) -> None:
    require_office(user)
    _draft(run)
    run.vetoes.filter(subject_id=subject_id).delete()


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
    return run


@transaction.atomic
def run_delete(user, run: Run, *, version) -> None:
    require_office(user)
    _draft(run)
    claim(run, version, state=RunState.DRAFT)
    stamp(run, user, _("删除考核结果草稿")).delete()
