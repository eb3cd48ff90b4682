"""Backward scheduling (倒排工期) and a milestone's status, against dates worked out by hand.

Each earlier node = its successor's date − the successor's standard days; the first node's own days
are its lead time (lead_start = first node − its days). The arithmetic is in the comments, month by
month; none of it calls the code's formula.
"""

from datetime import date, timedelta

import pytest

from tuijin.schedules.choices import MilestoneStatus
from tuijin.schedules.scheduling import (
    backward_dates,
    days_late,
    lead_start,
    milestone_status,
    template_dates,
)

# The seeded 房建类 template: 开工进场 30, 打桩或基础开挖 45, 主体工程基础浇注完成 60, 主体工程封顶 150,
# 装修或设备安装调试完成 120, 试投产或交付使用验收 45, 正式投产或交付使用 30.
BUILDING = [30, 45, 60, 150, 120, 45, 30]
BUILDING_2027_06_30 = [
    date(2026, 4, 6),    # 05-21 − 45: May 21 − 21 = Apr 30, − 24 more = Apr 6
    date(2026, 5, 21),   # 07-20 − 60: Jul 20 − 20 = Jun 30, − 30 = May 31, − 10 = May 21
    date(2026, 7, 20),   # 12-17 − 150: −17 Nov 30, −30 Oct 31, −31 Sep 30, −30 Aug 31, −31 Jul 31, −11 Jul 20
    date(2026, 12, 17),  # 2027-04-16 − 120: −16 Mar 31, −31 Feb 28 (2027 no leap), −28 Jan 31, −31 Dec 31, −14 Dec 17
    date(2027, 4, 16),   # 05-31 − 45: May 31 − 31 = Apr 30, − 14 = Apr 16
    date(2027, 5, 31),   # 06-30 − 30
    date(2027, 6, 30),   # the target
]


def test_building_template_backwards_from_2027_06_30():
    assert backward_dates(BUILDING, date(2027, 6, 30)) == BUILDING_2027_06_30


def test_building_template_lead_start():
    # 2026-04-06 − 30 = Mar 7; the whole template is 30+45+60+150+120+45+30 = 480 days long.
    assert lead_start(BUILDING, date(2027, 6, 30)) == date(2026, 3, 7)
    assert (date(2027, 6, 30) - date(2026, 3, 7)).days == 480


def test_road_template_across_a_leap_year():
    # 交通类: 30, 60, 180, 150, 90, 45, 30, 15 ending 2028-12-31.
    road = [30, 60, 180, 150, 90, 45, 30, 15]
    assert backward_dates(road, date(2028, 12, 31)) == [
        date(2027, 6, 10),   # 2027-08-09 − 60: Aug 9 − 9 = Jul 31, − 31 = Jun 30, − 20 = Jun 10
        date(2027, 8, 9),    # 2028-02-05 − 180: −5 Jan 31, −31 Dec 31, −31 Nov 30, −30 Oct 31, −31 Sep 30,
                             # −30 Aug 31, −22 Aug 9  (5+31+31+30+31+30+22 = 180)
        date(2028, 2, 5),    # 07-04 − 150: −4 Jun 30, −30 May 31, −31 Apr 30, −30 Mar 31, −31 Feb 29 (leap),
                             # −24 Feb 5  (4+30+31+30+31+24 = 150)
        date(2028, 7, 4),    # 10-02 − 90: −2 Sep 30, −30 Aug 31, −31 Jul 31, −27 Jul 4
        date(2028, 10, 2),   # 11-16 − 45: −16 Oct 31, −29 Oct 2
        date(2028, 11, 16),  # 12-16 − 30
        date(2028, 12, 16),  # 12-31 − 15
        date(2028, 12, 31),
    ]
    assert lead_start(road, date(2028, 12, 31)) == date(2027, 5, 11)  # Jun 10 − 30: −10 May 31, −20 May 11


