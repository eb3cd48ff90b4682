"""The demo city's schedules and warnings: projects in construction scheduled with the matching
template as a clerk applying it would get (its 开工 node on the project's actual start, the later nodes
fitted up to the planned completion: scheduling.template_dates), reached in order (the 开工 node on the
actual start, most later nodes on time, some late, a few overdue and everything after those still
open; on a few projects an intermediate node left unrecorded, done by inference), its 竣工 node open
while the project is in construction, baselines approved for half of them, approval checklists for the 前期 projects (each procedure
done in turn, a few stuck past their target), and every project's light computed by the warning
engine. Deterministic for a seed; written in bulk with history."""

import random
from datetime import date, timedelta

from simple_history.utils import bulk_create_with_history

from tuijin.projects.choices import CanonicalStage
from tuijin.projects.models import Project
from tuijin.schedules import scheduling
from tuijin.schedules.choices import ApprovalStatus, NodeMark
from tuijin.schedules.models import Approval, ApprovalType, Milestone, MilestoneTemplate, Schedule

REASON = "加载演示数据"
SCHEDULED = 60
CHECKLISTS = 30
SKIPPED = 8  # scheduled projects whose clerk left an intermediate node unrecorded


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
        start_index = next((i for i, s in enumerate(steps) if s.marks == NodeMark.START), None)
        anchor = project.actual_start or project.planned_start
        target = project.planned_completion if anchor is None or project.planned_completion > anchor else None
        dates = scheduling.template_dates([s.duration_days for s in steps], target, start_index=start_index,
                                          anchor=anchor)
        baseline = number % 2 == 0
        reached = True  # nodes are reached in order: after the first one left open, the rest are open
        previous = date.min
        for index, (step, planned) in enumerate(zip(steps, dates, strict=True)):
            actual = None
            if index == start_index:
                actual = project.actual_start if project.actual_start and project.actual_start <= last_actual else None
            elif step.marks == NodeMark.COMPLETION:
                actual = None  # in construction: no actual completion, so its 竣工 node stays open
            elif reached and planned <= last_actual:
                # Long past nodes were reached (most on time, some late); of those due in the last two
                # months about one in four is still open — an office chases recent slips, not year-old ones.
                roll = rng.random()
                recent = planned > last_actual - timedelta(days=60)
                if roll < 0.8:
                    actual = min(planned + timedelta(days=rng.randint(-12, 3)), last_actual)
                elif not recent or roll < 0.9:
                    actual = min(planned + timedelta(days=rng.randint(5, 45)), last_actual)
                if actual is not None:
                    actual = max(actual, previous)  # never before the node before it
            previous = actual or previous
            if actual is None and planned <= last_actual:
                reached = False
            milestones.append(Milestone(project=project, name=step.name, sort=step.sort, marks=step.marks,
                                        planned_date=planned, baseline_date=planned if baseline else None,
                                        actual_date=actual, responsible=project.owner_contact or "", version=1))
        schedules.append(Schedule(project=project, template=template, target_date=dates[-1],
                                  baseline_number=1 if baseline else 0, version=1))
    _skip_recording(rng, milestones)
    bulk_create_with_history(milestones, Milestone, default_change_reason=REASON)
    bulk_create_with_history(schedules, Schedule, default_change_reason=REASON)

    kinds = list(ApprovalType.objects.filter(is_active=True).order_by("sort"))
    preliminary = list(Project.objects.filter(is_archived=False, stage__canonical=CanonicalStage.PRELIMINARY).order_by("pk"))
    approvals = []
    for project in rng.sample(preliminary, min(CHECKLISTS, len(preliminary))):
        # The checklist is due step by step, the last approval a fortnight before the planned start.
        # Procedures are done one after another; about one project in four is stuck on one (still in
        # progress past its target date), which holds up the ones after it.
        required = sum(1 for kind in kinds if kind.required_by_default)
        end = (project.planned_start or last_actual + timedelta(days=rng.randint(60, 200))) - timedelta(days=15)
        start = end - timedelta(days=25 * max(0, required - 1))
        stuck = rng.random() < 0.25
        blocked = False
        index = -1
        for kind in kinds:
            if kind.required_by_default:
                index += 1
            target = start + timedelta(days=25 * max(0, index))
            if not kind.required_by_default:
                approvals.append(Approval(project=project, type=kind, required=False, status=ApprovalStatus.NOT_NEEDED,
                                          version=1))
                continue
            stuck_here = stuck and target <= last_actual - timedelta(days=20) and rng.random() < 0.3
            done = target <= last_actual and not blocked and not stuck_here
            if not done and target <= last_actual:
                blocked = True
            approvals.append(Approval(
                project=project, type=kind, required=True, target_date=target, version=1,
                status=ApprovalStatus.DONE if done else (ApprovalStatus.IN_PROGRESS if target <= last_actual + timedelta(days=60)
                                                         else ApprovalStatus.NOT_STARTED),
                done_date=min(target + timedelta(days=rng.randint(-10, 10)), last_actual) if done else None,
                document_no=f"临发改审〔{target.year}〕{rng.randint(10, 300)}号" if done else "",
            ))
    bulk_create_with_history(approvals, Approval, default_change_reason=REASON)
    return {"milestones": len(milestones), "approvals": len(approvals)}


def _skip_recording(rng: random.Random, milestones: list[Milestone]) -> None:
    """Clerks skip recording: on a few projects an intermediate node reached before a later recorded
    one has no actual date of its own, and shows as done by inference (据后续节点已完成推定)."""
    by_project: dict[int, list[Milestone]] = {}
    for m in milestones:
        by_project.setdefault(id(m.project), []).append(m)
    candidates = []
    for nodes in by_project.values():
        done = [i for i, m in enumerate(nodes) if m.actual_date is not None]
        # Nodes between the 开工 node and the last recorded one, with no fact of their own to infer from.
        skippable = [i for i in done if not nodes[i].marks and i < done[-1]] if done else []
        if skippable:
            candidates.append((nodes, skippable))
    for nodes, skippable in rng.sample(candidates, min(SKIPPED, len(candidates))):
        for i in rng.sample(skippable, min(len(skippable), rng.randint(1, 2))):
            nodes[i].actual_date = None


def build_light_history(today: date) -> int:
    """The lights of the year's earlier months (alerts.LightSnapshot), each judged the day after the month
    fell due, oldest first, as the nightly job would have judged them: the cockpit's lights over time
    start with the year. (The demo's facts are today's: a node done late was not overdue in these
    earlier judgements.) Returns the number of months recorded."""
    from tuijin.alerts import services
    from tuijin.reports.models import ReportPeriod
    from tuijin.reports.selectors import last_due_period

    judged = last_due_period(today)
    if judged is None:
        return 0
    earlier = list(ReportPeriod.objects.filter(year=judged.year, ends_on__lt=judged.ends_on, due_on__lt=today)
                   .order_by("ends_on", "id"))
    for period in earlier:
        services.refresh(None, today=max(period.due_on, period.ends_on) + timedelta(days=1))
    return len(earlier)


def build_lights(today: date) -> None:
    """Every project's light as of the demo's "today" (the nightly job keeps it current afterwards)."""
    from tuijin.alerts import services

    services.refresh(None, today=today)
