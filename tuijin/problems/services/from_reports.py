"""Problems raised from the monthly reports: a handed-in report's 存在问题及困难 becomes a problem (来源: 月报) once."""

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.bulk import add_objects, create_history, create_objects
from tuijin.core.history import stamp
from tuijin.reports.choices import HANDED_IN_STATES
from tuijin.reports.models import ProgressReport

from ..choices import ACTIVE_PROBLEM_STATES, ProblemAction, ProblemStatus, Source
from ..models import Event, Problem, ProblemType
from .common import TEXT_LIMIT, _changed, _event

# “无”, “暂无问题和困难”, “目前没有困难”, “/”…: the clerk says there is nothing (the box is titled 存在问题及困难,
# so “无问题及困难” is as common as “无”); anything else, “无法开工” or “没有资金” included, is a problem.
NOTHING = re.compile(r"^[\s。．.、,，;；:：/\\\-—_（）()]*"
                     r"((目前|当前|现|暂时?)?(无|没有|暂无|未发现)(明显)?(问题|困难)?([和及与、]?(问题|困难))?|正常|/)?"
                     r"[\s。．.、,，;；）)]*$")

KEYWORDS = [
    ("征地拆迁/民事纠纷", ("征地", "拆迁", "征迁", "民事", "纠纷", "阻工", "补偿", "青苗")),
    ("用地", ("用地", "土地", "供地", "指标", "林地", "耕地", "占补")),
    ("资金", ("资金", "融资", "贷款", "拨付", "缺口", "到位", "专项债")),
    ("前期手续/审批", ("手续", "审批", "批复", "许可", "立项", "核准", "备案", "可研", "施工许可", "审查")),
    ("环保/能耗", ("环评", "环保", "能耗", "能评", "排放", "扬尘")),
    ("管线迁改", ("管线", "迁改", "杆线", "迁移")),
    ("配套(水电气暖路)", ("供水", "供电", "用电", "燃气", "供暖", "道路", "配套", "电力", "接入")),
    ("规划", ("规划", "选址", "红线", "调规")),
    ("施工组织/安全", ("施工", "安全", "工期", "人员", "机械", "雨季", "冬季")),
    ("政策", ("政策", "补贴", "优惠", "税")),
]


def guess_type(text: str, types: dict | None = None) -> ProblemType | None:
    """The problem type a report's words suggest (资金、用地…), or 其他; the office corrects it."""
    if types is None:
        types = {t.name: t for t in ProblemType.objects.filter(is_active=True)}
    for name, words in KEYWORDS:
        if name in types and any(w in text for w in words):
            return types[name]
    return types.get("其他") or next(iter(types.values()), None)


def says_nothing(text: str) -> bool:
    """“无”, “暂无问题”, “/”: a report with nothing to raise."""
    return bool(NOTHING.match(text or ""))


REPORT_CHUNK = 5000  # project ids per query (SQLite's bound-variable limit; alerts refresh in the same parts)


def problems_from_reports(period_id: int, project_ids) -> list[Problem]:
    """Each handed-in report of the period whose 存在问题及困难 says something becomes a problem (来源:
    月报), once; the same words again in a later month add a note to the open problem instead of a
    second one; a report handed in again with other words updates its problem while nobody has accepted
    it yet. Raised in the name of the person who handed the report in. A few queries per 5,000 reports
    (a whole import), so a grid's hand-in stays fast."""
    ids = sorted(set(project_ids))
    made = []
    for start in range(0, len(ids), REPORT_CHUNK):
        chunk = ids[start:start + REPORT_CHUNK]
        # Most hand-ins say nothing under 存在问题及困难: a read first, so that they take no write
        # transaction (on SQLite the database's one write lock, which the deadline's submits queue for).
        if not ProgressReport.objects.filter(period_id=period_id, project_id__in=chunk, state__in=HANDED_IN_STATES,
                                             project__is_archived=False).exclude(problems="").exists():
            continue
        made += _problems_from_reports(period_id, chunk)
    return made


