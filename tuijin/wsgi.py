"""WSGI entry point for production servers (gunicorn tuijin.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tuijin.settings")
application = get_wsgi_application()

# What is loaded now (Django, the apps, the URL conf) lives as long as the process: keep it out of
# the garbage collector's full passes, which otherwise cost tens of milliseconds and land in
# requests (docs/benchmarks.md).
gc.collect()
gc.freeze()
