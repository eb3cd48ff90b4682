"""Re-judging many projects' warnings as a background job (tuijin/jobs): what a web request's bulk save (the
ledger import's confirm) used to wait for. subscribers.py queues it; the job page links to the warnings."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.jobs.services import Outcome

from . import services


def rejudge(progress, user, *, project_ids: list[int], dimensions: list[str] | None = None) -> Outcome:
    progress(0, 1, _("正在重新判定%(n)s个项目的预警") % {"n": len(project_ids)})
    result = services.refresh(project_ids, dimensions=dimensions)
    return Outcome(url=reverse("alerts:list"),
                   message=_("已重新判定%(n)s个项目的预警：新增%(c)s条，变化%(d)s条，解除%(r)s条")
                   % {"n": result.projects, "c": result.created, "d": result.changed, "r": result.resolved})
