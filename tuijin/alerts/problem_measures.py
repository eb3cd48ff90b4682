"""The warning dimension read from the problems app: problems and supervision orders past their deadline.

Alerts reads problems, never the reverse (docs/architecture.md, Layout), so the measure lives here, in
the alerts app, and `connect()` (called from the alerts app's `ready()`) adds it to the engine through
`engine.register` like every other dimension.
"""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from tuijin.problems.choices import OrderStatus
from tuijin.problems.models import Problem, SupervisionOrder

from . import engine
from .choices import Dimension


def problem_overdue(rule, projects, today: date) -> dict[int, engine.Finding]:
    """Problems not solved by their deadline (待受理、办理中) and supervision orders not answered or not
    rectified by theirs; the project's most overdue one is named."""
    ids = projects.values("pk")
    rows = [(pk, f"problem:{item}", _("问题“%(name)s”") % {"name": text[:20]}, deadline)
            for pk, item, text, deadline in Problem.objects.overdue(today).filter(project__in=ids)
            .values_list("project_id", "pk", "description", "deadline")]
    for pk, item, status, reply_by, rectify_by, year, seq in (
            SupervisionOrder.objects.overdue(today).filter(project__in=ids)
            .values_list("project_id", "pk", "status", "reply_by", "rectify_by", "year", "seq")):
        rows.append((pk, f"order:{item}", f"督办〔{year}〕{seq}号", reply_by if status == OrderStatus.ISSUED else rectify_by))
    rows.sort(key=lambda row: (row[0], row[3], row[1]))
    return engine.overdue_findings(rows, today, "", ngettext_lazy("%(name)s逾期%(n)s天未办结（时限%(d)s）",
                                                                  "%(name)s逾期%(n)s天未办结（时限%(d)s）", "n"),
                                   _("等%(k)s项问题督办逾期"))


def connect() -> None:
    engine.register(Dimension.PROBLEM_OVERDUE, problem_overdue)
