"""Imported once by the parsing fork server (see isolated.py): Django set up, the reader imported, so
each parsing child forked from it starts in milliseconds. It opens no database connection."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings")

try:
    import django

    django.setup()
    from tuijin.core.sheets import reader  # noqa: F401
except Exception:  # the child sets Django up itself, and reports what goes wrong there
    pass
