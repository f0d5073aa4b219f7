"""The application's review workflow as one table (SPEC §4.2): who may do what from which state.

Read by the services (to refuse), the API (to route actions) and the pages (to offer buttons).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.permissions import CASE_WRITERS, DECIDERS


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    INVESTIGATED = "investigated", _("Investigated")
    PUBLICISED = "publicised", _("Public notice posted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = frozenset({State.SUBMITTED, State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED})
CLOSED_STATES = frozenset({State.APPROVED, State.REJECTED, State.WITHDRAWN})


@dataclass(frozen=True)
class Transition:
    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        # The town (street) caseworker accepts, investigates and posts the notice (社会救助暂行办法 arts. 9–11).
        Transition("accept", _("Accept"), frozenset({State.SUBMITTED}), State.ACCEPTED, CASE_WRITERS),
        Transition(
            "investigate",
            _("Record home visit"),
            frozenset({State.ACCEPTED}),
            State.INVESTIGATED,
            CASE_WRITERS,
        ),
        Transition(
            "publicise",
            _("Post public notice"),
            frozenset({State.INVESTIGATED}),
            State.PUBLICISED,
            CASE_WRITERS,
        ),
        # The district bureau decides.
        Transition("approve", _("Approve"), frozenset({State.PUBLICISED}), State.APPROVED, DECIDERS),
        Transition("reject", _("Reject"), frozenset({State.PUBLICISED}), State.REJECTED, DECIDERS),
        # Withdrawal is possible at any point before a decision.
        Transition("withdraw", _("Withdraw"), OPEN_STATES, State.WITHDRAWN, CASE_WRITERS | DECIDERS),
    )
}


def actions_for(state: str, role: str, transitions: dict[str, Transition] | None = None) -> list[Transition]:
    """The transitions (of applications unless told) a user of ``role`` may take from ``state``."""
    table = TRANSITIONS if transitions is None else transitions
    return [t for t in table.values() if state in t.sources and role in t.roles]


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


ENROLLMENT_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "suspend",
            _("Suspend"),
            frozenset({EnrollmentStatus.ACTIVE}),
            EnrollmentStatus.SUSPENDED,
            CASE_WRITERS | DECIDERS,
        ),
        Transition(
            "resume", _("Resume"), frozenset({EnrollmentStatus.SUSPENDED}), EnrollmentStatus.ACTIVE, DECIDERS
        ),
        Transition(
            "terminate",
            _("Terminate"),
            frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED}),
            EnrollmentStatus.TERMINATED,
            DECIDERS,
        ),
    )
}
