from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarConfig(AppConfig):
    name = "civil_affairs.calendar"
    label = "workcalendar"
    verbose_name = _("Working-day calendar")
