from django import template

from tuijin.org.selectors import is_audit_admin

register = template.Library()


@register.filter
def audits(user) -> bool:
    """The nav's 安全审计 link: the audit administrator's only."""
    return is_audit_admin(user)
