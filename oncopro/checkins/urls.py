from django.urls import path

from oncopro.checkins import views

app_name = "checkins"
urlpatterns = [
    path("patients/<uuid:patient_id>/check-in/", views.weekly_checkin, name="weekly"),
    path(
        "patients/<uuid:patient_id>/check-in/find-symptom/",
        views.find_symptom,
        name="find_symptom",
    ),
    path(
        "patients/<uuid:patient_id>/something-changed/",
        views.something_changed,
        name="anytime",
    ),
    path("patients/<uuid:patient_id>/check-ins/", views.history, name="history"),
    path(
        "patients/<uuid:patient_id>/check-ins/<uuid:checkin_id>/",
        views.checkin_result,
        name="result",
    ),
]
