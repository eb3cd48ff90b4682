"""Password rules (等保 2.0 8.1.4.1 a): AUTH_PASSWORD_VALIDATORS lists them; each refuses with a Chinese reason.

The numbers come from settings at the time of the check (TUIJIN_PASSWORD_MIN_LENGTH, _MIN_CLASSES,
_HISTORY), so a deployment changes them through the environment and a test through `settings`.
"""

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Passwords a probe of a Chinese city's platform tries first: place names, the product's name, the demo's
# password, and the keyboard and "admin" patterns that pass a three-class rule. Compared lower-cased.
CHINESE_COMMON_PASSWORDS = frozenset({
    "luozhuang", "lanshan", "hedong", "linyi", "linyi123", "linyi2025", "linyi2026", "linyi@2026", "shandong",
    "tuijin", "tuijin123", "tuijin2026", "tuijin@123", "tuijin@2026", "tuijin-demo", "tuijindemo",
    "00000000a", "a00000000", "11111111a", "12345678a", "a12345678", "123456789a", "woaini1314", "5201314",
    "admin@123", "admin123!", "admin@1234", "admin@2026", "admin#123", "admin123456", "administrator",
    "p@ssw0rd", "passw0rd!", "p@ssword1", "1qaz@wsx", "1qaz2wsx", "1qaz!qaz", "qwer1234!", "qwe123!@#",
    "aa123456!", "abc@1234", "abc@123456", "abcd@1234", "zxcv1234!", "root@123", "test@123", "sa123456!",
    "zhangsan", "zhangsan123", "gov@123", "zf@123456", "fgw@123", "fgw12345",
})

CLASSES = (
    ("upper", lambda c: c.isupper()),
    ("lower", lambda c: c.islower()),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: not c.isalnum()),
)


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols the password uses."""
    return sum(1 for _name, test in CLASSES if any(test(c) for c in password))


class LengthValidator:
    def validate(self, password, user=None):
        minimum = settings.TUIJIN_PASSWORD_MIN_LENGTH
        if len(password) < minimum:
            raise ValidationError(_("密码太短：至少需要%(n)s个字符。") % {"n": minimum}, code="password_too_short")

    def get_help_text(self):
        return _("至少%(n)s个字符。") % {"n": settings.TUIJIN_PASSWORD_MIN_LENGTH}


class CharacterClassesValidator:
    def validate(self, password, user=None):
        needed = settings.TUIJIN_PASSWORD_MIN_CLASSES
        if character_classes(password) < needed:
            raise ValidationError(
                _("密码太简单：须包含大写字母、小写字母、数字、符号四类中的至少%(n)s类。") % {"n": needed},
                code="password_too_simple")

    def get_help_text(self):
        return _("包含大写字母、小写字母、数字、符号四类中的至少%(n)s类。") % {"n": settings.TUIJIN_PASSWORD_MIN_CLASSES}


class UsernameValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError(_("密码不能包含用户名。"), code="password_contains_username")

    def get_help_text(self):
        return _("不能包含用户名。")


class CommonPasswordsValidator(CommonPasswordValidator):
    """Django's list of 20,000 common passwords, plus CHINESE_COMMON_PASSWORDS."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.passwords = set(self.passwords) | CHINESE_COMMON_PASSWORDS

    def validate(self, password, user=None):
        if password.lower().strip() in self.passwords:
            raise ValidationError(_("密码过于常见，容易被猜中，请换一个。"), code="password_too_common")

    def get_help_text(self):
        return _("不能是常见密码。")


class HistoryValidator:
    """Not one of the user's last TUIJIN_PASSWORD_HISTORY passwords (PasswordHistory), nor the current one."""

    def validate(self, password, user=None):
        keep = settings.TUIJIN_PASSWORD_HISTORY
        if user is None or user.pk is None or keep <= 0:
            return
        from .models import PasswordHistory

        # The current password and the keep - 1 before it.
        hashes = [user.password] if user.password else []
        hashes += PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:keep - 1]
        if any(check_password(password, stored) for stored in hashes):
            raise ValidationError(_("不能使用最近%(n)s次用过的密码。") % {"n": keep}, code="password_reused")

    def get_help_text(self):
        return _("不能与最近%(n)s次用过的密码相同。") % {"n": settings.TUIJIN_PASSWORD_HISTORY}
