from django.contrib.auth import views as auth_views
from django.urls import path

from civil_affairs.accounts.forms import LoginForm

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", views.audit_log, name="audit-log"),
    path("<slug:section>/", views.section_home, name="section-home"),
]
