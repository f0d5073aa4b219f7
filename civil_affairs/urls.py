from django.urls import include, path

from civil_affairs.web.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("civil_affairs.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", include("civil_affairs.people.urls")),
    path("assistance/", include("assistance.urls")),
    path("marriage/", include("marriage.urls")),
    path("", include("civil_affairs.web.urls")),
]
