"""Django's admin app with the 三权分立 site (tuijin.org.adminsite): listed in INSTALLED_APPS instead of
"django.contrib.admin". Its own module: a second AppConfig in org/apps.py would change which one Django
picks for tuijin.org."""

from django.contrib.admin.apps import AdminConfig


class TuijinAdminConfig(AdminConfig):
    default_site = "tuijin.org.adminsite.TuijinAdminSite"
