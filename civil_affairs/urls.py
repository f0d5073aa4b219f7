"""The portal's URLs: the kernel's pages and API, then each line of work's pages at ``/<app>/`` (found through
``settings.PORTAL_SECTIONS``: an app with a ``urls`` module plugs in without editing this file)."""

from importlib import import_module

from django.conf import settings
from django.urls import include, path

from civil_affairs.web.health import healthz


def _section_urls() -> list:
    found = []
    for app, _title in settings.PORTAL_SECTIONS:
        try:
            import_module(f"{app}.urls")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.urls":
                raise
            continue
        found.append(path(f"{app}/", include(f"{app}.urls")))
    return found


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("civil_affairs.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", include("civil_affairs.people.urls")),
    *_section_urls(),
    path("dashboards/", include("dashboards.urls")),
    path("", include("civil_affairs.web.urls")),
]
