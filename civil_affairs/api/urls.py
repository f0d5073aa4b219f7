from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from assistance.api import (
    ApplicationViewSet,
    CategoryViewSet,
    EnrollmentViewSet,
    HouseholdViewSet,
    StandardViewSet,
)
from assistance.batch_api import PaymentBatchViewSet, UpliftViewSet
from civil_affairs.audit.api import AuditEventViewSet
from civil_affairs.divisions.api import DivisionViewSet
from civil_affairs.people.api import PersonViewSet
from marriage.api import CounsellingCaseViewSet, DivorceViewSet, MaritalStatusView, RegistrationViewSet

from .auth import ObtainTokenView

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("people", PersonViewSet, basename="person")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("assistance/categories", CategoryViewSet, basename="assistance-category")
router.register("assistance/standards", StandardViewSet, basename="assistance-standard")
router.register("assistance/households", HouseholdViewSet, basename="assistance-household")
router.register("assistance/applications", ApplicationViewSet, basename="assistance-application")
router.register("assistance/enrollments", EnrollmentViewSet, basename="assistance-enrollment")
router.register("assistance/payment-batches", PaymentBatchViewSet, basename="assistance-payment-batch")
router.register("assistance/uplifts", UpliftViewSet, basename="assistance-uplift")
router.register("marriage/registrations", RegistrationViewSet, basename="marriage-registration")
router.register("marriage/divorces", DivorceViewSet, basename="marriage-divorce")
router.register("marriage/counselling-cases", CounsellingCaseViewSet, basename="marriage-counselling-case")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's script as a file, so no inline script is needed; Swagger UI
    # does set inline styles, allowed on this page only.
    path(
        "docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("marriage/status/", MaritalStatusView.as_view(), name="marriage-status"),
    path("", include(router.urls)),
]
