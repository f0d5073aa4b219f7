"""``/api/v1/``: the kernel's own endpoints, then each line of work's routes.

Each app owns its routes in ``<app>/api_urls.py`` (``routes``: (prefix, viewset, basename) under
``/api/v1/<app>/``, and optionally ``urlpatterns``), found through ``settings.PORTAL_SECTIONS``, so adding an
app never edits the kernel.
"""

from importlib import import_module

from csp.decorators import csp_update
from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from civil_affairs.audit.api import AuditEventViewSet
from civil_affairs.calendar.api import CalendarDayViewSet
from civil_affairs.divisions.api import DivisionViewSet
from civil_affairs.people.api import PersonViewSet

from .auth import ObtainTokenView

router = DefaultRouter()
router.register("divisions", DivisionViewSet, basename="division")
router.register("people", PersonViewSet, basename="person")
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("calendar-days", CalendarDayViewSet, basename="calendar-day")

app_paths = []
for app, _title in settings.PORTAL_SECTIONS:
    try:
        module = import_module(f"{app}.api_urls")
    except ModuleNotFoundError as error:
        if error.name != f"{app}.api_urls":
            raise
        continue
    for prefix, viewset, basename in getattr(module, "routes", []):
        router.register(f"{app}/{prefix}", viewset, basename=basename)
    if getattr(module, "urlpatterns", None):
        app_paths.append(path(f"{app}/", include(module.urlpatterns)))

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
    *app_paths,
    # Figures across the lines of work (SPEC §9).
    path("dashboards/", include("dashboards.api_urls")),
    path("", include(router.urls)),
]
