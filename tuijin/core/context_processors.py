from django.conf import settings


def tuijin(request):
    return {"TUIJIN_VERSION": __import__("tuijin").__version__, "DEBUG": settings.DEBUG,
            "UNREAD_NOTIFICATIONS": _unread(request), "MAY_ADMINISTER": _may_administer(request)}


def _unread(request):
    """Unread messages for the navbar badge, counted only when a page asks for it (lazy)."""
    from django.utils.functional import SimpleLazyObject

    def count():
        from .notify import unread_count

        return unread_count(getattr(request, "user", None))

    return SimpleLazyObject(count)


def _may_administer(request):
    """Whether the navbar links 系统管理 (/admin/): the admin site's own rule (the user's administrator
    roles, never is_staff alone), asked only when a page shows it."""
    from django.utils.functional import SimpleLazyObject

    def may() -> bool:
        from django.contrib import admin

        return getattr(request, "user", None) is not None and admin.site.has_permission(request)

    return SimpleLazyObject(may)
