"""The audit administrator's pages: the trail searched and paginated, its export, the chain's check."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from . import selectors, services
from .exporting import audit_export


@login_required
@require_safe
def entry_list(request):
    filterset = selectors.search(request.user, request.GET)
    page = Paginator(filterset.qs, settings.TUIJIN_PAGE_SIZE).get_page(request.GET.get("page"))
    entries = [(entry, selectors.detail_lines(entry)) for entry in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/list.html", {"filterset": filterset, "page": page, "entries": entries,
                                               "query": f"{query.urlencode()}&" if query else "", "status": selectors.chain_status()})


def build_export(request):
    return audit_export(selectors.search(request.user, request.GET))


@login_required
@require_POST
def verify(request):
    selectors.require_auditor(request.user)
    result = services.verify()
    if result.ok:
        messages.success(request, _("审计链完好：已校验至第%(n)s条") % {"n": result.last_seq})
    else:
        messages.error(request, _("审计链断裂：第%(seq)s条（%(at)s）：%(reason)s") % {
            "seq": result.broken_seq, "at": result.broken_at, "reason": result.reason})
    return redirect("audit:list")
