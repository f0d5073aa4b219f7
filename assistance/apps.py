from django.apps import AppConfig


class AssistanceConfig(AppConfig):
    name = "assistance"

    def ready(self) -> None:
        from civil_affairs import deaths

        from .deaths import HANDLER_ORDER, end_enrollments

        deaths.connect("assistance", end_enrollments, order=HANDLER_ORDER)
