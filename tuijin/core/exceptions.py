"""Errors raised by services and understood by views and commands."""

from django.utils.translation import gettext_lazy as _


class ConflictError(Exception):
    """The record changed since the user read it: nothing was written."""

    default_message = _("该记录已被他人修改，您的修改未保存。请刷新后在最新内容上重新修改。")

    def __init__(self, message=None, current=None):
        self.message = message or self.default_message
        self.current = current
        super().__init__(str(self.message))
