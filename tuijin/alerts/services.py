"""Every write of the warning engine: refreshing alerts and lights, editing rules, switching presets.

`refresh` recomputes the active rules for a set of projects (all of them for the nightly job) in a
few queries per rule, compares the verdicts with the stored active alerts, and writes only the
difference: new alerts, changed levels or reasons, resolved ones; then each touched project's light
(Project.light, its worst active alert). The subscribers call it when the data behind a dimension
changes; `tuijin refresh-alerts` and the office's button run it for everything.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import create_rows, update_objects
from tuijin.core.history import stamp
from tuijin.core.versioning import claim
from tuijin.org.selectors import require_office
from tuijin.projects.choices import CanonicalStage, Light
from tuijin.projects.models import Project

from . import engine, rules
from .choices import DIMENSION_METHODS, Dimension, Preset
from .models import Alert, AlertRule, AlertRun, LightSnapshot, PeriodLight
from .presets import rules_of

JUDGED_OUT_STAGES = (CanonicalStage.PAUSED, CanonicalStage.CANCELLED)
REASON_LIMIT = 300
CHUNK = 5000


@dataclass
class RefreshResult:
    projects: int = 0
    created: int = 0
    changed: int = 0
    resolved: int = 0
    lights_changed: int = 0
    by_light: dict = field(default_factory=dict)
    by_dimension: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"projects": self.projects, "created": self.created, "changed": self.changed,
                "resolved": self.resolved, "lights_changed": self.lights_changed,
                "by_light": self.by_light, "by_dimension": self.by_dimension}


def judged_projects():
    """Projects the rules look at: in the ledger (admitted, not archived), not paused or cancelled."""
    return (Project.objects.admitted().filter(is_archived=False, is_paused=False)
            .exclude(stage__canonical__in=JUDGED_OUT_STAGES))


def _in_scope(rule: AlertRule, projects):
    levels = [level.pk for level in rule.levels.all()]
    if levels:
        projects = projects.filter(level_id__in=levels)
    categories = list(rule.categories.all())
    if categories:
        ids = set()
        for category in categories:
            ids.update(category.subtree_ids())
        projects = projects.filter(category_id__in=ids)
    return projects


def refresh(project_ids=None, *, dimensions=None, today: date | None = None, user=None) -> RefreshResult:
    """Recompute alerts for `project_ids` (None: every project) on the active rules of `dimensions`
    (None: all), and the lights of the projects concerned. Safe to run concurrently: a race on the
    same alert is retried once.

    A refresh of some projects (after a save) that finds nothing to change writes nothing — not even
    "last seen", which the full recompute keeps — so it takes no write lock (SQLite has one writer)."""
    today = today or timezone.localdate()
    if project_ids is not None:
        ids = sorted({int(pk) for pk in project_ids})
        if len(ids) > CHUNK:  # a large import: in parts, each `id IN (…)` within SQLite's parameter limit
            total = RefreshResult()
            for part in _chunks(ids):
                done = refresh(part, dimensions=dimensions, today=today)
                total.projects += done.projects
                total.created, total.changed = total.created + done.created, total.changed + done.changed
                total.resolved, total.lights_changed = total.resolved + done.resolved, total.lights_changed + done.lights_changed
            return total
        plan = _plan(ids, dimensions, today, timezone.now())
        if not (plan.new_rows or plan.changed or plan.gone):
            return RefreshResult(projects=len(ids))
    for attempt in (1, 2):
        try:
            return _refresh(project_ids, dimensions, today)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError  # pragma: no cover


@dataclass
class _Plan:
    new_rows: list
    changed: list
    seen: list
    gone: list


def _plan(ids, dimensions, today: date, now) -> _Plan:
    """What the active rules say about `ids` (None: every project) compared with the stored alerts:
    alerts to create, to change, merely confirmed, and gone. Reads only."""
    all_rules = AlertRule.objects.all()
    if dimensions is not None:
        all_rules = all_rules.filter(dimension__in=list(dimensions))
    all_rules = list(all_rules.prefetch_related("levels", "categories"))
    base = judged_projects()
    if ids is not None:
        base = base.filter(pk__in=ids)

    verdicts: dict[tuple[int, int], tuple[int, engine.Finding]] = {}
    for rule in (r for r in all_rules if r.is_active):
        for project_id, finding in engine.measure(rule, _in_scope(rule, base), today).items():
            level = rules.level_for(rule.method, finding.value, rule.yellow, rule.red)
            if level != Light.GREEN:
                verdicts[(project_id, rule.pk)] = (level, finding)

    stored = Alert.objects.active().filter(rule_id__in=[r.pk for r in all_rules])
    if ids is not None:
        stored = stored.filter(project_id__in=ids)
    existing = {(a.project_id, a.rule_id): a for a in stored.only(
        "id", "project_id", "rule_id", "level", "value", "reason", "subject", "level_since")}
    dimension_of = {r.pk: r.dimension for r in all_rules}

    plan = _Plan([], [], [], [])
    for key, (level, finding) in verdicts.items():
        reason = finding.reason[:REASON_LIMIT]
        alert = existing.get(key)
        if alert is None:
            plan.new_rows.append({"project_id": key[0], "rule_id": key[1], "dimension": dimension_of[key[1]],
                                  "level": level, "value": finding.value, "reason": reason, "subject": finding.subject,
                                  "first_seen": now, "last_seen": now, "level_since": now, "resolved_at": None})
        elif (alert.level, alert.value, alert.reason, alert.subject) != (level, finding.value, reason, finding.subject):
            if alert.level != level:
                alert.level_since = now
            alert.level, alert.value, alert.reason, alert.subject, alert.last_seen = level, finding.value, reason, finding.subject, now
            plan.changed.append(alert)
        else:
            plan.seen.append(alert.pk)
    plan.gone = [a.pk for key, a in existing.items() if key not in verdicts]
    return plan


@transaction.atomic
def _refresh(project_ids, dimensions, today: date) -> RefreshResult:
    now = timezone.now()
    ids = None if project_ids is None else sorted({int(pk) for pk in project_ids})
    result = RefreshResult()
    if ids is not None and not ids:
        return result
    plan = _plan(ids, dimensions, today, now)  # again, inside the write transaction
    create_rows(Alert, plan.new_rows)
    update_objects(Alert, plan.changed, ["level", "value", "reason", "subject", "last_seen", "level_since"])
    for chunk in _chunks(plan.seen):
        Alert.objects.filter(pk__in=chunk).update(last_seen=now)
    for chunk in _chunks(plan.gone):
        Alert.objects.filter(pk__in=chunk).update(resolved_at=now)
    result.created, result.changed, result.resolved = len(plan.new_rows), len(plan.changed), len(plan.gone)
    result.lights_changed = _refresh_lights(ids, today, now)
    result.projects = len(ids) if ids is not None else judged_projects().count()
    return result


def _chunks(items: list):
    for start in range(0, len(items), CHUNK):
        yield items[start:start + CHUNK]


def _refresh_lights(ids, today: date, now) -> int:
    """Each project's light and reason from its active alerts (red reasons first); only changed
    projects are written. The judged period's LightSnapshot follows (_record_lights)."""
    alerts = Alert.objects.active()
    projects = Project.objects.all()
    if ids is not None:
        alerts, projects = alerts.filter(project_id__in=ids), projects.filter(pk__in=ids)
    worst: dict[int, tuple[int, list[str]]] = {}
    warned: dict[int, tuple[list[str], Decimal | None]] = {}  # every active alert's dimension, the lag
    for project_id, level, reason, dimension, value in alerts.order_by(
            "project_id", "-level", "rule__sort", "rule_id").values_list("project_id", "level", "reason", "dimension", "value"):
        light, reasons = worst.get(project_id, (level, []))
        if level == light:
            reasons.append(reason)
        worst[project_id] = (light, reasons)
        dimensions, lag = warned.get(project_id, ([], None))
        if dimension not in dimensions:
            dimensions.append(dimension)
        warned[project_id] = (dimensions, value if dimension == Dimension.INVESTMENT_LAG else lag)
    lights = {pk: (light, "；".join(reasons)[:REASON_LIMIT]) for pk, (light, reasons) in worst.items()}
    stored = projects.exclude(light=Light.GREEN, light_reason="") if ids is None else projects
    current = dict((pk, (light, reason)) for pk, light, reason in stored.values_list("pk", "light", "light_reason"))
    for pk in lights:
        current.setdefault(pk, (Light.GREEN, ""))
    updates = []
    for pk, was in current.items():
        new_light, new_reason = lights.get(pk, (Light.GREEN, ""))
        if was != (new_light, new_reason):
            # Plain records, not Project instances: building 10,000 models costs more than the UPDATE.
            updates.append(SimpleNamespace(pk=pk, light=new_light, light_reason=new_reason))
    update_objects(Project, updates, ["light", "light_reason"])
    _record_lights(ids, {pk: (*lights[pk], ",".join(warned[pk][0]), warned[pk][1]) for pk in lights}, today, now)
    return len(updates)


