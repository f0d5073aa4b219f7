"""The states of a divorce application and of a counselling case, as one table each (SPEC §6).

Read by the services (to refuse), the API (to route actions and name roles) and the pages (to offer buttons).
A divorce application's *phase* adds the calendar (civil_code.py) to its stored state: an open application is
cooling off (days 0–30), awaiting its certificate (days 31–60) or, from day 61, withdrawn because it lapsed
(the daily job records that; until then the phase already says so).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import CASE_WRITERS
from civil_affairs.workflow.engine import Transition, Workflow, actions_for, table

from .civil_code import DivorcePeriod, divorce_period


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
    LAPSED = "lapsed", _("Lapsed: the certificate was not issued within 60 days")


def divorce_phase(state: str, application_date: datetime.date, on: datetime.date) -> DivorcePhase:
    if state == DivorceState.ISSUED:
        return DivorcePhase.ISSUED
    if state == DivorceState.WITHDRAWN:
        return DivorcePhase.WITHDRAWN
    period = divorce_period(application_date, max(on, application_date))
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
    ),
)
DIVORCE_TRANSITIONS = DIVORCE.transitions
# The calendar period in which each divorce action is allowed.
ACTION_PERIOD = {"withdraw": DivorcePeriod.COOLING_OFF, "issue": DivorcePeriod.AWAITING_CERTIFICATE}


def divorce_actions(divorce: Any, user: Any, on: datetime.date) -> list[Transition]:
    """The actions ``user`` may take on a divorce application on a date (for buttons): the engine's
    state, role and line checks, then the calendar period."""
    period = divorce_period(divorce.application_date, max(on, divorce.application_date))
    return [t for t in actions_for(DIVORCE, divorce, user) if ACTION_PERIOD[t.action] is period]


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
