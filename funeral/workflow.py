"""The eco-burial subsidy's states and transitions (SPEC §7), run by the kernel's workflow engine.

Caseworkers and administrators file; district reviewers and administrators decide (four eyes: whoever
filed may not approve or reject) and record the payment.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import DECIDERS
from civil_affairs.workflow.engine import Transition, Workflow, table


class SubsidyState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


BURIAL_SUBSIDY = Workflow(
    line=Line.FUNERAL,
    states=SubsidyState,
    noun=_("the eco-burial subsidy"),
    transitions=table(
        Transition(
            "approve",
            _("Approve"),
            frozenset({SubsidyState.SUBMITTED}),
            SubsidyState.APPROVED,
            DECIDERS,
            decides=True,
        ),
        Transition(
            "reject",
            _("Reject"),
            frozenset({SubsidyState.SUBMITTED}),
            SubsidyState.REJECTED,
            DECIDERS,
            decides=True,
        ),
        Transition(
            "pay", _("Record payment"), frozenset({SubsidyState.APPROVED}), SubsidyState.PAID, DECIDERS
        ),
    ),
)
