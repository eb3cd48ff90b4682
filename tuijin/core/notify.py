"""Send a message to users: stored in-app (the navbar's 消息), then handed to every outside channel
named in settings.TUIJIN_NOTIFY_CHANNELS (dotted paths of callables `channel(notifications)`), after the
commit. The first is tuijin.reminders' queue (e-mail, SMS, 企业微信/钉钉, each person's choice); core knows
it only by that setting. A channel that fails is logged, never undoes the message."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification

log = logging.getLogger(__name__)


def notify(users: Iterable, text: str, url: str = "") -> list[Notification]:
    """One Notification per distinct active user; outside channels run after the commit."""
    seen, rows = set(), []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, text=text[:500], url=url[:300]))
    created = Notification.objects.bulk_create(rows)
    channels = getattr(settings, "TUIJIN_NOTIFY_CHANNELS", ())
    if channels and created:
        transaction.on_commit(lambda: _dispatch(channels, created))
    return created


def _dispatch(channels, notifications) -> None:
    for path in channels:
        try:
            import_string(path)(notifications)
        except Exception:  # noqa: BLE001 - an outside gateway must never break the office's work
            log.exception("notification channel %s failed", path)


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
