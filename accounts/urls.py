from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", views.TwoFactorView.as_view(), name="two-factor"),
    path("api-keys/", views.ApiKeysView.as_view(), name="api-keys"),
    path("switch-organization/", views.SwitchOrganizationView.as_view(), name="switch-organization"),
]
