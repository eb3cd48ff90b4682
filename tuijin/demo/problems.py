"""The demo city's problems and supervision: what clerks wrote under 存在问题及困难 in the last three
monthly reports becomes the problem list (as it does live), most of it handed to the departments that
own the matter, part accepted, answered, solved and closed off, a few escalated to the contracted city
leader or the committee; one regular meeting and one inspection with their decisions, and supervision
orders. Everything goes through the real services, so timelines, history and messages are genuine."""

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from tuijin.org.choices import UnitKind
from tuijin.org.models import Leader, Unit
from tuijin.problems import services
from tuijin.problems.choices import InspectionKind, Ladder, MeetingKind, OrderBasis, ProblemAction
from tuijin.problems.models import Inspection, Meeting, Problem, ProblemType
from tuijin.projects.choices import Light
from tuijin.projects.models import Project
from tuijin.reports.models import ReportPeriod

# problem type → the department that owns it (None: the project's district government)
OWNERS = {
    "用地": "临沂市自然资源和规划局", "规划": "临沂市自然资源和规划局", "资金": "临沂市财政局",
    "配套(水电气暖路)": "国网临沂供电公司", "环保/能耗": "临沂市生态环境局", "前期手续/审批": "临沂市行政审批服务局",
    "施工组织/安全": "临沂市住房和城乡建设局", "征地拆迁/民事纠纷": None, "其他": None,
}


def _owner(problem: Problem, units: dict[str, Unit]) -> Unit | None:
    name = OWNERS.get(problem.type.name)
    if name:
        return units.get(name)
    governments = Unit.objects.filter(region=problem.project.region, kind=UnitKind.GOVERNMENT).order_by("id")
    return (governments.filter(name__contains="政府").first() or governments.filter(name__contains="管委会").first()
            or governments.first() or units.get("临沂市发展和改革委员会"))


def build_problems(rng: random.Random, demo_today: date) -> dict:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["dispatcher", "handler", "leader", "inspector"])}
    office, inspector = users["dispatcher"], users["inspector"]
    periods = list(ReportPeriod.objects.filter(ends_on__lte=demo_today).order_by("-ends_on")[:3])
    project_ids = list(Project.objects.values_list("pk", flat=True))
    for period in reversed(periods):
        services.problems_from_reports(period.pk, project_ids)
    units = {u.name: u for u in Unit.objects.filter(name__in=[n for n in OWNERS.values() if n] + ["临沂市发展和改革委员会"])}
    today = timezone.localdate()
    problems = list(Problem.objects.select_related("type", "project__region").order_by("id"))
    for number, problem in enumerate(problems):
        if rng.random() < 0.12:
            continue  # still waiting for the office to hand it out
        unit = _owner(problem, units)
        deadline = max(problem.raised_on + timedelta(days=rng.choice([20, 30, 45])), problem.raised_on)
        problem = services.problem_assign(office, problem, {
            "type": problem.type, "description": problem.description, "handling_unit": unit, "deadline": deadline,
            "cooperating_units": []}, version=problem.version)
        if rng.random() < 0.2:
            continue  # handed out, not yet accepted
        problem = services.problem_step(office, problem, ProblemAction.ACCEPT, version=problem.version)
        if number % 9 == 4:
            level = Ladder.COMMITTEE if number % 27 == 4 else Ladder.LEADER
            try:
                problem = services.problem_step(office, problem, ProblemAction.ESCALATE, version=problem.version, level=level,
                                                text="涉及多个部门，单位层面难以协调，提请分包市领导协调解决")
                problem = services.problem_step(users["leader"], problem, ProblemAction.INSTRUCT, version=problem.version,
                                                text="请相关部门一周内拿出解决方案，下次例会汇报") if number % 2 else problem
            except Exception:  # noqa: BLE001 - a project without a leader stays at its level
                pass
            continue
        if rng.random() < 0.55:
            problem = services.problem_step(office, problem, ProblemAction.REPLY, version=problem.version,
                                            text=rng.choice(["已与项目单位对接，正在协调办理", "已召开专题协调会，明确了办理路径",
                                                             "材料已上报，等待上级批复"]))
        if problem.deadline < today - timedelta(days=10) and rng.random() < 0.7:
            problem = services.problem_step(office, problem, ProblemAction.RESOLVE, version=problem.version,
                                            text=rng.choice(["已协调解决，项目正常推进", "指标已落实，手续已办结", "资金已拨付到位"]))
            if rng.random() < 0.75:
                problem = services.problem_step(office, problem, ProblemAction.CLOSE, version=problem.version, text="经核实已解决，同意销号")
    counts = {"problems": Problem.objects.count()}
    counts.update(_meetings(rng, office, inspector, demo_today, today, units))
    return counts