@pytest.mark.parametrize(
    ("durations", "target", "expected"),
    [
        # across a year end: 2027-01-10 − 15 = 2026-12-26
        ([20, 15], date(2027, 1, 10), [date(2026, 12, 26), date(2027, 1, 10)]),
        # onto the leap day: 2028-03-01 − 1 = 2028-02-29
        ([7, 1], date(2028, 3, 1), [date(2028, 2, 29), date(2028, 3, 1)]),
        # over the leap day: 2028-03-15 − 30: −15 Feb 29, −15 Feb 14 (2027 would give Feb 13)
        ([10, 30], date(2028, 3, 15), [date(2028, 2, 14), date(2028, 3, 15)]),
        ([10, 30], date(2027, 3, 15), [date(2027, 2, 13), date(2027, 3, 15)]),
        # a year from the leap day: 2029-02-28 − 365 = 2028-02-29 (Feb 29 2028 → Mar 1 2028 is 1 day)
        ([5, 365], date(2029, 2, 28), [date(2028, 2, 29), date(2029, 2, 28)]),
        # month ends: 2027-03-31 − 31 = Feb 28; − 28 = Jan 31
        ([1, 28, 31], date(2027, 3, 31), [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]),
        # zero-day nodes fall on their successor's date
        ([0, 0, 0], date(2027, 6, 30), [date(2027, 6, 30)] * 3),
        # one node: on the target, whatever its lead time
        ([90], date(2027, 6, 30), [date(2027, 6, 30)]),
        ([], date(2027, 6, 30), []),
    ],
)
def test_backward_dates(durations, target, expected):
    assert backward_dates(durations, target) == expected


@pytest.mark.parametrize(
    ("durations", "target", "expected"),
    [
        ([90], date(2027, 6, 30), date(2027, 4, 1)),           # −30 May 31, −31 Apr 30, −29 Apr 1
        ([20, 15], date(2027, 1, 10), date(2026, 12, 6)),      # 2026-12-26 − 20
        ([60, 1], date(2028, 3, 1), date(2027, 12, 31)),       # Feb 29 − 60: −29 Jan 31, −31 Dec 31
        ([0, 5], date(2027, 1, 1), date(2026, 12, 27)),        # first node Dec 27, no lead time
        ([], date(2027, 6, 30), None),
    ],
)
def test_lead_start(durations, target, expected):
    assert lead_start(durations, target) == expected


def test_durations_may_be_numeric_strings_from_a_form():
    assert backward_dates(["30", "45"], date(2027, 6, 30)) == [date(2027, 5, 16), date(2027, 6, 30)]  # −30 May 31, −15


# ------------------------------------------------------------------------------------------ status

TODAY = date(2026, 6, 15)


@pytest.mark.parametrize(
    ("planned", "actual", "expected"),
    [
        (date(2026, 6, 10), date(2026, 6, 10), MilestoneStatus.DONE),        # on the day
        (date(2026, 6, 10), date(2026, 6, 1), MilestoneStatus.DONE),         # early
        (None, date(2026, 6, 1), MilestoneStatus.DONE),                      # done without a plan
        (date(2026, 6, 10), date(2026, 6, 11), MilestoneStatus.DONE_LATE),   # one day late
        (date(2026, 7, 1), date(2026, 7, 2), MilestoneStatus.DONE_LATE),     # judged by its dates, not today
        (None, None, MilestoneStatus.UNSCHEDULED),
        (date(2026, 6, 14), None, MilestoneStatus.OVERDUE),                  # yesterday
        (date(2025, 12, 31), None, MilestoneStatus.OVERDUE),
        (date(2026, 6, 15), None, MilestoneStatus.DUE_SOON),                 # today is not yet overdue
        (date(2026, 6, 22), None, MilestoneStatus.DUE_SOON),                 # today + 7
        (date(2026, 6, 23), None, MilestoneStatus.PLANNED),                  # today + 8
        (date(2027, 1, 1), None, MilestoneStatus.PLANNED),
    ],
)
def test_milestone_status(planned, actual, expected):
    assert milestone_status(planned, actual, TODAY) == expected


def test_due_soon_is_a_week_across_a_month_end():
    """A node due within seven days is 临近时限 from the day a week ahead; counted in days, not in dates."""
    today = date(2026, 6, 28)
    assert milestone_status(date(2026, 7, 5), None, today) == MilestoneStatus.DUE_SOON
    assert milestone_status(date(2026, 7, 6), None, today) == MilestoneStatus.PLANNED


def test_every_status_has_a_chinese_label():
    assert {s.value: s.label for s in MilestoneStatus} == {
        "done": "按期完成", "done_late": "逾期完成", "overdue": "已逾期", "due_soon": "临近时限",
        "planned": "未到期", "unscheduled": "未排期", "inferred": "已完成（推定）",
    }


@pytest.mark.parametrize(
    ("planned", "actual", "expected"),
    [
        (None, None, 0),
        (None, date(2026, 6, 1), 0),
        (date(2026, 6, 10), date(2026, 6, 10), 0),    # on time
        (date(2026, 6, 10), date(2026, 6, 1), 0),     # early is never negative
        (date(2026, 6, 10), date(2026, 6, 13), 3),    # done 3 days late
        (date(2026, 5, 31), date(2026, 7, 1), 31),    # Jun has 30 days: May 31 → Jun 30 is 30, → Jul 1 is 31
        (date(2026, 6, 14), None, 1),                 # open, yesterday
        (date(2026, 5, 16), None, 30),                # open: May 16 → May 31 is 15, → Jun 15 is 30
        (date(2025, 6, 15), None, 365),               # a year, no leap day between
        (date(2026, 6, 15), None, 0),                 # due today
        (date(2026, 7, 1), None, 0),                  # not yet due
    ],
)
def test_days_late(planned, actual, expected):
    assert days_late(planned, actual, TODAY) == expected


