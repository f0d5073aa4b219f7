"""What a death does to a marriage (SPEC §7): nothing is stored, since marital status is derived from the
parties' dates of death (selectors.marriage_end); the handler writes the audit event that the registration
ended by death, so the registry's history shows when and by whose record it ended.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _

from civil_affairs.audit.services import audit_record
from civil_affairs.deaths import DeathEvent
from civil_affairs.errors import RuleViolation

from .selectors import marriages_of

HANDLER_ORDER = 30


def end_marriage(event: DeathEvent) -> None:
    """Audit the end by death of the marriage the deceased was in on the date of death, if any.

    A death dated before a marriage registered later is refused: the registry holds that the person married
    alive (Civil Code art. 1049), so one of the two records is wrong and must be corrected first.
    """
    day = event.date_of_death
    later = (
        marriages_of([event.person.pk])
        .filter(registration_date__gt=day, annulment_ruling_date__isnull=True)
        .order_by("registration_date")
        .first()
    )
    if later is not None:
        raise RuleViolation(
            _(
                "%(name)s registered a marriage on %(date)s (%(number)s): a death before that date contradicts it."
            )
            % {
                "name": event.person.name,
                "date": later.registration_date,
                "number": later.certificate_number,
            },
            field="date_of_death",
            code="death_before_a_later_marriage",
        )
    candidates = marriages_of([event.person.pk]).filter(
        Q(registration_date__lte=day), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day)
    )
    for registration in reversed(list(candidates)):
        spouse = registration.party_b if registration.party_a_id == event.person.pk else registration.party_a
        if spouse.date_of_death is not None and spouse.date_of_death < day:
            continue  # already ended by the spouse's earlier death
        audit_record(
            actor=event.actor,
            action="ended_by_death",
            obj=registration,
            changes={
                "deceased": [None, event.person.pk],
                "date_of_death": [None, day],
                "married_until": [None, day],
                "not_married_from": [None, day + datetime.timedelta(days=1)],
            },
        )
        return
