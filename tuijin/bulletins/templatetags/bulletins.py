"""Template helpers of the bulletin preview."""

import base64

from django import template

from tuijin.bulletins.document import section_number

register = template.Library()


@register.filter
def chinese_numeral(counter) -> str:
    """1 → 一 (the section numbers of a 公文)."""
    return section_number(int(counter) - 1)


@register.filter
def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


@register.filter
def at(sequence, index):
    """`{{ list|at:forloop.counter0 }}`: an item by position; False beyond the end."""
    try:
        return sequence[int(index)]
    except (IndexError, TypeError, ValueError):
        return False