@transaction.atomic
def _problems_from_reports(period_id: int, project_ids: list[int]) -> list[Problem]:
    reports = [r for r in ProgressReport.objects.filter(period_id=period_id, project_id__in=project_ids, state__in=HANDED_IN_STATES,
                                                         project__is_archived=False)
               .exclude(problems="").select_related("submitted_by", "period").order_by("id")
               if not says_nothing(r.problems)]
    if not reports:
        return []
    texts = {r.pk: r.problems.strip()[:TEXT_LIMIT] for r in reports}
    existing = {p.report_id: p for p in Problem.objects.select_for_update().filter(report_id__in=list(texts))}
    same = {}
    for problem in (Problem.objects.filter(project_id__in=[r.project_id for r in reports], status__in=ACTIVE_PROBLEM_STATES,
                                           description__in=set(texts.values())).order_by("-id")):
        same[(problem.project_id, problem.description)] = problem
    types = {t.name: t for t in ProblemType.objects.filter(is_active=True)}
    label = reports[0].period.label
    noted = set(Event.objects.filter(problem_id__in=[p.pk for p in same.values()], action=ProblemAction.REPLY,
                                     text__startswith=label).values_list("problem_id", flat=True))
    new, events_rows = [], []
    for report in reports:
        text, period = texts[report.pk], report.period.label
        problem = existing.get(report.pk)
        if problem is not None:
            if problem.status == ProblemStatus.PENDING and problem.description != text:
                Problem.objects.filter(pk=problem.pk).update(version=F("version") + 1)
                problem.version += 1
                problem.description = text
                stamp(problem, report.submitted_by, _("月报重新上报，更新问题描述")).save()
                _event(report.submitted_by, ProblemAction.REPLY, problem=problem, text=_("月报重新上报：%(t)s") % {"t": text})
            continue
        earlier = same.get((report.project_id, text))
        if earlier is not None and earlier.report_id != report.pk:  # the same words again: one problem
            if earlier.pk and earlier.pk not in noted:
                noted.add(earlier.pk)
                events_rows.append(Event(problem=earlier, action=ProblemAction.REPLY, actor=report.submitted_by,
                                         actor_unit_id=report.unit_id, at=timezone.now(),
                                         text=_("%(period)s月报再次反映此问题") % {"period": period}))
            continue
        kind = guess_type(text, types)
        if kind is None:
            continue
        raised_on = timezone.localdate(report.submitted_at) if report.submitted_at else timezone.localdate()
        problem = Problem(project_id=report.project_id, type=kind, description=text, source=Source.REPORT, report=report,
                          raised_by=report.submitted_by, raised_on=raised_on, version=1)
        new.append((problem, report))
        same[(report.project_id, text)] = problem
    if not new:
        add_objects(Event, events_rows)
        return []
    # All the new problems in one INSERT and their history in one per person who handed reports in,
    # whatever their number (a grid's hand-in of 200 reports stays a few statements; issue #13 §7).
    create_objects(Problem, [problem for problem, _report in new])
    by_user: dict = {}
    for problem, report in new:
        by_user.setdefault(report.submitted_by_id, (report.submitted_by, []))[1].append(problem)
    now = timezone.now()
    for user, problems in by_user.values():
        create_history(Problem, problems, history_type="+", user=user, reason=_("月报提出的问题"), when=now)
    made = []
    for saved, report in new:
        made.append(saved)
        user = report.submitted_by
        events_rows.append(Event(problem=saved, action=ProblemAction.RAISE, actor=user, at=report.submitted_at or timezone.now(),
                                 actor_unit_id=report.unit_id,
                                 text=_("%(period)s月报提出：%(t)s") % {"period": report.period.label, "t": saved.description},
                                 status_after=saved.status, level_after=saved.level))
    add_objects(Event, events_rows)
    _changed([p.project_id for p in made], None)
    return made
