"""The entry points the scheduler calls (plain callables, settings.TUIJIN_SCHEDULES): scan() queues the
day's reminders, deliver() sends what is due. The `tuijin reminders scan|deliver` command calls the same."""

from datetime import date

from django.utils import timezone

from . import services, triggers


def scan(today: date | None = None) -> dict:
    """Find what is due or overdue today and remind the people concerned (once per thing and day)."""
    return triggers.scan(today or timezone.localdate())


def deliver() -> dict:
    """Send the pending outside deliveries: quiet hours respected, digests per person and channel, failures
    retried with backoff."""
    return services.deliveries_send()
