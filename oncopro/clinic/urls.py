from django.urls import path

from oncopro.clinic import views

app_name = "clinic"
urlpatterns = [
    path("clinic/", views.index, name="index"),
    path("clinic/<int:clinic_id>/", views.settings_page, name="settings"),
    path("clinic/<int:clinic_id>/deadlines/", views.deadlines, name="deadlines"),
    path("clinic/<int:clinic_id>/privacy-contact/", views.privacy_contact, name="privacy_contact"),
    path("clinic/<int:clinic_id>/teams/", views.teams, name="teams"),
    path("clinic/<int:clinic_id>/teams/<int:team_id>/", views.team, name="team"),
    path("clinic/<int:clinic_id>/teams/<int:team_id>/on-call/", views.on_call, name="on_call"),
    path("clinic/<int:clinic_id>/patients/", views.patients, name="patients"),
    path("clinic/<int:clinic_id>/patients/enrol/", views.enrol, name="enrol"),
    path("clinic/<int:clinic_id>/patients/<uuid:patient_id>/", views.patient, name="patient"),
    path("clinic/<int:clinic_id>/staff/", views.staff, name="staff"),
    path("clinic/<int:clinic_id>/staff/<int:user_id>/", views.staff_member, name="staff_member"),
    path(
        "clinic/<int:clinic_id>/staff/<int:user_id>/switch-off/",
        views.deactivate,
        name="deactivate",
    ),
]
