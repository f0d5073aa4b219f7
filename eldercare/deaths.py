"""Elder care's answer to the death event (civil_affairs/deaths.py, SPEC §4.5, §5, §7): the person's home-care
projects and meal-delivery enrolment end, each change audited, in the transaction that records the death."""

from __future__ import annotations

from django.utils.translation import gettext as _

from civil_affairs.deaths import DeathEvent

from . import services


def end_services(event: DeathEvent) -> None:
    reason = _("Deceased on %(date)s.") % {"date": event.date_of_death.isoformat()}
    services.home_care_end_for_person(
        actor=event.actor, person=event.person, on=event.date_of_death, reason=reason
    )
    services.meal_enrolments_end_for_person(
        actor=event.actor, person=event.person, on=event.date_of_death, reason=reason
    )
