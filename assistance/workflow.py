"""Social assistance's states and transition tables (SPEC §4.2–§4.4), run by the kernel's workflow engine.

Read by the services (``take`` refuses what a table does not allow), the API (routes and roles) and the
pages (buttons, through ``actions_for``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import CASE_WRITERS, DECIDERS
from civil_affairs.workflow.engine import Transition, Workflow, table


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

APPLICATION = Workflow(
    line=Line.ASSISTANCE,
    states=State,
    noun=_("the application"),
    transitions=table(
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
        # The district bureau decides; whoever prepared the case may not (four eyes).
        Transition(
            "approve", _("Approve"), frozenset({State.PUBLICISED}), State.APPROVED, DECIDERS, decides=True
        ),
        # Only a case proposed for approval is publicised (最低生活保障审核确认办法): a rejection, in writing with
        # reasons, may follow the home visit directly.
        Transition(
            "reject",
            _("Reject"),
            frozenset({State.INVESTIGATED, State.PUBLICISED}),
            State.REJECTED,
            DECIDERS,
            decides=True,
        ),
        # Withdrawal is possible at any point before a decision.
        Transition("withdraw", _("Withdraw"), OPEN_STATES, State.WITHDRAWN, CASE_WRITERS | DECIDERS),
    ),
)
TRANSITIONS = APPLICATION.transitions


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


ENROLLMENT = Workflow(
    line=Line.ASSISTANCE,
    state_field="status",
    states=EnrollmentStatus,
    noun=_("the enrollment"),
    transitions=table(
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
        # The periodic re-check (动态管理, SPEC §4.2): the status stays, unless a 低保 gap of 0 terminates it, so
        # the target is left to the service (the engine's empty target).
        Transition(
            "recheck",
            _("Record a re-check"),
            frozenset({EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED}),
            "",
            CASE_WRITERS | DECIDERS,
        ),
    ),
)
ENROLLMENT_TRANSITIONS = ENROLLMENT.transitions


class UpliftStatus(models.TextChoices):
    PREVIEW = "preview", _("Preview")
    APPROVED = "approved", _("Approved")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


UPLIFT = Workflow(
    line=Line.ASSISTANCE,
    state_field="status",
    states=UpliftStatus,
    noun=_("the uplift"),
    transitions=table(
        # Whoever made the preview may not approve it (four eyes, SPEC §2.3).
        Transition(
            "approve",
            _("Approve the uplift"),
            frozenset({UpliftStatus.PREVIEW}),
            UpliftStatus.APPROVED,
            DECIDERS,
            decides=True,
        ),
    ),
)
