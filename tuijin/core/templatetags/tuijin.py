"""Template helpers: money in 万元 with separators, and querystring building."""

from decimal import Decimal

from django import template

from tuijin.core.tabs import tabs_of

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
def person(user, fallback: str = "—") -> str:
    """A user's full name, else the username, else `fallback` (no user: a system step). A template's
    `default:user.username` would raise when the user is None, since filter arguments are not silenced."""
    if user is None:
        return fallback
    return user.get_full_name() or user.username or fallback


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict entry by a variable key; "" when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def cents(value) -> str:
    """Decimal 万元 → integer hundredths, for scripts that must add money exactly; "" for None."""
    if value is None or value == "":
        return ""
    return str(int(Decimal(value).scaleb(2)))


@register.filter
def tenths(value) -> str:
    """A one-decimal percentage → integer tenths (91.7 → 917); "" for None."""
    if value is None or value == "":
        return ""
    return str(int(Decimal(value).scaleb(1)))


@register.inclusion_tag("_page_tabs.html")
def page_tabs(page, obj, tab):
    """The tabs other apps add to a page (tuijin.core.tabs), `tab` being the active one's key."""
    return {"obj": obj, "tab": tab, "tabs": tabs_of(page)}


@register.inclusion_tag("_list_export.html", takes_context=True)
def list_export(context, name: str, *args):
    """The 导出Excel and 打印 buttons of a list page (core.listexport.export_urls named `name`): both
    carry the page's current filter (its GET parameters, without the page number)."""
    from django.urls import reverse

    query = context["request"].GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    suffix = f"?{encoded}" if encoded else ""
    return {"xlsx": reverse(f"{name}_xlsx", args=args) + suffix, "printed": reverse(f"{name}_print", args=args) + suffix}
