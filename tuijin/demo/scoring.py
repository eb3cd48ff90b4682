"""The demo city's assessments: this year's 县区 monthly scheme run for every closed month (each published
but the last, which stays a draft for the office to publish), and the 绵阳 红黑榜 preset installed with
the city's 县区 (regions) in its first 序列 and the departments that lead projects (units) in its
second, run for the last closed quarter (a draft). Built through the real services, so the boards,
drill-downs and history are what the office would see."""

from django.utils.translation import gettext as _

from tuijin.org.choices import RegionLevel, UnitKind
from tuijin.org.models import Region, Unit
from tuijin.projects.models import Project
from tuijin.reports.choices import PeriodStatus
from tuijin.reports.models import ReportPeriod
from tuijin.scoring import services

COUNTY_MONTHLY = {
    "indicators": [
        {"code": "plan", "name": "年度投资计划完成率", "source": "figure", "figure": "plan_rate", "weight": "40",
         "curve": {"kind": "per_point", "base": "40", "target": "100", "below": "0.2", "above": [["100", "0.1"]],
                   "max_bonus": "5", "max_penalty": "20"}},
        {"code": "pace", "name": "完成1—N月计划", "source": "figure", "figure": "plan_to_date_rate", "weight": "20",
         "curve": {"kind": "linear", "target": "100"}},
        {"code": "starts", "name": "开工率", "source": "figure", "figure": "start_rate", "weight": "15",
         "curve": {"kind": "linear", "target": "100", "missing": "15"}},
        {"code": "nodes", "name": "节点按期完成率", "source": "figure", "figure": "milestone_rate", "weight": "10",
         "curve": {"kind": "linear", "target": "100", "missing": "10"}},
        {"code": "problems", "name": "问题办结率", "source": "figure", "figure": "problem_close_rate", "weight": "10",
         "curve": {"kind": "linear", "target": "100", "missing": "10"}},
        {"code": "reporting", "name": "按时填报率", "source": "figure", "figure": "on_time_rate", "weight": "5",
         "curve": {"kind": "linear", "target": "100", "missing": "5"}},
    ],
}


def closed_months(year: int) -> list[int]:
    return sorted(set(ReportPeriod.objects.filter(year=year, status=PeriodStatus.CLOSED, cadence="month")
                      .values_list("month", flat=True)))


def build_scoring(dispatcher, year: int) -> dict:
    counties = list(Region.objects.filter(level__in=[RegionLevel.DISTRICT, RegionLevel.COUNTY, RegionLevel.ZONE])
                    .order_by("code").values_list("pk", flat=True))
    scheme = services.scheme_save(
        dispatcher, None, code="county-monthly", name=_("县区重点项目月度考核"),
        period_kind="month", basis=_("本市重点项目考核办法（演示）：投资40分、序时20分、开工15分、节点10分、问题10分、填报5分；"
                                     "每月通报，前三名进红榜，后两名进黑榜，完成年度计划的不进黑榜"),
        target_figure="plan_rate", target_value="100",
        config={"series": [{"name": _("县（市、区）/园区"), "kind": "region", "red": 3, "black": 2, "members": counties}],
                **COUNTY_MONTHLY})
    months = closed_months(year)
    runs = []
    for month in months:
        run = services.run_compute(dispatcher, scheme, f"{year}-{month:02d}")
        if month != months[-1]:
            run = services.run_publish(dispatcher, run, version=run.version)
        runs.append(run)
    boards = services.preset_install(dispatcher, "mianyang-boards")
    leading = set(Project.objects.admitted().exclude(lead_unit=None).values_list("lead_unit_id", flat=True))
    departments = list(Unit.objects.filter(pk__in=leading).exclude(kind=UnitKind.GOVERNMENT).order_by("pk")
                       .values_list("pk", flat=True))
    config = dict(boards.config)
    config["series"] = [{**config["series"][0], "members": counties}, {**config["series"][1], "members": departments}]
    boards = services.scheme_save(dispatcher, boards, version=boards.version, config=config,
                                  **{k: getattr(boards, k) for k in services.HEADER_FIELDS})
    quarter = (months[-1] // 3) if months else 0
    if quarter:
        services.run_compute(dispatcher, boards, f"{year}-Q{quarter}")
    return {"schemes": 2, "runs": len(runs) + bool(quarter), "published": max(len(runs) - 1, 0)}
