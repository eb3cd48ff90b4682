"""A ranking's computation as a background job (tuijin/jobs): every subject's figures read for the period.
The page checks the scheme and period first (services.run_compute_check) and queues this."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tuijin.core.exceptions import get_or_not_found
from tuijin.jobs.services import Outcome

from . import services
from .models import Scheme


def run_compute(progress, user, *, scheme_id: int, period: str) -> Outcome:
    scheme = get_or_not_found(Scheme.objects.all(), pk=scheme_id)
    progress(0, 1, _("正在按“%(scheme)s”计算考核结果") % {"scheme": scheme.name})
    run = services.run_compute(user, scheme, period)
    return Outcome(url=reverse("scoring:run", args=[run.pk]),
                   message=_("已计算%(period)s的考核结果（草稿），核对后可发布") % {"period": run.snapshot.get("period_label")})