def _meetings(rng, office, inspector, demo_today, today, units) -> dict:
    open_projects = list(Project.objects.filter(problems__status__in=["pending", "handling"]).distinct().order_by("id")[:12])
    chair = Leader.objects.order_by("sort", "id").first()
    meeting = services.gathering_save(office, Meeting, {
        "kind": MeetingKind.REGULAR, "title": "全市重点项目推进例会（11月下半月）", "held_on": demo_today - timedelta(days=2),
        "location": "市政府第一会议室", "chair": chair, "attendees": "市发改委、市自然资源和规划局、市财政局、市住房城乡建设局、各县区政府分管负责同志",
        "minutes": "会议听取了重点项目推进情况汇报，研究了用地、资金、征迁等问题。\n一、各责任单位对照问题清单逐项销号；\n二、逾期未解决的问题提级协调；\n三、下次例会通报办理情况。",
        "projects": open_projects[:6]})
    made = 0
    for project in open_projects[:2]:
        services.decision_add(office, meeting, "problem", project, {
            "type": ProblemType.objects.get(name="前期手续/审批"), "description": "会议议定：加快办理施工许可，市行政审批服务局提前介入指导",
            "handling_unit": units.get("临沂市行政审批服务局") or Unit.objects.first(), "deadline": today + timedelta(days=10),
            "cooperating_units": []})
        made += 1
    red = Project.objects.filter(light=Light.RED).order_by("id").first() or open_projects[-1]
    services.decision_add(office, meeting, "order", open_projects[2] if len(open_projects) > 2 else red, {
        "unit": units.get("临沂市财政局") or Unit.objects.first(), "content": "会议议定：专项债资金尽快拨付到位，请限时回复拨付计划",
        "reply_by": today + timedelta(days=5), "rectify_by": today + timedelta(days=20)})
    inspection = services.gathering_save(inspector, Inspection, {
        "kind": InspectionKind.SUPERVISION, "title": "11月重点项目现场督导", "held_on": demo_today - timedelta(days=8),
        "leader": chair, "participants": "市委市政府督查室、市发改委", "findings": "部分项目现场施工人员不足，形象进度滞后于计划。",
        "projects": open_projects[6:9]})
    if len(open_projects) > 6:
        services.decision_add(inspector, inspection, "problem", open_projects[6], {
            "type": ProblemType.objects.get(name="施工组织/安全"), "description": "督导发现：现场施工人员不足，需增加作业面和人员",
            "handling_unit": units.get("临沂市住房和城乡建设局") or Unit.objects.first(), "deadline": today + timedelta(days=15),
            "cooperating_units": []})
        made += 1
    orders = 1
    for project in Project.objects.filter(light=Light.RED).order_by("id")[:2]:
        services.order_issue(inspector, project, {
            "basis": OrderBasis.WARNING, "unit": project.lead_unit or Unit.objects.first(),
            "content": "该项目投资进度严重滞后，请分析原因，限时回复整改方案并按期整改到位。",
            "reply_by": today + timedelta(days=rng.choice([3, 5, 7])), "rectify_by": today + timedelta(days=30)})
        orders += 1
    return {"meetings": 1, "inspections": 1, "decisions": made, "orders": orders}
