"""Every write of the reminders app: queueing a notify()'s message for the person's outside channels,
sending what is due (quiet hours, digests, retries with backoff), the office's retry of a failed one, and a
person's choice of channels."""

import logging
import re
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.org.selectors import is_office

from . import selectors
from .backends import Backend, DeliveryError, Message, backend, enabled_channels
from .choices import Channel, DeliveryStatus
from .models import Delivery, Preference

log = logging.getLogger(__name__)

MOBILE = re.compile(r"^1\d{10}$")
LEASE = timedelta(minutes=10)  # a claimed batch another worker leaves alone while it is being sent
DIGEST_LINES = 10  # a digest lists this many; the rest are counted (SMS and robots limit a message's length)


# ------------------------------------------------------------------------------------------- queue


def deliveries_enqueue(notifications) -> list[Delivery]:
    """The notify() hook (settings.TUIJIN_NOTIFY_CHANNELS, run after the commit): one pending Delivery per
    message and outside channel its person chose (or the office's default), when that channel can reach
    them. Nothing when the office offers no outside channel."""
    offered = enabled_channels()
    if not offered or not notifications:
        return []
    users = {n.user_id: n.user for n in notifications}
    prefs = selectors.preferences_of(users)
    now = timezone.now()
    rows, backends = [], {c: backend(c) for c in offered}
    for n in notifications:
        pref = prefs.get(n.user_id)
        for channel in selectors.channels_of(pref, offered):
            address = backends[channel].address(users[n.user_id], pref)
            if not address and backends[channel].needs_address:
                continue  # the account page warns the person that this channel cannot reach them
            rows.append(Delivery(notification=n, user_id=n.user_id, channel=channel, recipient=address[:254],
                                 text=n.text, url=n.url, next_at=now))
    return Delivery.objects.bulk_create(rows)


# --------------------------------------------------------------------------------------------- send


def _parse_hhmm(text: str) -> time:
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def quiet_window() -> tuple[time, time] | None:
    """settings.TUIJIN_REMINDER_QUIET ("22:00-07:30", local time; empty: none) as (start, end)."""
    value = settings.TUIJIN_REMINDER_QUIET
    if not value:
        return None
    start, _sep, end = value.partition("-")
    return _parse_hhmm(start), _parse_hhmm(end)


