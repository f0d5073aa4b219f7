"""The columns of social assistance's list exports (SPEC §3), shared by the API and the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from civil_affairs.exports import Column, field

from .models import Household
from .rules import Category


def _head_name(household: Household) -> str:
    return next((m.person.name for m in household.members.all() if m.relation == "self"), "")


def _division(row: Any) -> str:
    return f"{row.division.name}（{row.division_id}）"


HOUSEHOLD_COLUMNS = [
    field(_("Household"), "id"),
    Column(_("Head of household"), _head_name),
    Column(_("Division"), _division),
    field(_("Address"), "address"),
    Column(_("Members"), lambda h: len(h.members.all())),
]
APPLICATION_COLUMNS = [
    field(_("Application"), "id"),
    Column(_("Category"), lambda a: Category(a.category).label),
    Column(_("Division"), _division),
    field(_("Address"), "household.address"),
    field(_("State"), "state"),
    field(_("Public notice from"), "notice_from"),
    field(_("Submitted at"), "submitted_at"),
    field(_("Decided at"), "decided_at"),
    field(_("Decision reason"), "decision_reason"),
]
ENROLLMENT_COLUMNS = [
    field(_("Enrollment"), "id"),
    Column(_("Category"), lambda e: Category(e.category).label),
    Column(_("Division"), _division),
    field(_("Monthly amount (yuan)"), "monthly_amount"),
    field(_("Members covered"), "covered_count"),
    field(_("Start"), "start"),
    field(_("End"), "end"),
    field(_("Status"), "status"),
    field(_("Status reason"), "status_reason"),
    field(_("Next re-check"), "next_review"),
]
