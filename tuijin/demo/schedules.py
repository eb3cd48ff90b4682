"""The demo city's schedules and warnings: projects in construction scheduled with the matching template
between their start (actual, else planned: 开工进场 on that day, actual-dated when the project has
started) and their planned completion (most nodes reached on time, some late, a few overdue),
baselines approved for half of them, approval checklists for the 前期 projects, and every project's
light computed by the warning engine. Deterministic for a seed; written in bulk with history."""

import random
from datetime import date, timedelta

from simple_history.utils import bulk_create_with_history

from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import Project
from tuijin.schedules.choices import ApprovalStatus
from tuijin.schedules.models import Approval, ApprovalType, Milestone, MilestoneTemplate, Schedule

REASON = "加载演示数据"
SCHEDULED = 60
CHECKLISTS = 30


def _template_for(project: Project, templates: list[MilestoneTemplate], fallback: MilestoneTemplate) -> MilestoneTemplate:
    ids = {project.category_id, project.category.parent_id}
    for template in templates:
        if ids & {c.pk for c in template.categories.all()}:
            return template
    return fallback


def spread_dates(durations: list[int], start: date, completion: date) -> list[date]:
    """The template's nodes laid between the project's start (actual, else planned) and its planned
    completion, in proportion to their standard durations: the first node on the start day."""
    completion = max(completion, start + timedelta(days=10 * len(durations)))
    weights = [max(1, int(d)) for d in durations[1:]]
    total, span, acc = sum(weights) or 1, (completion - start).days, 0
    dates = [start]
    for weight in weights:
        acc += weight
        dates.append(start + timedelta(days=round(span * acc / total)))
    return dates


def build_schedules(rng: random.Random, last_actual: date) -> dict:
    templates = list(MilestoneTemplate.objects.exclude(kind="preliminary").prefetch_related("steps", "categories"))
    fallback = next(t for t in templates if t.kind == "building")
    building = list(Project.objects.filter(is_archived=False, planned_completion__isnull=False,
                                           stage__canonical__in=[CanonicalStage.NEW_START, CanonicalStage.CONSTRUCTION])
                    .select_related("category").order_by("pk"))
    picked = rng.sample(building, min(SCHEDULED, len(building)))
    milestones, schedules = [], []
    for number, project in enumerate(sorted(picked, key=lambda p: p.pk)):
        template = _template_for(project, templates, fallback)
        steps = list(template.steps.all())
        dates = spread_dates([s.duration_days for s in steps], project.actual_start or project.planned_start,
                             project.planned_completion)
        baseline = number % 2 == 0
        previous = None  # the last node reached: nodes are reached in order
        for index, (step, planned) in enumerate(zip(steps, dates, strict=True)):
            actual = None
            if index == 0 and project.actual_start:
                actual = project.actual_start  # 开工进场 is the project's recorded actual start
            elif planned <= last_actual and (index == 0 or previous is not None):
                # Nodes long past were reached (some late); a recent one may not be reached yet.
                roll = rng.random() if planned > last_actual - timedelta(days=45) else rng.random() * 0.95
                if roll < 0.75:
                    actual = planned + timedelta(days=rng.randint(-12, 3))
                elif roll < 0.95:
                    actual = planned + timedelta(days=rng.randint(5, 30))
                if actual is not None:
                    actual = max(actual, previous or actual)
                    actual = actual if actual <= last_actual else None
            previous = actual
            milestones.append(Milestone(project=project, name=step.name, sort=step.sort, planned_date=planned,
                                        baseline_date=planned if baseline else None, actual_date=actual,
                                        responsible=project.owner_contact or "", version=1))
        schedules.append(Schedule(project=project, template=template, target_date=dates[-1],
                                  baseline_number=1 if baseline else 0, version=1))
    bulk_create_with_history(milestones, Milestone, default_change_reason=REASON)
    bulk_create_with_history(schedules, Schedule, default_change_reason=REASON)

    kinds = list(ApprovalType.objects.filter(is_active=True).order_by("sort"))
    preliminary = list(Project.objects.filter(is_archived=False, stage__canonical=CanonicalStage.PRELIMINARY).order_by("pk"))
    approvals = []
    for project in rng.sample(preliminary, min(CHECKLISTS, len(preliminary))):
        # The checklist is due step by step, the last approval a fortnight before the planned start.
        required = sum(1 for kind in kinds if kind.required_by_default)
        end = (project.planned_start or last_actual + timedelta(days=rng.randint(60, 200))) - timedelta(days=15)
        start = end - timedelta(days=25 * max(0, required - 1))
        index = -1
        for kind in kinds:
            if kind.required_by_default:
                index += 1
            target = start + timedelta(days=25 * max(0, index))
            if not kind.required_by_default:
                approvals.append(Approval(project=project, type=kind, required=False, status=ApprovalStatus.NOT_NEEDED, version=1))
                continue
            done = target <= last_actual and rng.random() < 0.92
            approvals.append(Approval(
                project=project, type=kind, required=True, target_date=target, version=1,
                status=ApprovalStatus.DONE if done else (ApprovalStatus.IN_PROGRESS if target <= last_actual + timedelta(days=60)
                                                         else ApprovalStatus.NOT_STARTED),
                done_date=min(target + timedelta(days=rng.randint(-10, 10)), last_actual) if done else None,
                document_no=f"临发改审〔{target.year}〕{rng.randint(10, 300)}号" if done else "",
            ))
    bulk_create_with_history(approvals, Approval, default_change_reason=REASON)
    return {"milestones": len(milestones), "approvals": len(approvals)}


def build_lights(today: date) -> None:
    """Every project's light as of the demo's "today" (the nightly job keeps it current afterwards)."""
    from tuijin.alerts import services

    services.refresh(None, today=today)