def _record_lights(ids, lights: dict[int, tuple[int, str, str, Decimal | None]], today: date, now) -> None:
    """The judged period's record of yellow and red projects (LightSnapshot) made equal to `lights` for
    the projects refreshed (`ids`; None: all). A full refresh begins the record of a period newly judged;
    a refresh of some projects only keeps a record already begun (a record begun by a partial refresh
    would lack the others). Only the differences are written."""
    period = engine.evaluation_period(today)
    if period is None:
        return
    snapshot = LightSnapshot.objects.filter(period=period).first()
    if snapshot is None:
        if ids is not None:
            return
        snapshot = LightSnapshot.objects.create(period=period, begun_at=now, refreshed_at=now)
    elif ids is None:
        LightSnapshot.objects.filter(pk=snapshot.pk).update(refreshed_at=now)
    recorded = PeriodLight.objects.filter(snapshot=snapshot)
    if ids is not None:
        recorded = recorded.filter(project_id__in=ids)
    known = {row[1]: (row[0], *row[2:]) for row in
             recorded.values_list("id", "project_id", "light", "reason", "dimensions", "lag")}
    create, change = [], []
    for pk, (light, reason, dimensions, lag) in lights.items():
        row = known.pop(pk, None)
        if row is None:
            create.append({"snapshot_id": snapshot.pk, "project_id": pk, "light": light, "reason": reason,
                           "dimensions": dimensions, "lag": lag})
        elif row[1:] != (light, reason, dimensions, lag):
            change.append(SimpleNamespace(pk=row[0], light=light, reason=reason, dimensions=dimensions, lag=lag))
    create_rows(PeriodLight, create)
    update_objects(PeriodLight, change, ["light", "reason", "dimensions", "lag"])
    gone = [row[0] for row in known.values()]  # green again (or out of the ledger)
    for chunk in _chunks(gone):
        PeriodLight.objects.filter(pk__in=chunk).delete()


