from django.apps import AppConfig


class MarriageConfig(AppConfig):
    name = "marriage"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from civil_affairs import deaths
        from civil_affairs.calendar.models import CalendarDay

        from .deaths import HANDLER_ORDER, end_marriage
        from .services import calendar_day_changed

        deaths.connect("marriage", end_marriage, order=HANDLER_ORDER)
        # The divorce periods' kept end dates follow the bureau's holiday calendar (SPEC §2.5, §6).
        post_save.connect(calendar_day_changed, sender=CalendarDay, dispatch_uid="marriage-divorce-periods")
        post_delete.connect(
            calendar_day_changed, sender=CalendarDay, dispatch_uid="marriage-divorce-periods-del"
        )
