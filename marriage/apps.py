from django.apps import AppConfig


class MarriageConfig(AppConfig):
    name = "marriage"

    def ready(self) -> None:
        from civil_affairs import deaths

        from .deaths import HANDLER_ORDER, end_marriage

        deaths.connect("marriage", end_marriage, order=HANDLER_ORDER)
