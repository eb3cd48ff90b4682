"""The demo's calendar: every date of the demo city is derived from one day, `today`.

`local_today()` is the real local date (Asia/Shanghai); `Clock` turns "days before today" into
moments no later than the build's "now", and `Clock.at(moment)` runs the application's own services
as if it were that moment, so the events, history and messages they write carry plausible past times
(a problem is accepted days after it was handed out, not at the second the demo was loaded).
"""

import calendar
import contextlib
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONTH_DUE_DAY = 25  # a month's reports are due on the 25th (reports.models.default_due)
EXTENDED_DUE_DAY = 5  # from the 25th on, the office has extended this month's deadline to the 5th of next month


def local_today() -> date:
    return timezone.localdate(timezone.now(), SHANGHAI)


def add_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


@dataclass(frozen=True)
class DispatchCalendar:
    """Which monthly periods the demo holds as of `today`, and when the open one is due."""

    open_year: int
    open_month: int
    due_on: date
    extended: bool  # the due date was moved past the 25th (see EXTENDED_DUE_DAY)
    closed: tuple[tuple[int, int], ...]  # (year, month), oldest first; the last one is last month


def dispatch_calendar(today: date) -> DispatchCalendar:
    """This month's period is open and due in the future; every earlier month of the year is closed.

    A month's reports are due on the 25th. From the 25th on that day is no longer ahead, and a real
    office keeps the month open for the stragglers with the deadline extended to the 5th of next
    month (the period's note says so) rather than open next month's period before it has begun: so
    the open period is never past due on the day the demo is built. In January the whole previous
    year is closed too, so that last month (December) and last year's figures exist.
    """
    year, month = today.year, today.month
    if today.day < MONTH_DUE_DAY:
        due, extended = date(year, month, MONTH_DUE_DAY), False
    else:
        due, extended = date(*add_month(year, month, 1), EXTENDED_DUE_DAY), True
    closed = [(year, m) for m in range(1, month)]
    if month == 1:
        closed = [(year - 1, m) for m in range(1, 13)]
    return DispatchCalendar(year, month, due, extended, tuple(closed))


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


class Clock:
    """Moments relative to `today`, never later than `now` (the build's present)."""

    def __init__(self, today: date, now: datetime | None = None):
        self.today = today
        if now is None:
            real = timezone.localtime(timezone.now(), SHANGHAI)
            now = real if real.date() == today else datetime.combine(today, time(18, 0), tzinfo=SHANGHAI)
        self.now = now

    def moment(self, day: date, hour: int = 10, minute: int = 0) -> datetime:
        """`day` at hh:mm local time, moved back to just before `now` if that would be in the future."""
        when = datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)
        return min(when, self.now - timedelta(minutes=5))

    def office_hours(self, rng: random.Random, day: date) -> datetime:
        return self.moment(day, rng.choice((9, 10, 11, 14, 15, 16)), rng.randint(0, 59))

    def past(self, when: datetime) -> bool:
        return when < self.now - timedelta(minutes=5)

    @contextlib.contextmanager
    def at(self, when: datetime):
        """Run the application's services as of `when` (their `timezone.now()` and `localdate()`)."""
        if when > self.now:
            raise ValueError(f"demo clock moved into the future: {when} > {self.now}")
        with mock.patch.object(timezone, "now", lambda: when.astimezone(UTC)):
            yield
