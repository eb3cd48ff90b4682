"""Template helpers: money in 万元 with separators, and querystring building."""

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def money(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def yi(value) -> str:
    """万元 → 亿元 for headline figures."""
    if value is None:
        return "—"
    return f"{Decimal(value) / 10000:,.2f}"


@register.simple_tag
def qs_join(base: str, **params) -> str:
    extra = "&".join(f"{k}={v}" for k, v in params.items() if v not in (None, ""))
    return "?" + "&".join(part for part in (base, extra) if part)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict entry by a variable key; "" when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