def counts() -> dict:
    """Active alerts by dimension and light, and projects in the ledger by light."""
    by_dimension: dict[str, dict[str, int]] = {}
    rows = (Alert.objects.active().values("dimension", "level").order_by().annotate(n=Count("id"))
            .values_list("dimension", "level", "n"))
    for dimension, level, n in rows:
        by_dimension.setdefault(dimension, {"yellow": 0, "red": 0})["red" if level == Light.RED else "yellow"] += n
    lights = dict(Project.objects.admitted().filter(is_archived=False).values("light").order_by().annotate(n=Count("id"))
                  .values_list("light", "n"))
    return {
        "by_light": {"green": lights.get(Light.GREEN, 0), "yellow": lights.get(Light.YELLOW, 0), "red": lights.get(Light.RED, 0)},
        "by_dimension": by_dimension,
    }


@transaction.atomic
def refresh_all(user=None, *, today: date | None = None) -> tuple[AlertRun, RefreshResult]:
    """The full recompute (nightly job, office button), recorded as an AlertRun with its counts."""
    require_office(user)
    run = AlertRun.objects.create(started_at=timezone.now(), triggered_by=user if getattr(user, "pk", None) else None)
    result = refresh(None, today=today)
    summary = counts()
    result.by_light, result.by_dimension = summary["by_light"], summary["by_dimension"]
    run.finished_at, run.projects = timezone.now(), result.projects
    run.summary = result.as_dict()
    run.save(update_fields=["finished_at", "projects", "summary"])
    return run, result


