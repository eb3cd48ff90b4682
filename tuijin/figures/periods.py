"""The period a figure is stated for: a month (2026-10), a quarter (2026-Q3), a half (2026-H1) or a
year (2026). Figures are as of the period's last day (1–N月累计, 序时进度 at month N); the on-time
reporting rate counts the reports of the period's own months. Pure functions, no database."""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from tuijin.core.parsing import YEAR_MAX, YEAR_MIN

MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"

_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})$"), MONTH),
    (re.compile(r"^(\d{4})-?[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})-?[Hh]([12])$"), HALF),
    (re.compile(r"^(\d{4})$"), YEAR),
)


class PeriodError(ValueError):
    """A period that cannot be read; the message is Chinese and says how to write one."""


@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    number: int  # the month, quarter or half; 0 for a year

    @property
    def first_month(self) -> int:
        return {MONTH: self.number, QUARTER: 3 * self.number - 2, HALF: 6 * self.number - 5}.get(self.kind, 1)

    @property
    def last_month(self) -> int:
        return {MONTH: self.number, QUARTER: 3 * self.number, HALF: 6 * self.number}.get(self.kind, 12)

    @property
    def start(self) -> date:
        """The first day of the period's own months."""
        return date(self.year, self.first_month, 1)

    @property
    def end(self) -> date:
        """The day the figures are as of: the period's last day."""
        return date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    @property
    def year_start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def key(self) -> str:
        return {MONTH: f"{self.year}-{self.number:02d}", QUARTER: f"{self.year}-Q{self.number}",
                HALF: f"{self.year}-H{self.number}"}.get(self.kind, str(self.year))

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return _("%(y)s年%(m)s月") % {"y": self.year, "m": self.number}
        if self.kind == QUARTER:
            quarters = (_("%(y)s年第一季度"), _("%(y)s年第二季度"), _("%(y)s年第三季度"), _("%(y)s年第四季度"))
            return quarters[self.number - 1] % {"y": self.year}
        if self.kind == HALF:
            return _("%(y)s年上半年") % {"y": self.year} if self.number == 1 else _("%(y)s年下半年") % {"y": self.year}
        return _("%(y)s年") % {"y": self.year}

    @property
    def span_label(self) -> str:
        """The cumulative span of the year's figures: 1—10月 (1月 alone in January)."""
        last = self.last_month
        return _("1月") if last == 1 else _("1—%(m)s月") % {"m": last}

    def last_year(self) -> "Period":
        return Period(self.kind, self.year - 1, self.number)


def parse_period(text) -> Period:
    """2026-10, 2026-Q3 (or 2026Q3), 2026-H1 (or 2026H1), 2026; anything else PeriodError."""
    value = str(text or "").strip()
    for pattern, kind in _FORMS:
        match = pattern.match(value)
        if match is None:
            continue
        year = int(match.group(1))
        number = int(match.group(2)) if kind != YEAR else 0
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise PeriodError(_("统计期“%(v)s”的年度应在%(min)s至%(max)s年之间") % {"v": value, "min": YEAR_MIN, "max": YEAR_MAX})
        if kind == MONTH and not 1 <= number <= 12:
            break
        return Period(kind, year, number)
    raise PeriodError(_("统计期“%(v)s”格式不正确，应写作 2026-10（月）、2026-Q3（季度）、2026-H1（半年）或 2026（年）")
                      % {"v": value})


def month_of(day: date) -> Period:
    return Period(MONTH, day.year, day.month)
