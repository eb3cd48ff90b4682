"""What every page's navbar needs to know of the user's places."""

from django.utils.functional import SimpleLazyObject

from .selectors import user_access


def places(request):
    """ADMINISTRATION_ONLY: a security or audit administrator with no business grant (三权分立), whose
    navbar shows no business pages (they would only be empty); read only when a page asks."""

    def administration_only() -> bool:
        access = user_access(getattr(request, "user", None))
        return bool(access.administration) and not access.grants and not access.is_superuser

    return {"ADMINISTRATION_ONLY": SimpleLazyObject(administration_only)}
