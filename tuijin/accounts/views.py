"""Sign-in in two steps (password, then the authenticator's code or a recovery code), the duties a
sign-in may leave (change the password, enrol an authenticator: middleware.AccountGateMiddleware holds
the user on those pages), each user's 账户与安全 page, and the administrators' resets."""

import time
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tuijin.core.exceptions import messages_of

from . import selectors, services
from .forms import ChineseAuthenticationForm, CodeForm, EnrolForm, PasswordChangeForm, PasswordConfirmForm

PENDING = "_tj_pending"       # the password step passed; the second factor is awaited
GATES = "_tj_gates"           # duties left after signing in: "password", "enrol" (in that order)
GATE_REASON = "_tj_gate_reason"
ENROL_KEY = "_tj_enrol_key"   # the secret being enrolled, until its first code confirms it
NEW_CODES = "_tj_new_codes"   # recovery codes to show once
TEMPORARY = "_tj_temporary"   # a reset's temporary password to show once to the administrator
PENDING_SECONDS = 300
PENDING_TRIES = 5

GATE_URLS = {"password": "accounts:password", "enrol": "accounts:enrol"}


def gate_url(gate: str) -> str:
    return reverse(GATE_URLS[gate])


class LoginView(auth_views.LoginView):
    form_class = ChineseAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        from tuijin.core.lockout import address_throttled

        if address_throttled(request):  # password spraying: this address is refused for a while
            return render(request, "registration/locked.html", {"by_address": True}, status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_installation"] = selectors.is_demo_installation()
        return context

    def form_valid(self, form):
        user = form.get_user()
        duties = selectors.sign_in_duties(user)
        if duties.verify:
            self.request.session.cycle_key()
            self.request.session[PENDING] = {"uid": user.pk, "backend": user.backend, "at": int(time.time()),
                                             "next": self.get_success_url(), "tries": 0}
            return redirect("login_code")
        return finish_sign_in(self.request, user, duties, self.get_success_url())


def finish_sign_in(request, user, duties, success_url: str):
    auth_login(request, user)
    gates = []
    if duties.change_password:
        gates.append("password")
        request.session[GATE_REASON] = duties.change_password
    if duties.enrol:
        gates.append("enrol")
    if gates:
        request.session[GATES] = gates
        request.session["_tj_after_gates"] = success_url
        return redirect(gate_url(gates[0]))
    days = selectors.password_days_left(selectors.state_of(user))
    if days is not None:
        messages.warning(request, _("您的密码将在%(days)s天后过期，请及时在“账户与安全”中修改。") % {"days": days})
    return redirect(success_url)


def _leave_gate(request, gate: str):
    """`gate` done: on to the next duty, or where the user was going."""
    gates = [g for g in request.session.get(GATES, []) if g != gate]
    if gates:
        request.session[GATES] = gates
        return redirect(gate_url(gates[0]))
    request.session.pop(GATES, None)
    request.session.pop(GATE_REASON, None)
    after = request.session.pop("_tj_after_gates", None)
    if gate == "enrol" or not after:
        return redirect("accounts:home")  # the new recovery codes are shown there, once
    return redirect(after)


@require_http_methods(["GET", "HEAD", "POST"])
def login_code(request):
    """The second step: the authenticator's 6-digit code, or one of the recovery codes."""
    pending = request.session.get(PENDING)
    if not pending or int(time.time()) - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        if pending:
            messages.error(request, _("验证已超时，请重新登录。"))
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending["uid"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        used = services.verify_second_factor(user, form.cleaned_data["code"])
        if used is not None:
            request.session.pop(PENDING, None)
            user.backend = pending["backend"]
            if used == "recovery":
                messages.warning(request, _("您使用了一个恢复码，剩余%(n)s个。恢复码用完前请重新生成。") % {
                    "n": selectors.recovery_codes_left(user)})
            return finish_sign_in(request, user, selectors.sign_in_duties(user), pending["next"])
        pending["tries"] += 1
        if pending["tries"] >= PENDING_TRIES:
            request.session.pop(PENDING, None)
            messages.error(request, _("验证码错误次数过多，请重新登录。"))
            return redirect("login")
        request.session[PENDING] = pending
        form.add_error("code", _("验证码错误或已过期，请重新输入。"))
    return render(request, "accounts/login_code.html", {"form": form, "username": user.username})


# ---------------------------------------------------------------------------------------- own account


@login_required
@require_safe
def home(request):
    user = request.user
    state = selectors.state_of(user)
    device = selectors.totp_device(user)
    return render(request, "accounts/home.html", {
        "state": state,
        "expires_at": selectors.password_expires_at(state),
        "days_left": selectors.password_days_left(state),
        "device": device,
        "codes_left": selectors.recovery_codes_left(user) if device else 0,
        "required": selectors.second_factor_required(user),
        "exempt": selectors.is_exempt(user, state),
        "new_codes": request.session.pop(NEW_CODES, None),
        "may_reset": _may_reset(user),
        "remove_form": PasswordConfirmForm(),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def password(request):
    gates = request.session.get(GATES, [])
    reason = request.session.get(GATE_REASON) if "password" in gates else None
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password1"], reason=reason or "self")
        except ValidationError as error:
            for field, found in error.message_dict.items():
                for message in found:
                    form.add_error(field if field in form.fields else None, message)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("密码已修改。"))
            return _leave_gate(request, "password")
    return render(request, "accounts/password.html", {"form": form, "reason": reason, "rules": _rules()})


def _rules() -> list[str]:
    from django.contrib.auth.password_validation import password_validators_help_texts

    return password_validators_help_texts()


def _svg_qr(uri: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return image.to_string(encoding="unicode")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def enrol(request):
    """Bind an authenticator app: the secret (QR code and text) is kept in the session until the first code
    confirms it; then 10 recovery codes are shown once. Re-binding asks for the password."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = request.user
    enrolled = selectors.totp_device(user) is not None
    key = request.session.get(ENROL_KEY)
    if not key:
        key = services.new_totp_key()
        request.session[ENROL_KEY] = key
    form = EnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if enrolled and not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("密码不正确。"))
        else:
            try:
                codes = services.factor_enrol(user, key=key, token=form.cleaned_data["token"])
            except ValidationError as error:
                for message in messages_of(error):
                    form.add_error("token", message)
            else:
                request.session.pop(ENROL_KEY, None)
                request.session[NEW_CODES] = codes
                messages.success(request, _("双因素认证已启用。"))
                return _leave_gate(request, "enrol")
    device = TOTPDevice(user=user, key=key, name=_("验证器"))
    issuer = getattr(settings, "OTP_TOTP_ISSUER", "")
    return render(request, "accounts/enrol.html", {
        "form": form, "enrolled": enrolled, "qr": _svg_qr(device.config_url),
        "secret": b32encode(unhexlify(key.encode())).decode(), "issuer": issuer,
        "forced": "enrol" in request.session.get(GATES, []),
    })


@login_required
@require_POST
def factor_remove(request):
    form = PasswordConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请输入当前密码。"))
        services.factor_remove(request.user, password=form.cleaned_data["password"])
    except ValidationError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("双因素认证已关闭。"))
    return redirect("accounts:home")


@login_required
@require_POST
def recovery_codes(request):
    try:
        request.session[NEW_CODES] = services.recovery_codes_regenerate(request.user)
    except ValidationError as error:
        for message in messages_of(error):
            messages.error(request, message)
    else:
        messages.success(request, _("已生成新的恢复码，原恢复码全部作废。"))
    return redirect("accounts:home")


# ------------------------------------------------------------------------------------- administrators


def _may_reset(user) -> dict:
    from tuijin.org.selectors import is_security_admin, is_system_admin

    return {"password": is_system_admin(user), "factor": is_security_admin(user)}


def _require_resetter(user) -> dict:
    may = _may_reset(user)
    if not any(may.values()):
        raise PermissionDenied(_("只有系统管理员或安全管理员可以查看用户列表。"))
    return may


@login_required
@require_safe
def users(request):
    """Users with their sign-in state, and the resets the viewer may make (系统管理员: passwords;
    安全管理员: second factors)."""
    may = _require_resetter(request.user)
    rows = selectors.user_rows()
    return render(request, "accounts/users.html", {"rows": rows, "may": may,
                                                   "temporary": request.session.pop(TEMPORARY, None)})


@login_required
@require_POST
def reset_password(request, pk: int):
    if not _require_resetter(request.user)["password"]:
        raise PermissionDenied(_("只有系统管理员可以重置密码。"))
    target = get_object_or_404(get_user_model(), pk=pk)
    try:
        temporary = services.reset_password(target, request.user)
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        request.session[TEMPORARY] = {"username": target.username, "password": temporary}
        messages.success(request, _("已重置%(user)s的密码，该用户下次登录时须修改。") % {"user": target.username})
    return redirect("accounts:users")


@login_required
@require_POST
def reset_factor(request, pk: int):
    if not _require_resetter(request.user)["factor"]:
        raise PermissionDenied(_("只有安全管理员可以重置双因素认证。"))
    target = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.reset_second_factor(target, request.user)
    except (PermissionDenied, ValidationError) as error:
        for message in (messages_of(error) if isinstance(error, ValidationError) else [str(error)]):
            messages.error(request, message)
    else:
        messages.success(request, _("已重置%(user)s的双因素认证。") % {"user": target.username})
    return redirect("accounts:users")

