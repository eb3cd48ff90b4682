"""Errors raised by services and understood by views and commands."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _


def when_text(at: datetime) -> str:
    """A save's time as a person reads it in the dispatch office (Asia/Shanghai): 10:42 today,
    3月5日 10:42 this year, 2025年3月5日 10:42 before."""
    local, today = timezone.localtime(at), timezone.localdate()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return clock
    if local.year == today.year:
        return _("%(month)s月%(day)s日 %(clock)s") % {"month": local.month, "day": local.day, "clock": clock}
    return _("%(year)s年%(month)s月%(day)s日 %(clock)s") % {
        "year": local.year, "month": local.month, "day": local.day, "clock": clock}


class ConflictError(Exception):
    """The record changed since the user read it: nothing was written.

    `current` is the record as stored now (None when it is gone), `saved_by` the display name of
    whoever saved it last ("" for the system, None when unknown) and `saved_at` when; `changed`
    says it in one phrase for the message ("已被张调度于 10:42 修改"). tuijin.core.versioning.claim
    raises it with all three filled in."""

    def __init__(self, message=None, current=None, *, saved_by: str | None = None, saved_at: datetime | None = None):
        self.current, self.saved_by, self.saved_at = current, saved_by, saved_at
        self.message = message or _("该记录%(changed)s，您的修改未保存。请刷新后在最新内容上重新修改。") % {"changed": self.changed}
        super().__init__(str(self.message))

    @property
    def changed(self) -> str:
        return changed_text(self.saved_by, self.saved_at)


def changed_text(saved_by: str | None, saved_at: datetime | None) -> str:
    """"已被张调度于 10:42 修改", as much of it as is known: saved_by "" is the system (已被系统…),
    None unknown."""
    who = saved_by if saved_by else (_("系统") if saved_by == "" else None)
    if who and saved_at:
        return _("已被%(who)s于 %(when)s 修改") % {"who": who, "when": when_text(saved_at)}
    if saved_at:
        return _("已于 %(when)s 被他人修改") % {"when": when_text(saved_at)}
    if who:
        return _("已被%(who)s修改") % {"who": who}
    return _("已被他人修改")


class NotFound(LookupError):
    """No such record for this user: it does not exist, or it is someone else's and so is not shown.

    Services and selectors raise it (and django.core.exceptions.PermissionDenied for "you may see it but
    not do this"); they never raise HTTP errors. DomainErrorMiddleware answers it with the site's 404
    page, the commands with a CommandError."""


def get_or_not_found(queryset, **lookups):
    """The one row of `queryset` matching `lookups`, for services and selectors: NotFound (the site's
    404) when there is none, whether it does not exist or is outside the user's scope."""
    try:
        return queryset.get(**lookups)
    except queryset.model.DoesNotExist:
        raise NotFound(_("%(model)s不存在或不在您的范围内") % {"model": queryset.model._meta.verbose_name}) from None


def messages_of(error) -> list[str]:
    """A ValidationError's Chinese messages in order, whether it holds a dict of them (per field) or a list."""
    if hasattr(error, "message_dict"):
        return [message for found in error.message_dict.values() for message in found]
    return list(error.messages)
