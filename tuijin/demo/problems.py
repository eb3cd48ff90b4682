"""The demo city's problems and supervision, as of the day the demo is built. What clerks wrote under
存在问题及困难 in the last months' reports becomes the problem list (as it does live); the office hands
most of it to the unit that owns the matter (交办, with a deadline counted from that day), the unit's
own officer accepts it (受理) and reports on it, most are solved on time and verified (销号) by the
office, some late, a few escalated to the contracted city leader, who gives an instruction (批示). One
regular meeting and one inspection with their decisions, and supervision orders (督办).

Every step goes through the real services, run by the right person as of a past moment (`Clock.at`),
each later than the one before and none after the build's "now": timelines, history and the messages
they send are genuine, and a problem left open is overdue by days or weeks, never months."""

import random
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model

from tuijin.org.choices import RegionLevel, Role, UnitKind
from tuijin.org.models import Leader, Membership, Unit
from tuijin.problems import services
from tuijin.problems.choices import InspectionKind, Ladder, MeetingKind, OrderBasis, ProblemAction
from tuijin.problems.models import Inspection, Meeting, Problem, ProblemType
from tuijin.projects.choices import Light
from tuijin.projects.models import Project
from tuijin.reports.models import ReportPeriod

from .clock import Clock

# problem type → the department that owns it (None: the project's district government, or for a
# city-level project its lead department)
OWNERS = {
    "用地": "临沂市自然资源和规划局", "规划": "临沂市自然资源和规划局", "资金": "临沂市财政局",
    "配套(水电气暖路)": "国网临沂供电公司", "环保/能耗": "临沂市生态环境局", "前期手续/审批": "临沂市行政审批服务局",
    "施工组织/安全": "临沂市住房和城乡建设局", "征地拆迁/民事纠纷": None, "其他": None,
}
ACCEPT_TEXTS = ["已受理，明确专人跟进办理", "已受理，正在与项目单位对接", "已受理，将会同相关科室研究办理"]
REPLY_TEXTS = ["已与项目单位对接，正在协调办理", "已召开专题协调会，明确了办理路径和时间节点", "材料已上报，等待上级批复",
               "已现场踏勘，正在制定解决方案"]
RESOLVE_TEXTS = ["已协调解决，项目正常推进", "指标已落实，手续已办结", "资金已拨付到位", "电力接入方案已确定，施工已恢复",
                 "补偿协议已签订，作业面已移交"]
PROBLEM_PERIODS = 3  # the problems come from the last three months' reports (and this month's handed in so far)


def _owner(problem: Problem, units: dict[str, Unit]) -> Unit | None:
    name = OWNERS.get(problem.type.name)
    if name and name in units:
        return units[name]
    project = problem.project
    if project.region.level != RegionLevel.CITY:
        government = Unit.objects.filter(region=project.region, kind=UnitKind.GOVERNMENT).order_by("id").first()
        if government is not None:
            return government
    return project.lead_unit or units.get("临沂市发展和改革委员会")


def _officers() -> dict[int, object]:
    """unit id → the person who acts for the unit on a problem (its 办理 officer, else its clerk)."""
    order = {Role.HANDLER: 0, Role.REPORTER: 1}
    officers: dict[int, tuple[int, object]] = {}
    for m in Membership.objects.filter(is_active=True).select_related("user").order_by("id"):
        rank = order.get(m.role, 2)
        if m.unit_id not in officers or rank < officers[m.unit_id][0]:
            officers[m.unit_id] = (rank, m.user)
    return {unit_id: user for unit_id, (rank, user) in officers.items() if rank < 2}


class Timeline:
    """The moments of one problem's steps: each on a later day than the last, none in the future."""

    def __init__(self, rng: random.Random, clock: Clock, start: datetime):
        self.rng, self.clock, self.last = rng, clock, start

    def after(self, low: int, high: int) -> datetime | None:
        day = self.last.date() + timedelta(days=self.rng.randint(low, high))
        when = max(self.clock.office_hours(self.rng, day), self.last + timedelta(minutes=30))
        if not self.clock.past(when):
            return None
        self.last = when
        return when

    def on(self, day: date) -> datetime | None:
        return self.after(max(0, (day - self.last.date()).days), max(0, (day - self.last.date()).days))


