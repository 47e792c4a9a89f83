from django.urls import path

from oncopro.fhir import views

app_name = "fhir"
urlpatterns = [
    path("fhir/r4/metadata", views.metadata, name="metadata"),
    path("fhir/r4/Patient/<str:patient_id>/$everything", views.everything, name="everything"),
    path("fhir/r4/<str:resource_type>/<str:resource_id>", views.read, name="read"),
    path("fhir/r4/<str:resource_type>", views.search, name="search"),
    path("patients/<uuid:patient_id>/my-data/", views.my_data, name="my_data"),
]
