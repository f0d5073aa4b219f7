"""The states of a divorce application and of a counselling case, as one table each (SPEC §6).

Read by the services (to refuse), the API (to route actions and name roles) and the pages (to offer buttons).
A divorce application's *phase* adds its calendar (civil_code.py, periods.py) to its stored state: an open
application is cooling off until ``cooling_off_ends``, awaiting its certificate until
``certificate_window_ends`` (each the 30th day, or the next working day when that is a holiday or rest day) and
after that withdrawn because it lapsed (the daily job records that; until then the phase already says so).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import CASE_WRITERS
from civil_affairs.workflow.engine import Transition, Workflow, actions_for, table

from .civil_code import DivorceCalendar, DivorcePeriod, period_on


class DivorceState(models.TextChoices):
    """What is stored: open until the certificate is issued or the application is withdrawn."""

    OPEN = "open", _("Open")
    ISSUED = "issued", _("Divorce certificate issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DivorcePhase(models.TextChoices):
    """What the API and the pages show (SPEC §6): the state with the calendar applied."""

    COOLING_OFF = "cooling_off", _("Cooling-off period")
    AWAITING_CERTIFICATE = "awaiting_certificate", _("Awaiting certificate")
    ISSUED = "issued", _("Divorce certificate issued")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class WithdrawalReason(models.TextChoices):
    PARTY = "party", _("Withdrawn by a party")
    LAPSED = "lapsed", _("Lapsed: the certificate was not issued within the certificate period")
    ANNULLED = "annulled", _("Closed: a court ruled the marriage void or annulled")


class AnnulmentGround(models.TextChoices):
    """Why a court ruled a marriage void (Civil Code art. 1051) or annulled it (arts. 1052, 1053)."""

    COERCION = "coercion", _("Coercion (art. 1052)")
    UNDISCLOSED_ILLNESS = (
        "undisclosed_illness",
        _("A serious illness not disclosed before marriage (art. 1053)"),
    )
    BIGAMY = "bigamy", _("Bigamy (art. 1051)")
    CLOSE_RELATIVES = "close_relatives", _("Relatives within the prohibited degrees (art. 1051)")
    UNDER_AGE = "under_age", _("Under the legal marriage age (art. 1051)")


# Void from the start (art. 1051) rather than annulled on a party's request (arts. 1052–1053); both never had
# effect (art. 1054).
VOID_GROUNDS = frozenset({AnnulmentGround.BIGAMY, AnnulmentGround.CLOSE_RELATIVES, AnnulmentGround.UNDER_AGE})


def divorce_phase(state: str, calendar: DivorceCalendar, on: datetime.date) -> DivorcePhase:
    if state == DivorceState.ISSUED:
        return DivorcePhase.ISSUED
    if state == DivorceState.WITHDRAWN:
        return DivorcePhase.WITHDRAWN
    period = period_on(calendar, max(on, calendar.application_date))
    if period is DivorcePeriod.COOLING_OFF:
        return DivorcePhase.COOLING_OFF
    if period is DivorcePeriod.AWAITING_CERTIFICATE:
        return DivorcePhase.AWAITING_CERTIFICATE
    return DivorcePhase.WITHDRAWN


DIVORCE = Workflow(
    line=Line.MARRIAGE,
    states=DivorceState,
    noun=_("the divorce application"),
    transitions=table(
        # Either party may withdraw during the cooling-off period (art. 1077 para. 1).
        Transition(
            "withdraw",
            _("Withdraw the application"),
            frozenset({DivorceState.OPEN}),
            DivorceState.WITHDRAWN,
            CASE_WRITERS,
        ),
        # In the following 30 days both parties come for the certificate (art. 1077 para. 2).
        Transition(
            "issue",
            _("Issue the divorce certificate"),
            frozenset({DivorceState.OPEN}),
            DivorceState.ISSUED,
            CASE_WRITERS,
        ),
        # A lost or damaged divorce certificate is issued again (补领); the state stays.
        Transition(
            "reissue",
            _("Issue the divorce certificate again"),
            frozenset({DivorceState.ISSUED}),
            DivorceState.ISSUED,
            CASE_WRITERS,
        ),
    ),
)
DIVORCE_TRANSITIONS = DIVORCE.transitions
# The calendar period in which each divorce action is allowed.
ACTION_PERIOD = {"withdraw": DivorcePeriod.COOLING_OFF, "issue": DivorcePeriod.AWAITING_CERTIFICATE}


def divorce_actions(divorce: Any, user: Any, on: datetime.date) -> list[Transition]:
    """The actions ``user`` may take on a divorce application on a date (for buttons): the engine's
    state, role and line checks, then the calendar period of the actions that have one."""
    period = period_on(divorce.calendar, max(on, divorce.application_date))
    return [
        t
        for t in actions_for(DIVORCE, divorce, user)
        if t.action not in ACTION_PERIOD or ACTION_PERIOD[t.action] is period
    ]


class RegistrationStanding(models.TextChoices):
    """Where a registration stands (derived: Registration.standing), for the actions its page offers."""

    IN_FORCE = "in_force", _("Registered")
    DISSOLVED = "dissolved", _("Dissolved by divorce")
    ANNULLED = "annulled", _("Void or annulled by a court")


REGISTRATION = Workflow(
    line=Line.MARRIAGE,
    state_field="standing",
    states=RegistrationStanding,
    noun=_("the marriage registration"),
    transitions=table(
        Transition(
            "reissue",
            _("Issue the marriage certificate again"),
            frozenset({RegistrationStanding.IN_FORCE}),
            RegistrationStanding.IN_FORCE,
            CASE_WRITERS,
        ),
        # A court's ruling, recorded by the registry (Civil Code arts. 1051–1054).
        Transition(
            "annul",
            _("Record a court ruling: void or annulled"),
            frozenset({RegistrationStanding.IN_FORCE, RegistrationStanding.DISSOLVED}),
            RegistrationStanding.ANNULLED,
            CASE_WRITERS,
        ),
    ),
)


class CounsellingOutcome(models.TextChoices):
    ONGOING = "ongoing", _("Ongoing")
    RECONCILED = "reconciled", _("Reconciled")
    DIVORCED = "divorced", _("Divorced")


COUNSELLING = Workflow(
    line=Line.MARRIAGE,
    state_field="outcome",
    states=CounsellingOutcome,
    noun=_("the counselling case"),
    transitions=table(
        Transition(
            "record_session",
            _("Record a session"),
            frozenset({CounsellingOutcome.ONGOING}),
            CounsellingOutcome.ONGOING,
            CASE_WRITERS,
        ),
        Transition(
            "close",
            _("Close with an outcome"),
            frozenset({CounsellingOutcome.ONGOING}),
            "",  # the outcome chosen: reconciled or divorced
            CASE_WRITERS,
        ),
    ),
)
COUNSELLING_TRANSITIONS = COUNSELLING.transitions
CLOSING_OUTCOMES = frozenset({CounsellingOutcome.RECONCILED, CounsellingOutcome.DIVORCED})
