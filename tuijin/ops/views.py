from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import health


@never_cache
@require_safe
def healthz(request):
    checks = health.run()
    ok = all(c.ok for c in checks)
    return JsonResponse({"status": "ok" if ok else "fail", "checks": {c.name: c.as_dict() for c in checks}},
                        status=200 if ok else 503)
