"""WSGI entry point for `oncopro serve` (gunicorn) or any WSGI server."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oncopro.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Do the one-time work now, not in someone's first request: import
    every view (the URL patterns), load and compile the clinical pack, and
    triage one empty check-in, which builds what triage builds on first use
    (the validation schema, the function judging every rule). No database
    connection is opened, so it is safe before gunicorn forks."""
    from django.urls import get_resolver

    from oncopro.clinical import load_pack, triage_json

    get_resolver().url_patterns  # noqa: B018 - importing every view is the point
    triage_json(load_pack(), {"checkin": {"at": "2026-01-01T00:00:00Z", "answers": {}}})


_warm_up()
