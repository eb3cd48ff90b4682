"""Job functions and scheduled callables the tests run (plain functions, as the apps' are)."""

from django.core.exceptions import ValidationError

from tuijin.jobs.services import Outcome

CALLS: list[dict] = []


def steps(progress, user, *, n: int = 3, url: str = "/reports/"):
    """Reports each step and points at `url`."""
    for i in range(n):
        progress(i, n, f"第{i + 1}步")
    return Outcome(url=url, message=f"完成{n}步")


def refuses(progress, user, **params):
    raise ValidationError("该调度期已经关闭，不能再关闭")


def flaky(progress, user, *, flag: str):
    """Fails while the flag's row is absent (the test adds it between the first run and the retry)."""
    from tuijin.jobs.models import ScheduleRun

    if not ScheduleRun.objects.filter(name=flag).exists():
        raise ValidationError("前置数据尚未就绪")
    return Outcome(url="/", message="重试后完成")


def breaks(progress, user, **params):
    raise ZeroDivisionError("boom")


def scheduled(**kwargs):
    CALLS.append(kwargs)
    return {"seen": kwargs}
