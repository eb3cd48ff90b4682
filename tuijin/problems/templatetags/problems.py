"""Badges for problem and order states."""

from django import template

from tuijin.problems.selectors import days_overdue

register = template.Library()

COLOURS = {
    "pending": "secondary", "handling": "primary", "resolved": "info", "closed": "success", "unsolvable": "dark",
    "issued": "warning", "rectifying": "primary",
}


@register.filter
def state_colour(status: str) -> str:
    return COLOURS.get(status, "secondary")


@register.filter
def overdue_days(deadline, today) -> int:
    """Days past `deadline` on `today` (0 when not past)."""
    return days_overdue(deadline, today) if today else 0
