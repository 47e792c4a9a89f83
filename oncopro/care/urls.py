from django.urls import path

from oncopro.care import views

app_name = "care"
urlpatterns = [
    path("patients/<uuid:patient_id>/", views.patient_page, name="patient"),
    path("patients/<uuid:patient_id>/caregivers/", views.caregivers, name="caregivers"),
    path(
        "patients/<uuid:patient_id>/caregivers/<int:link_id>/revoke/",
        views.revoke_caregiver,
        name="revoke_caregiver",
    ),
    path(
        "patients/<uuid:patient_id>/caregivers/invitations/<int:invitation_id>/cancel/",
        views.cancel_invitation,
        name="cancel_invitation",
    ),
    path("caregiver-invitation/", views.invitation, name="invitation"),
    path("caregiver-invitation/<str:secret>/", views.invitation_link, name="invitation_link"),
    path("patients/<uuid:patient_id>/check-in-day/", views.checkin_day, name="checkin_day"),
    path("patients/<uuid:patient_id>/timeline/", views.timeline, name="timeline"),
    path("team/patients/", views.team_patients, name="team_patients"),
]
