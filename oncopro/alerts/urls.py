from django.urls import path

from oncopro.alerts import views

app_name = "alerts"
urlpatterns = [
    path("team/alerts/", views.queue, name="queue"),
    path("team/alerts/live/", views.queue_live, name="queue_live"),
    path("team/health/", views.program_health, name="health"),
    path("patients/<uuid:patient_id>/alerts/<int:alert_id>/", views.alert_page, name="alert"),
    path(
        "patients/<uuid:patient_id>/alerts/<int:alert_id>/acknowledge/",
        views.acknowledge,
        name="acknowledge",
    ),
    path(
        "patients/<uuid:patient_id>/alerts/<int:alert_id>/resolve/",
        views.resolve,
        name="resolve",
    ),
]
