from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldercareConfig(AppConfig):
    name = "eldercare"
    verbose_name = _("Elder care")

    def ready(self) -> None:
        from civil_affairs import deaths

        from .deaths import end_services

        deaths.connect("eldercare.end_services", end_services, order=20)
