"""Access denied (拒绝访问): every 403 and 404 answered to a signed-in user is an audit entry, with the
path, method and status — the traces of someone trying records that are not theirs."""

from .choices import Action, Result

AUDITED_STATUSES = {403, 404}


class AccessDeniedAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in AUDITED_STATUSES:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                from . import services

                path = request.get_full_path()[:500]
                services.record(Action.DENIED, actor=user, request=request, target=request.path[:500],
                                detail={"path": path, "method": request.method, "status": response.status_code},
                                result=Result.REFUSED)
        return response