def in_quiet_hours(now: datetime) -> bool:
    window = quiet_window()
    if window is None:
        return False
    start, end = window
    t = timezone.localtime(now).time()
    return start <= t < end if start <= end else (t >= start or t < end)


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failures: the base, doubled each time, at most a day."""
    minutes = settings.TUIJIN_REMINDER_RETRY_MINUTES * 2 ** max(0, attempts - 1)
    return timedelta(minutes=min(minutes, 24 * 60))


def _link(url: str) -> str:
    site = settings.TUIJIN_REMINDER_SITE_URL
    return f"{site}{url}" if site and url.startswith("/") else ""


def compose(rows: list[Delivery]) -> str:
    """One message for the person: the text (with its link when the site's address is set), or a digest
    listing several pending ones, oldest first."""
    if len(rows) == 1:
        link = _link(rows[0].url)
        return f"{rows[0].text}\n{link}" if link else rows[0].text
    lines = [_("您有%(n)s条新消息：") % {"n": len(rows)}]
    lines += [f"{i}. {row.text}" for i, row in enumerate(rows[:DIGEST_LINES], 1)]
    if len(rows) > DIGEST_LINES:
        lines.append(_("另有%(n)s条，请登录平台查看") % {"n": len(rows) - DIGEST_LINES})
    site = settings.TUIJIN_REMINDER_SITE_URL
    if site:
        lines.append(_("详见：%(url)s") % {"url": f"{site}/notifications/"})
    return "\n".join(lines)


def deliveries_send(now: datetime | None = None) -> dict:
    """Send every pending delivery that is due, one message per person and channel (a digest when several
    wait); nothing in quiet hours (they are held, and go out at the first run after). A failure is tried
    again after backoff() until TUIJIN_REMINDER_MAX_ATTEMPTS, then marked 失败."""
    now = now or timezone.now()
    summary = {"sent": 0, "messages": 0, "retrying": 0, "failed": 0, "held": 0, "quiet": False}
    due = Delivery.objects.filter(status=DeliveryStatus.PENDING, next_at__lte=now)
    if in_quiet_hours(now):
        summary.update(quiet=True, held=due.count())
        return summary
    groups: dict[tuple, list[Delivery]] = defaultdict(list)
    for row in due.select_related("user").order_by("id"):
        groups[(row.user_id, row.channel, row.recipient)].append(row)
    offered, backends = set(enabled_channels()), {}
    for (_user, channel, recipient), rows in groups.items():
        ids = [row.pk for row in rows]
        # Claim the batch: a second worker running at once finds next_at moved and leaves it.
        if Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING, next_at__lte=now).update(next_at=now + LEASE) != len(ids):
            continue
        error = ""
        try:
            if channel not in offered:
                raise DeliveryError(_("渠道“%(c)s”已停用") % {"c": Channel(channel).label})
            sender: Backend = backends.setdefault(channel, backend(channel))
            sender.send(Message(channel=channel, recipient=recipient, text=compose(rows), username=rows[0].user.get_username()))
        except DeliveryError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - a broken backend is logged and retried, never stops the others
            log.exception("reminder backend %s failed", channel)
            error = _("发送出错：%(why)s") % {"why": type(exc).__name__}
        _record(rows, now, error, summary)
    return summary


def _record(rows: list[Delivery], now: datetime, error: str, summary: dict) -> None:
    with transaction.atomic():
        for row in rows:
            row.attempts += 1
            row.tried_at = now
            row.digest_size = len(rows)
            if not error:
                row.status, row.sent_at, row.last_error, row.next_at = DeliveryStatus.SENT, now, "", now
            else:
                row.last_error = error[:500]
                if row.attempts >= settings.TUIJIN_REMINDER_MAX_ATTEMPTS:
                    row.status, row.next_at = DeliveryStatus.FAILED, now
                else:
                    row.next_at = now + backoff(row.attempts)
            row.save(update_fields=["attempts", "tried_at", "digest_size", "status", "sent_at", "last_error", "next_at"])
    if not error:
        summary["sent"] += len(rows)
        summary["messages"] += 1
    else:
        failed = sum(1 for row in rows if row.status == DeliveryStatus.FAILED)
        summary["failed"] += failed
        summary["retrying"] += len(rows) - failed


@transaction.atomic
def delivery_retry(user, delivery_id: int) -> Delivery:
    """The office sends a failed (or waiting) delivery again at the next run, with a fresh count of attempts."""
    if not is_office(user):
        raise PermissionDenied
    delivery = selectors.deliveries_for(user).select_for_update().get(pk=delivery_id)
    if delivery.status == DeliveryStatus.SENT:
        raise ValidationError(_("该消息已发送，无需重发"))
    delivery.status, delivery.attempts, delivery.next_at = DeliveryStatus.PENDING, 0, timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_at"])
    return delivery


# ---------------------------------------------------------------------------------------- preferences


@transaction.atomic
def preference_save(user, *, channels, mobile: str = "") -> Preference:
    """A person chooses their outside channels among those the office offers; SMS needs a mobile number
    and e-mail an address on the account."""
    offered = enabled_channels()
    chosen = [c for c in dict.fromkeys(channels or []) if c]
    mobile = (mobile or "").strip().replace(" ", "").replace("-", "")
    errors: dict = {}
    unknown = [c for c in chosen if c not in offered]
    if unknown:
        errors["channels"] = [_("不可选择的渠道：%(c)s") % {"c": "、".join(unknown)}]
    if mobile and not MOBILE.match(mobile):
        errors["mobile"] = [_("请填写11位手机号码")]
    if Channel.SMS in chosen and not mobile:
        errors.setdefault("mobile", []).append(_("选择短信须填写手机号码"))
    if Channel.EMAIL in chosen and not (user.email or "").strip():
        errors.setdefault("channels", []).append(_("您的账户未登记电子邮箱，请联系系统管理员登记后再选择电子邮件"))
    if errors:
        raise ValidationError(errors)
    pref = Preference.objects.select_for_update().filter(user=user).first() or Preference(user=user)
    pref.channels, pref.mobile = ",".join(chosen), mobile
    pref.save()
    return pref