def build_problems(rng: random.Random, clock: Clock) -> dict:
    names = ["dispatcher", "leader", "inspector"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    office, inspector, leader_user = users["dispatcher"], users["inspector"], users["leader"]
    periods = list(ReportPeriod.objects.filter(starts_on__lte=clock.today).order_by("-starts_on")[:PROBLEM_PERIODS + 1])
    project_ids = list(Project.objects.values_list("pk", flat=True))
    units = {u.name: u for u in Unit.objects.filter(name__in=[n for n in OWNERS.values() if n] + ["临沂市发展和改革委员会"])}
    officers = _officers()
    number = 0
    for period in reversed(periods):
        # As the office collects the reports: the closed months at their due day, this month now. Each
        # month's new problems are then handled before the next month's reports come in, so a difficulty
        # reported again is noted on the problem only while it is still open.
        moment = clock.moment(period.due_on if period.closed_at else clock.today, 18)
        with clock.at(moment):
            made = services.problems_from_reports(period.pk, project_ids)
        problems = (Problem.objects.filter(pk__in=[p.pk for p in made])
                    .select_related("type", "project__region", "project__lead_unit", "report").order_by("id"))
        for problem in problems:
            raised = problem.report.submitted_at if problem.report_id else clock.moment(problem.raised_on, 9)
            _handle(rng, clock, number, problem, Timeline(rng, clock, raised), units, officers, office, leader_user)
            number += 1
    counts = {"problems": Problem.objects.count()}
    counts.update(_meetings(rng, clock, office, inspector, units, officers))
    return counts


def _handle(rng, clock, number, problem, time, units, officers, office, leader_user) -> None:
    if rng.random() < 0.08:
        return  # still waiting for the office to hand it out
    when = time.after(1, 4)
    if when is None:
        return
    unit = _owner(problem, units)
    officer = officers.get(unit.pk) if unit else None
    deadline = when.date() + timedelta(days=rng.choice([15, 20, 30, 30, 45]))
    with clock.at(when):
        problem = services.problem_assign(office, problem, {
            "type": problem.type, "description": problem.description, "handling_unit": unit, "deadline": deadline,
            "cooperating_units": []}, version=problem.version)
    when = time.after(0, 3)
    if when is None or officer is None:
        return  # handed out, not yet accepted
    with clock.at(when):
        problem = services.problem_step(officer, problem, ProblemAction.ACCEPT, version=problem.version,
                                        text=rng.choice(ACCEPT_TEXTS))
    if number % 11 == 4:  # beyond the unit: escalated to the contracted leader, who instructs
        level = Ladder.COMMITTEE if number % 33 == 4 else Ladder.LEADER
        when = time.after(5, 12)
        if when is None or services.contracted_leader(problem.project) is None:
            return
        with clock.at(when):
            problem = services.problem_step(office, problem, ProblemAction.ESCALATE, version=problem.version, level=level,
                                            text="涉及多个部门，单位层面难以协调，提请分包市领导协调解决")
        when = time.after(1, 3)
        if when is None:
            return
        with clock.at(when):
            problem = services.problem_step(leader_user, problem, ProblemAction.INSTRUCT, version=problem.version,
                                            text=rng.choice(["请相关部门一周内拿出解决方案，下次例会汇报",
                                                             "请市发改委牵头，会同有关部门现场办公，限期解决"]))
    elif rng.random() < 0.6:
        when = time.after(2, 8)
        if when is None:
            return
        with clock.at(when):
            problem = services.problem_step(officer, problem, ProblemAction.REPLY, version=problem.version,
                                            text=rng.choice(REPLY_TEXTS))
    if rng.random() < 0.8:  # on time
        span = max(1, (problem.deadline - time.last.date()).days - 1)
        when = time.after(min(3, span), span)
    else:  # late, by days or weeks
        when = time.on(problem.deadline + timedelta(days=rng.randint(3, 30)))
    if when is None:
        return
    with clock.at(when):
        problem = services.problem_step(officer, problem, ProblemAction.RESOLVE, version=problem.version,
                                        text=rng.choice(RESOLVE_TEXTS))
    when = time.after(1, 5)
    if when is None or rng.random() < 0.12:
        return
    with clock.at(when):
        services.problem_step(office, problem, ProblemAction.CLOSE, version=problem.version, text="经核实已解决，同意销号")


def _meetings(rng, clock: Clock, office, inspector, units, officers) -> dict:
    today = clock.today
    open_projects = list(Project.objects.filter(problems__status__in=["pending", "handling"]).distinct().order_by("id")[:12])
    chair = Leader.objects.order_by("sort", "id").first()
    held = today - timedelta(days=rng.randint(3, 9))
    half = "上半月" if held.day <= 15 else "下半月"
    made, orders = 0, 0
    with clock.at(clock.moment(held, 17)):
        meeting = services.gathering_save(office, Meeting, {
            "kind": MeetingKind.REGULAR, "title": f"全市重点项目推进例会（{held.month}月{half}）", "held_on": held,
            "location": "市政府第一会议室", "chair": chair,
            "attendees": "市发改委、市自然资源和规划局、市财政局、市住房城乡建设局、各县区政府分管负责同志",
            "minutes": "会议听取了重点项目推进情况汇报，研究了用地、资金、征迁等问题。\n一、各责任单位对照问题清单逐项销号；\n"
                       "二、逾期未解决的问题提级协调；\n三、下次例会通报办理情况。",
            "projects": open_projects[:6]})
        for project in open_projects[:2]:
            services.decision_add(office, meeting, "problem", project, {
                "type": ProblemType.objects.get(name="前期手续/审批"),
                "description": "会议议定：加快办理施工许可，市行政审批服务局提前介入指导",
                "handling_unit": units.get("临沂市行政审批服务局") or Unit.objects.first(), "deadline": held + timedelta(days=15),
                "cooperating_units": []})
            made += 1
        if len(open_projects) > 2:
            services.decision_add(office, meeting, "order", open_projects[2], {
                "unit": units.get("临沂市财政局") or Unit.objects.first(),
                "content": "会议议定：专项债资金尽快拨付到位，请限时回复拨付计划",
                "reply_by": held + timedelta(days=7), "rectify_by": held + timedelta(days=25)})
            orders += 1
    inspected = today - timedelta(days=rng.randint(10, 16))
    with clock.at(clock.moment(inspected, 16)):
        inspection = services.gathering_save(inspector, Inspection, {
            "kind": InspectionKind.SUPERVISION, "title": f"{inspected.month}月重点项目现场督导", "held_on": inspected,
            "leader": chair, "participants": "市委市政府督查室、市发改委", "findings": "部分项目现场施工人员不足，形象进度滞后于计划。",
            "projects": open_projects[6:9]})
        if len(open_projects) > 6:
            services.decision_add(inspector, inspection, "problem", open_projects[6], {
                "type": ProblemType.objects.get(name="施工组织/安全"), "description": "督导发现：现场施工人员不足，需增加作业面和人员",
                "handling_unit": units.get("临沂市住房和城乡建设局") or Unit.objects.first(),
                "deadline": inspected + timedelta(days=20), "cooperating_units": []})
            made += 1
    issued = today - timedelta(days=rng.randint(2, 5))
    with clock.at(clock.moment(issued, 10)):
        for project in Project.objects.filter(light=Light.RED).order_by("id")[:2]:
            services.order_issue(inspector, project, {
                "basis": OrderBasis.WARNING, "unit": project.lead_unit or Unit.objects.first(),
                "content": "该项目进度滞后于计划，请分析原因，限时回复整改方案并按期整改到位。",
                "reply_by": issued + timedelta(days=rng.choice([5, 7])), "rectify_by": issued + timedelta(days=30)})
            orders += 1
    return {"meetings": 1, "inspections": 1, "decisions": made, "orders": orders}
