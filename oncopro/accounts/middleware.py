"""Sessions end after a spell of inactivity and after a fixed time in all."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

LOGIN_AT = "oncopro.login_at"
LAST_SEEN = "oncopro.last_seen"
# Requests a page makes by itself (a queue refreshing) carry this header and
# do not count as the person being active.
BACKGROUND_HEADER = "HTTP_X_ONCOPRO_BACKGROUND"


@receiver(user_logged_in)
def _start_session_clock(sender: object, request: HttpRequest, **kwargs: object) -> None:
    now = timezone.now().isoformat()
    request.session[LOGIN_AT] = now
    request.session[LAST_SEEN] = now


def _session_expired(request: HttpRequest, now: datetime) -> str | None:
    login_at = request.session.get(LOGIN_AT)
    last_seen = request.session.get(LAST_SEEN)
    if not login_at or not last_seen:
        return "Please sign in again."
    if now - datetime.fromisoformat(login_at) > settings.SESSION_ABSOLUTE_TIMEOUT:
        hours = int(settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600)
        return f"For your safety, you are signed out after {hours} hours. Please sign in again."
    if now - datetime.fromisoformat(last_seen) > settings.SESSION_IDLE_TIMEOUT:
        minutes = int(settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return (
            f"For your safety, you were signed out after {minutes} minutes without activity. "
            "Please sign in again."
        )
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            reason = _session_expired(request, now)
            if reason:
                logout(request)
                messages.info(request, reason)
                if request.method == "GET" and not request.META.get(BACKGROUND_HEADER):
                    return redirect_to_login(request.path)
                return redirect(settings.LOGIN_URL)
            if not request.META.get(BACKGROUND_HEADER):
                request.session[LAST_SEEN] = now.isoformat()
        return self.get_response(request)


class NoStoreMiddleware:
    """Nothing this app answers is kept by a browser or a proxy cache: pages,
    htmx partials, the API, FHIR and PDFs may all carry health data, and
    doing it here means no new page can forget it. Static files (served by
    WhiteNoise before this) keep their long caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        add_never_cache_headers(response)  # Cache-Control: ... no-store, private
        response["Pragma"] = "no-cache"  # for HTTP/1.0 caches
        return response
