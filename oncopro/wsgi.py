"""WSGI entry point for `oncopro serve` (gunicorn) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncopro.settings")
application = get_wsgi_application()
