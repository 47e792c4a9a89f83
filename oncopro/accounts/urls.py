from django.urls import path

from oncopro.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("temperature-unit/", views.temperature_unit, name="temperature_unit"),
    path("still-signed-in/", views.still_signed_in, name="still_signed_in"),
]