# --------------------------------------------------------------------------------------------- rules


@transaction.atomic
def rule_update(user, rule: AlertRule, *, version: int, name: str, method: str, yellow, red, is_active: bool,
                levels=(), categories=(), min_annual_plan=None, note: str = "") -> AlertRule:
    """Change a rule's thresholds, method or scope; the alerts follow at once."""
    require_office(user)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写规则名称")]
    elif len(name) > 100:
        errors["name"] = [_("规则名称不能超过100个字")]
    if method not in DIMENSION_METHODS.get(rule.dimension, ()):
        errors["method"] = [_("该预警维度不能使用此判定方法")]
    else:
        errors.update(rules.threshold_errors(method, yellow, red))
    if min_annual_plan is not None and min_annual_plan < 0:
        errors["min_annual_plan"] = [_("金额不能为负数")]
    if len(note or "") > 300:
        errors["note"] = [_("说明不能超过300个字")]
    if errors:
        raise ValidationError(errors)
    claim(rule, version)
    rule.name, rule.method, rule.yellow, rule.red, rule.is_active = name, method, yellow, red, is_active
    rule.min_annual_plan, rule.note = min_annual_plan, (note or "").strip()
    stamp(rule, user, _("修改预警规则")).save()
    rule.levels.set(levels)
    rule.categories.set(categories)
    transaction.on_commit(lambda: refresh(None, dimensions=[rule.dimension]))
    return rule


@transaction.atomic
def apply_preset(user, preset: str) -> list[AlertRule]:
    """Switch on a published preset's rules (and the default ones for the dimensions it leaves out);
    every other preset's rules are switched off. Custom rules stay as they are."""
    require_office(user)
    if preset not in Preset.values or preset == Preset.CUSTOM:
        raise ValidationError({"preset": [_("请选择一个预设规则")]})
    wanted = []
    for owner, (name, dimension, method, yellow, red, minimum, note) in rules_of(preset):
        rule = AlertRule.objects.filter(preset=owner, dimension=dimension, name=name).first()
        if rule is None:
            rule = AlertRule(preset=owner, dimension=dimension, name=name, method=method, yellow=yellow, red=red,
                             min_annual_plan=minimum, note=note, sort=AlertRule.objects.count() * 10 + 10)
        wanted.append(rule)
    wanted_ids = set()
    for rule in wanted:
        if not rule.is_active or rule.pk is None:
            rule.is_active = True
            rule.version = (rule.version or 0) + 1
            stamp(rule, user, _("启用预设：%(p)s") % {"p": Preset(preset).label}).save()
        wanted_ids.add(rule.pk)
    for rule in AlertRule.objects.filter(is_active=True).exclude(preset=Preset.CUSTOM).exclude(pk__in=wanted_ids):
        rule.is_active = False
        rule.version += 1
        stamp(rule, user, _("切换预设：%(p)s") % {"p": Preset(preset).label}).save()
    transaction.on_commit(lambda: refresh(None))
    return wanted


def active_preset() -> str:
    """The preset whose rules are all on (Preset.CUSTOM when the active rules match none)."""
    active = set(AlertRule.objects.filter(is_active=True).exclude(preset=Preset.CUSTOM)
                 .values_list("preset", "dimension", "name"))
    for preset in (p for p in Preset.values if p != Preset.CUSTOM):
        if active == {(owner, str(rule[1]), rule[0]) for owner, rule in rules_of(preset)}:
            return preset
    return Preset.CUSTOM

