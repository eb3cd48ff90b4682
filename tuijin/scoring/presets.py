"""Published assessment schemes reproduced as documents (the same shape a scheme exports as).

Each is installed without subjects: the office picks its own 县区 or units into the 序列, each 序列
of the kind of subject the published rule ranks in it (绵阳: 县（市、区）/园区 are regions, 市直部门/市属
国企 the units that lead projects). What the published rule says that a figure cannot measure is a
manual item the office scores; where a preset simplifies a published rule, its basis says how.
"""

from django.utils.translation import gettext_lazy as _

# 2020年市重点工程综合奖（金/银奖）评分表: 计划完成 40 and 项目开工 25, plus 管理服务 15.
AWARD_2020 = {
    "code": "award-2020",
    "name": _("市重点工程综合奖评分（2020年评分表）"),
    "period_kind": "year",
    "basis": _("2020年市重点工程综合奖（金/银奖）评分表：计划完成40分、项目开工25分、管理服务15分。"
               "完成率排名按年度计划完成率计；开工率按“项目1–5个不低于80%得5分，每低10个百分点扣1分，最多扣2分”计。"),
    "target_figure": "plan_rate",
    "target_value": "100",
    "red_needs_target": False,
    "series": [{"name": _("区县（市）/开发园区"), "kind": "region", "red": 3, "black": 0, "members": []}],
    "indicators": [
        {"code": "plan", "name": _("全年投资计划完成率"), "source": "figure", "figure": "plan_rate", "weight": "25",
         "curve": {"kind": "per_point", "base": "25", "target": "100", "below": "0.1",
                   "above": [["100", "0.2"], ["130", "0.1"]], "max_bonus": "10", "max_penalty": "10"}},
        {"code": "plan-rank", "name": _("完成率排名"), "source": "figure", "figure": "plan_rate", "weight": "7",
         "curve": {"kind": "rank", "ranks": [[1, 3, "7"], [4, 6, "5"], [7, 10, "3"]]}},
        {"code": "scale-rank", "name": _("全年完成投资规模排名"), "source": "figure", "figure": "completed", "weight": "5",
         "curve": {"kind": "rank", "ranks": [[1, 3, "5"], [4, 6, "3"], [7, 10, "1"]]}},
        {"code": "hightech", "name": _("高新技术产业占比排名"), "source": "manual", "weight": "3",
         "curve": {"kind": "linear", "target": "3"}},
        {"code": "new-starts", "name": _("新开工项目（每个加1分，最多10分）"), "source": "figure", "figure": "started",
         "weight": "10", "curve": {"kind": "count", "each": "1", "cap": "10"}},
        {"code": "start-rate", "name": _("开工率"), "source": "figure", "figure": "start_rate", "weight": "5",
         "curve": {"kind": "per_point", "base": "5", "target": "80", "step": "10", "below": "1", "whole_steps": True,
                   "max_penalty": "2", "max_bonus": "0", "missing": "2"}},
        {"code": "late-starts", "name": _("未按期开工入库（每个扣3分）"), "source": "figure", "figure": "not_started_on_time",
         "weight": "0", "curve": {"kind": "count", "each": "-3"}},
        {"code": "service", "name": _("管理服务"), "source": "manual", "weight": "15",
         "curve": {"kind": "linear", "target": "15"}},
    ],
}

