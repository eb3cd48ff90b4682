"""The demo city's schedules and warnings: projects in construction scheduled backwards from their
planned completion with the matching template (most nodes reached on time, some late, a few overdue),
baselines approved for half of them, approval checklists for the 前期 projects, and every project's
light computed by the warning engine. Deterministic for a seed; written in bulk with history."""

import random
from datetime import date, timedelta

from simple_history.utils import bulk_create_with_history

from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import Project
from tuijin.schedules import scheduling
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
        dates = scheduling.backward_dates([s.duration_days for s in steps], project.planned_completion)
        baseline = number % 2 == 0
        for step, planned in zip(steps, dates, strict=True):
            actual = None
            if planned <= last_actual:
                roll = rng.random()
                if roll < 0.75:
                    actual = min(planned + timedelta(days=rng.randint(-12, 3)), last_actual)
                elif roll < 0.92:
                    actual = min(planned + timedelta(days=rng.randint(5, 45)), last_actual)
            milestones.append(Milestone(project=project, name=step.name, sort=step.sort, planned_date=planned,
                                        baseline_date=planned if baseline else None, actual_date=actual,
                                        responsible=project.owner_contact or "", version=1))
        schedules.append(Schedule(project=project, template=template, target_date=project.planned_completion,
                                  baseline_number=1 if baseline else 0, version=1))
    bulk_create_with_history(milestones, Milestone, default_change_reason=REASON)
    bulk_create_with_history(schedules, Schedule, default_change_reason=REASON)

    kinds = list(ApprovalType.objects.filter(is_active=True).order_by("sort"))
    preliminary = list(Project.objects.filter(is_archived=False, stage__canonical=CanonicalStage.PRELIMINARY).order_by("pk"))
    approvals = []
    for project in rng.sample(preliminary, min(CHECKLISTS, len(preliminary))):
        start = last_actual - timedelta(days=rng.randint(60, 300))
        for index, kind in enumerate(kinds):
            target = start + timedelta(days=25 * index)
            if not kind.required_by_default:
                approvals.append(Approval(project=project, type=kind, required=False, status=ApprovalStatus.NOT_NEEDED, version=1))
                continue
            done = target <= last_actual and rng.random() < 0.85
            approvals.append(Approval(
                project=project, type=kind, required=True, target_date=target, version=1,
                status=ApprovalStatus.DONE if done else (ApprovalStatus.IN_PROGRESS if target <= last_actual + timedelta(days=60)
                                                         else ApprovalStatus.NOT_STARTED),
                done_date=min(target + timedelta(days=rng.randint(-10, 10)), last_actual) if done else None,
                document_no=f"临发改审〔{target.year}〕{rng.randint(10, 300)}号" if done else "",
            ))
    bulk_create_with_history(approvals, Approval, default_change_reason=REASON)
    return {"milestones": len(milestones), "approvals": len(approvals)}


def build_lights() -> None:
    """Every project's light as of the demo's "today" (the nightly job keeps it current afterwards)."""
    from django.utils import timezone

    from tuijin.alerts import services

    services.refresh(None, today=timezone.localdate())
