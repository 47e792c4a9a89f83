from django.urls import path

from oncopro.clinic import views

app_name = "clinic"
urlpatterns = [
    path("clinic/", views.index, name="index"),
    path("clinic/<int:clinic_id>/", views.settings_page, name="settings"),
    path("clinic/<int:clinic_id>/deadlines/", views.deadlines, name="deadlines"),
    path("clinic/<int:clinic_id>/teams/<int:team_id>/on-call/", views.on_call, name="on_call"),
]
