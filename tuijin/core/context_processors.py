from django.conf import settings


def tuijin(request):
    return {"TUIJIN_VERSION": __import__("tuijin").__version__, "DEBUG": settings.DEBUG,
            "UNREAD_NOTIFICATIONS": _unread(request)}


def _unread(request):
    """Unread messages for the navbar badge, counted only when a page asks for it (lazy)."""
    from django.utils.functional import SimpleLazyObject

    def count():
        from .notify import unread_count

        return unread_count(getattr(request, "user", None))

    return SimpleLazyObject(count)
