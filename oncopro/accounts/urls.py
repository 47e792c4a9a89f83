from django.urls import path

from oncopro.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("temperature-unit/", views.temperature_unit, name="temperature_unit"),
    path("still-signed-in/", views.still_signed_in, name="still_signed_in"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/sent/", views.password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path("password-reset/done/", views.password_reset_done, name="password_reset_done"),
    path("password/", views.password_change, name="password_change"),
    path("welcome/", views.welcome, name="welcome"),
    path("welcome/<str:secret>/", views.welcome_link, name="welcome_link"),
]
