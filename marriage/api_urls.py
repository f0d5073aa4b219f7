"""The marriage API routes under ``/api/v1/marriage/`` (the kernel's API URLs include them)."""

from django.urls import path

from .api import CounsellingCaseViewSet, DivorceViewSet, MaritalStatusView, RegistrationViewSet

routes = [
    ("registrations", RegistrationViewSet, "marriage-registration"),
    ("divorces", DivorceViewSet, "marriage-divorce"),
    ("counselling-cases", CounsellingCaseViewSet, "marriage-counselling-case"),
]
urlpatterns = [path("status/", MaritalStatusView.as_view(), name="marriage-status")]
