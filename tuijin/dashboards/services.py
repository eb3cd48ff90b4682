"""Writes of the leader's screens: issuing and revoking the big screen's display tokens (展示令牌).

Each validates with Chinese messages (nothing is written when it refuses), keeps history (who issued or
revoked, when, why) and claims the version it read. Only the office issues and revokes, within its own
regions."""

import hashlib
import secrets
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuijin.core.exceptions import get_or_not_found
from tuijin.core.history import stamp
from tuijin.core.parsing import parse_id
from tuijin.core.versioning import claim
from tuijin.org.models import Region
from tuijin.org.selectors import office_regions, require_office

from .models import DisplayToken
from .selectors.screen import managed_tokens

NAME_MAX = 50
REASON_MAX = 200
MAX_DAYS = 366  # a token lives at most a year (and a day): a forgotten display does not read on for ever
TOKEN_BYTES = 32  # 256 random bits: 43 URL-safe characters, beyond guessing


def secret_hash(secret: str) -> str:
    """The stored form of a token: its SHA-256 in hex. The token is 256 random bits, so a plain hash (no
    salt, no slow hash) already makes the table useless to whoever reads it: there is nothing to guess."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _expiry(value, today: date) -> tuple[date | None, str | None]:
    if isinstance(value, date):
        day = value
    else:
        text = str(value or "").strip()
        if not text:
            return None, _("请填写有效期")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None, _("有效期格式不正确，应为 2026-12-31")
    if day < today:
        return None, _("有效期不能早于今天")
    if day > today + timedelta(days=MAX_DAYS):
        return None, _("有效期最长一年（至%(day)s）") % {"day": (today + timedelta(days=MAX_DAYS)).isoformat()}
    return day, None


def display_token_issue(user, *, name, region, expires_on, today: date | None = None) -> tuple[DisplayToken, str]:
    """A new display token for the big screen of `region` (a Region or its id as posted: the issuer's own
    office region or one below it), named `name`, valid through `expires_on` (a date or 2026-12-31).
    Returns the token and its secret, which is not stored and cannot be shown again."""
    require_office(user)
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}
    name = str(name or "").strip()
    if not name:
        errors["name"] = [_("请填写名称，如“市政府三楼会议室大屏”")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("名称不能超过%(n)s个字") % {"n": NAME_MAX}]
    place = None
    pk = region.pk if isinstance(region, Region) else parse_id(region)
    if pk is None:
        errors["region"] = [_("请选择展示范围")]
    else:
        place = office_regions(user).filter(pk=pk).first()
        if place is None:
            errors["region"] = [_("只能为本单位负责的区域或其下级区域签发")]
    day, problem = _expiry(expires_on, today)
    if problem:
        errors["expires_on"] = [problem]
    if errors:
        raise ValidationError(errors)
    secret = new_secret()
    token = DisplayToken(name=name, region=place, secret_hash=secret_hash(secret), hint=secret[-4:], expires_on=day,
                         issued_by=user if getattr(user, "pk", None) else None)
    with transaction.atomic():
        stamp(token, user, _("签发展示令牌：%(name)s（%(region)s，有效期至%(day)s）") % {
            "name": name, "region": place.name, "day": day.isoformat()}).save()
    return token, secret


def display_token_revoke(user, token: DisplayToken, *, version, reason="") -> DisplayToken:
    """Revoke `token` at once: the screen showing it turns to a message at its next refresh. The office
    of the token's region may revoke it (not only its issuer)."""
    require_office(user)
    token = get_or_not_found(managed_tokens(user), pk=token.pk)
    reason = str(reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("撤销原因不能超过%(n)s个字") % {"n": REASON_MAX}]})
    if token.revoked_at is not None:
        raise ValidationError(_("该令牌已于%(when)s撤销") % {
            "when": timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")})
    with transaction.atomic():
        claim(token, version, revoked_at__isnull=True)
        token.revoked_at = timezone.now()
        token.revoked_by = user if getattr(user, "pk", None) else None
        token.revoke_reason = reason
        words = _("撤销展示令牌：%(name)s") % {"name": token.name}
        stamp(token, user, f"{words}（{reason}）" if reason else words).save()
    return token

