"""Reads of the reminders app: a person's channels, the delivery log the office sees."""

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Value, When

from tuijin.org.selectors import office_regions, subtrees_q, user_access

from .backends import backend, enabled_channels
from .choices import Channel, DeliveryStatus
from .models import Delivery, Preference


def preferences_of(users) -> dict:
    """{user id: Preference} of those who saved one (one query)."""
    return {p.user_id: p for p in Preference.objects.filter(user_id__in=list(users))}


def channels_of(pref: Preference | None, offered: list[str]) -> list[str]:
    """The outside channels that reach a person: their choice, or the office's default when they made none;
    only channels the office offers now."""
    from django.conf import settings

    chosen = pref.channel_list if pref is not None else settings.TUIJIN_REMINDER_DEFAULT_CHANNELS
    return [c for c in chosen if c in offered]


def preference_of(user) -> Preference | None:
    return Preference.objects.filter(user=user).first()


def account_section(user) -> dict:
    """What the 账户与安全 page's 消息提醒 section shows: the offered channels, each chosen or not and
    whether it can reach the person (an address on file)."""
    offered = enabled_channels()
    pref = preference_of(user)
    chosen = set(channels_of(pref, offered))
    rows = []
    for channel in offered:
        sender = backend(channel)
        address = sender.address(user, pref)
        rows.append({"code": channel, "label": Channel(channel).label,
                     "chosen": channel in chosen, "address": address,
                     "unreachable": channel in chosen and not address and sender.needs_address})
    return {"offered": rows, "mobile": getattr(pref, "mobile", ""), "email": user.email, "saved": pref is not None}


def deliveries_for(user):
    """The delivery log the office sees: every delivery for a superuser; for admins and dispatchers, those to
    people whose units lie in the regions they act for."""
    rows = Delivery.objects.select_related("user")
    if user_access(user).is_superuser:
        return rows
    paths = list(office_regions(user).values_list("path", flat=True))
    if not paths:
        return rows.none()
    people = get_user_model().objects.filter(subtrees_q(paths, "memberships__unit__region__path"),
                                             memberships__is_active=True).values("pk")
    return rows.filter(user_id__in=people)


def delivery_log(user, status: str = ""):
    """The log, failures first, then waiting ones, then sent; newest first within each."""
    rows = deliveries_for(user)
    if status in DeliveryStatus.values:
        rows = rows.filter(status=status)
    order = Case(When(status=DeliveryStatus.FAILED, then=Value(0)), When(status=DeliveryStatus.PENDING, then=Value(1)),
                 default=Value(2), output_field=IntegerField())
    return rows.annotate(rank=order).order_by("rank", "-created_at", "-id")


def delivery_counts(user) -> dict:
    from django.db.models import Count

    counts = {row["status"]: row["n"] for row in deliveries_for(user).order_by().values("status").annotate(n=Count("id"))}
    return {status: counts.get(status, 0) for status in DeliveryStatus.values}
