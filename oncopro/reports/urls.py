from django.urls import path

from oncopro.reports import views

app_name = "reports"
urlpatterns = [
    path("patients/<uuid:patient_id>/visit-summary/", views.summary, name="summary"),
    path("patients/<uuid:patient_id>/visit-summary/pdf/", views.summary_pdf, name="summary_pdf"),
    path(
        "patients/<uuid:patient_id>/visit-summary/questions/",
        views.add_question,
        name="add_question",
    ),
    path(
        "patients/<uuid:patient_id>/visit-summary/questions/<int:question_id>/",
        views.edit_question,
        name="edit_question",
    ),
    path(
        "patients/<uuid:patient_id>/visit-summary/questions/<int:question_id>/remove/",
        views.remove_question,
        name="remove_question",
    ),
]
