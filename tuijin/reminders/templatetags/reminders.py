"""The 消息提醒 section the 账户与安全 page includes (accounts knows no reminders code, only this tag)."""

from django import template

from tuijin.org.selectors import is_office

from .. import selectors

register = template.Library()


@register.inclusion_tag("reminders/account_section.html", takes_context=True)
def reminder_settings(context):
    user = context["user"]
    from django.conf import settings

    return {**selectors.account_section(user), "is_office": is_office(user), "csrf_token": context.get("csrf_token"),
            "quiet": settings.TUIJIN_REMINDER_QUIET.replace("-", "–")}
