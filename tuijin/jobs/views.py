"""The pages of background work: a job's progress (polling its JSON), the user's recent jobs, retry."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services


@login_required
@require_safe
def job_list(request):
    return render(request, "jobs/list.html", {"jobs": selectors.recent_jobs(request.user)})


@login_required
@require_safe
def job_detail(request, pk):
    job = selectors.job_for_user(request.user, pk)
    return render(request, "jobs/detail.html", {
        "job": job, "data": selectors.job_data(job), "may_retry": services.may_manage(request.user, job),
    })


@never_cache
@login_required
@require_safe
def job_data(request, pk):
    return JsonResponse(selectors.job_data(selectors.job_for_user(request.user, pk)))


@login_required
@require_POST
def job_retry(request, pk):
    job = selectors.job_for_user(request.user, pk)
    try:
        services.job_retry(request.user, job)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, _("已重新提交“%(title)s”") % {"title": job.title})
    return redirect("jobs:detail", pk=job.pk)
