from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class ChineseAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续失败5次，账号将被锁定30分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


def _password_field(label):
    return forms.CharField(label=label, strip=False, max_length=128,
                           widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "new-password"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("原密码"), strip=False, max_length=128, widget=forms.PasswordInput(
        attrs={"class": "form-control", "autocomplete": "current-password"}))
    new_password1 = _password_field(_("新密码"))
    new_password2 = _password_field(_("再次输入新密码"))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("两次输入的新密码不一致。"))
        return data


class CodeForm(forms.Form):
    code = forms.CharField(label=_("验证码或恢复码"), max_length=32, widget=forms.TextInput(
        attrs={"class": "form-control", "autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}))


class EnrolForm(forms.Form):
    token = forms.CharField(label=_("验证码"), max_length=6, min_length=6, widget=forms.TextInput(
        attrs={"class": "form-control", "autocomplete": "one-time-code", "inputmode": "numeric"}))
    password = forms.CharField(label=_("当前密码"), required=False, strip=False, max_length=128,
                               widget=forms.PasswordInput(attrs={"class": "form-control"}))


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(label=_("当前密码"), strip=False, max_length=128,
                               widget=forms.PasswordInput(attrs={"class": "form-control"}))
