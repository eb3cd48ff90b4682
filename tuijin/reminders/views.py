"""The reminders pages: a person's channels (the 消息提醒 section of 账户与安全 posts here) and the office's
delivery log with its retry button. Thin views over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tuijin.core.exceptions import messages_of
from tuijin.org.selectors import is_office

from . import selectors, services
from .backends import enabled_channels
from .choices import Channel, DeliveryStatus
from .models import Delivery


@login_required
@require_POST
def preferences(request):
    try:
        services.preference_save(request.user, channels=request.POST.getlist("channels"),
                                 mobile=request.POST.get("mobile", ""))
    except ValidationError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("消息提醒设置已保存。"))
    return redirect(reverse("accounts:home") + "#reminders")


def _require_office(user) -> None:
    if not is_office(user):
        raise PermissionDenied


@login_required
@require_safe
def deliveries(request):
    _require_office(request.user)
    status = request.GET.get("status", "")
    page = Paginator(selectors.delivery_log(request.user, status), 50).get_page(request.GET.get("page"))
    return render(request, "reminders/deliveries.html", {
        "page_obj": page, "status": status if status in DeliveryStatus.values else "",
        "statuses": DeliveryStatus.choices, "counts": selectors.delivery_counts(request.user),
        "offered": [Channel(c).label for c in enabled_channels()],
    })


@login_required
@require_POST
def delivery_retry(request, pk: int):
    _require_office(request.user)
    try:
        services.delivery_retry(request.user, pk)
    except Delivery.DoesNotExist:
        from django.http import Http404

        raise Http404 from None
    except ValidationError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("已安排重发，将在下次发送时送出。"))
    return redirect("reminders:deliveries")
