"""The dispatch office's long work, run as background jobs (tuijin/jobs): opening a period (a pending report
for every reporting project, then every project's reporting warnings re-judged) and closing one (the same
re-judging). The page checks what it can first (services.period_open_check / period_close_check) and queues
one of these; each calls the one service, so the CLI and the job write alike."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.exceptions import ConflictError, get_or_not_found
from tuijin.jobs.services import Outcome

from . import services
from .models import ReportPeriod


def period_open(progress, user, *, year: int, month: int, cadence: str, seq: int, due_on: str | None,
                stages: list[str], note: str = "") -> Outcome:
    progress(0, 1, _("正在开启调度期：生成待填报记录，并重新判定全部项目的填报和投资预警"))
    period = services.period_open(user, year=year, month=month, cadence=cadence, seq=seq,
                                  due_on=date.fromisoformat(due_on) if due_on else None, stages=stages, note=note)
    return Outcome(url=reverse("reports:period", args=[period.pk]),
                   message=_("%(label)s调度期已开启，%(n)s个项目须填报，截止%(due)s")
                   % {"label": period.label, "n": period.reports.count(), "due": period.due_on})


def period_close(progress, user, *, period_id: int, version, force: bool = False) -> Outcome:
    period = get_or_not_found(ReportPeriod.objects.all(), pk=period_id)
    progress(0, 1, _("正在关闭%(label)s调度期：冻结填报，并重新判定全部项目的填报和投资预警") % {"label": period.label})
    try:
        services.period_close(user, period, version=version, force=force)
    except ConflictError as exc:
        raise ValidationError(_("该调度期%(changed)s，本次没有关闭，请核对后再操作") % {"changed": exc.changed}) from exc
    return Outcome(url=reverse("reports:period", args=[period.pk]),
                   message=_("%(label)s调度期已关闭，填报已冻结") % {"label": period.label})
