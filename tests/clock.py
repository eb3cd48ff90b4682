"""Chosen days for tests whose outcome depends on the date (time-machine's `time_machine` fixture).

A date rule (a report is late after its due date, an order is overdue after its reply date, the
ledger's year…) is judged on the office's calendar, Asia/Shanghai. `at(2026, 12, 31)` is that day at
10:00 Shanghai time; `at(2026, 12, 31, 23, 30)` is half an hour before the year changes there, while it
is still 15:30 in UTC. The clock keeps ticking from there, so rows written one after another keep their
order.

    def test_x(time_machine):
        time_machine.move_to(at(2026, 12, 31))

Move the clock before the fixtures that write dated rows, or in a fixture they depend on.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Days where a calendar rule turns: month ends (30, 31, February in a common and a leap year) and the
# year change.
MONTH_ENDS = [(2026, 1, 31), (2026, 2, 28), (2028, 2, 29), (2026, 4, 30)]
YEAR_END = (2026, 12, 31)
NEW_YEAR = (2027, 1, 1)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """That moment in Shanghai (aware, so time-machine reads it without guessing a zone)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)