def test_days_late_across_the_leap_day():
    # 2028-02-28 → 2028-03-01 is 2 days (Feb 29 between).
    assert days_late(date(2028, 2, 28), None, date(2028, 3, 1)) == 2
    assert days_late(date(2027, 2, 28), None, date(2027, 3, 1)) == 1


# ==================================================================== anchored at the project's start


def test_anchored_at_the_start_the_later_nodes_fit_between_start_and_target():
    """开工进场 (index 0) on the start 2026-03-01; the target 2027-06-30 is 486 days later
    (2026-03-01 → 2027-03-01 = 365, + Mar 31 + Apr 30 + May 31 + Jun 29 = 486). The later nodes' standard
    days 45, 60, 150, 120, 45, 30 add up to 450, so node k falls on round(cumulative_k × 486 / 450):
    45 → 48.6 → 49, 105 → 113.4 → 113, 255 → 275.4 → 275, 375 → 405, 420 → 453.6 → 454, 450 → 486."""
    assert template_dates(BUILDING, date(2027, 6, 30), start_index=0, anchor=date(2026, 3, 1)) == [
        date(2026, 3, 1),     # the start
        date(2026, 4, 19),    # + 49: Mar 1 + 30 = Mar 31, + 19 = Apr 19
        date(2026, 6, 22),    # + 113: Mar 31 (30), May 1 (61), Jun 1 (92), + 21 = Jun 22
        date(2026, 12, 1),    # + 275: Mar..Nov = 31+30+31+30+31+31+30+31+30 = 275
        date(2027, 4, 10),    # + 405: 2027-03-01 is + 365, + 40 = Apr 10
        date(2027, 5, 29),    # + 454: 2027-03-01 + 89: Apr 1 (31), May 1 (61), + 28 = May 29
        date(2027, 6, 30),    # the target, exactly
    ]


def test_anchored_without_a_target_the_later_nodes_follow_the_standard_days():
    # 2026-03-01 + 45 = Apr 15; + 60 = Jun 14; + 150 = Nov 11 (Jun 30 is +16, Jul 31, Aug 31, Sep 30,
    # Oct 31 → 139, + 11); + 120 = 2027-03-11; + 45 = Apr 25; + 30 = May 25.
    assert template_dates(BUILDING, None, start_index=0, anchor=date(2026, 3, 1)) == [
        date(2026, 3, 1), date(2026, 4, 15), date(2026, 6, 14), date(2026, 11, 11),
        date(2027, 3, 11), date(2027, 4, 25), date(2027, 5, 25)]


def test_nodes_before_the_start_are_dated_backwards_from_it():
    # 甲 20, 乙 (the start) 10, 丙 31: 乙 on 2027-02-28, 甲 = 02-28 − 10 = 02-18, 丙 on the target.
    assert template_dates([20, 10, 31], date(2027, 3, 31), start_index=1, anchor=date(2027, 2, 28)) == [
        date(2027, 2, 18), date(2027, 2, 28), date(2027, 3, 31)]
    # The start as the last node (前期工作节点's 开工): everything is before it; no target is needed.
    assert template_dates([30, 20, 15], None, start_index=2, anchor=date(2027, 1, 15)) == [
        date(2026, 12, 11), date(2026, 12, 31), date(2027, 1, 15)]   # Jan 15 − 15 = Dec 31, − 20 = Dec 11


def test_without_an_anchor_or_a_start_node_it_is_backward_scheduling():
    assert template_dates(BUILDING, date(2027, 6, 30)) == BUILDING_2027_06_30
    assert template_dates(BUILDING, date(2027, 6, 30), start_index=None, anchor=date(2026, 3, 1)) == BUILDING_2027_06_30
    with pytest.raises(ValueError):
        template_dates(BUILDING, None)


def test_an_inferred_node_is_shown_as_inferred_never_as_its_own_date():
    assert milestone_status(TODAY - timedelta(days=100), None, TODAY, inferred=True) == MilestoneStatus.INFERRED
    # its own actual date, when there is one, wins
    assert milestone_status(TODAY - timedelta(days=10), TODAY, TODAY, inferred=True) == MilestoneStatus.DONE_LATE