# 城建重点项目 monthly 100-point score of each project: 工程进度 60, 工程质量 10, 资金保障 20, 履约守法 10;
# 文明施工 −2 per finding; a major safety or quality accident is 一票否决.
CITY_WORKS_MONTHLY = {
    "code": "city-works-monthly",
    "name": _("城建重点项目月度百分制考核"),
    "period_kind": "month",
    "basis": _("城建重点项目考核：工程进度60分、工程质量10分、资金保障20分、履约守法10分，文明施工每发现一处扣2分，"
               "发生重大安全质量事故一票否决。工程进度按完成1—N月投资计划的比例计。"),
    "target_figure": "plan_to_date_rate",
    "target_value": "100",
    "red_needs_target": False,
    "series": [{"name": _("城建重点项目"), "kind": "project", "red": 10, "black": 10, "members": []}],
    "indicators": [
        {"code": "progress", "name": _("工程进度"), "source": "figure", "figure": "plan_to_date_rate", "weight": "60",
         "curve": {"kind": "linear", "target": "100"}},
        {"code": "quality", "name": _("工程质量"), "source": "manual", "weight": "10", "curve": {"kind": "linear", "target": "10"}},
        {"code": "funding", "name": _("资金保障"), "source": "manual", "weight": "20", "curve": {"kind": "linear", "target": "20"}},
        {"code": "compliance", "name": _("履约守法"), "source": "manual", "weight": "10", "curve": {"kind": "linear", "target": "10"}},
        {"code": "civilised", "name": _("文明施工问题（每处扣2分）"), "source": "manual", "weight": "0",
         "curve": {"kind": "count", "each": "-2"}},
    ],
}

# 绵阳 红黑榜 (2022年一季度): two 序列, 红榜 for those who over-fulfilled and score at the top, 黑榜 for
# the bottom of those who did not; 完成目标任务的不进入黑榜.
MIANYANG_BOARDS = {
    "code": "mianyang-boards",
    "name": _("省市重点项目推进红黑榜（绵阳口径）"),
    "period_kind": "quarter",
    "basis": _("绵阳市省市重点项目推进红黑榜：县（市、区）/园区序列红榜前5、黑榜后4，市直部门/市属国企序列红榜前4、黑榜后3；"
               "超额完成本期目标（完成1—N月计划投资）且量化评分靠前的进入红榜，完成目标任务或经批准因不可抗力未完成的不进入黑榜。"
               "量化评分的指标与分值为本系统的示例，请按本地办法调整。"),
    "target_figure": "plan_to_date_rate",
    "target_value": "100",
    "red_needs_target": True,
    "series": [{"name": _("县（市、区）/园区"), "kind": "region", "red": 5, "black": 4, "members": []},
               {"name": _("市直部门/市属国企"), "kind": "lead_unit", "red": 4, "black": 3, "members": []}],
    "indicators": [
        {"code": "plan", "name": _("投资完成率"), "source": "figure", "figure": "plan_rate", "weight": "50",
         "curve": {"kind": "linear", "target": "100", "cap": "60"}},
        {"code": "start-rate", "name": _("开工率"), "source": "figure", "figure": "start_rate", "weight": "20",
         "curve": {"kind": "linear", "target": "100"}},
        {"code": "milestones", "name": _("节点按期完成率"), "source": "figure", "figure": "milestone_rate", "weight": "15",
         "curve": {"kind": "linear", "target": "100"}},
        {"code": "problems", "name": _("问题办结率"), "source": "figure", "figure": "problem_close_rate", "weight": "15",
         "curve": {"kind": "linear", "target": "100"}},
    ],
}

# 临沂 monthly 十快十慢: the ten projects furthest ahead of and behind 序时进度 (with 先进/后进 县区 apart).
TEN_FAST_TEN_SLOW = {
    "code": "ten-fast-ten-slow",
    "name": _("十快十慢项目（按与序时进度之差）"),
    "period_kind": "month",
    "basis": _("临沂市省市重点项目每月“十快项目”“十慢项目”：按年计划完成率与序时进度之差排序，超出最多的十个为十快、"
               "落后最多的十个为十慢。"),
    "target_figure": "",
    "target_value": "100",
    "red_needs_target": False,
    "boards": {"red": _("十快项目"), "black": _("十慢项目")},
    "series": [{"name": _("省市重点项目"), "kind": "project", "red": 10, "black": 10, "members": []}],
    "indicators": [
        {"code": "deviation", "name": _("与序时进度之差（百分点）"), "source": "figure", "figure": "deviation_points",
         "weight": "0", "curve": {"kind": "value"}},
    ],
}

PRESETS = {p["code"]: p for p in (AWARD_2020, CITY_WORKS_MONTHLY, MIANYANG_BOARDS, TEN_FAST_TEN_SLOW)}
