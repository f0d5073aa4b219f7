"""Administrators keep the working-day calendar (SPEC §2.5): a year's holidays and make-up working days."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from civil_affairs.accounts.permissions import ADMINISTRATORS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.errors import RuleViolation

from .models import CalendarDay, DayKind


def calendar_day_set(*, actor: Any, day: datetime.date, kind: str, name: str = "") -> CalendarDay:
    """Enter (or correct) one day of the calendar; audited."""
    if not user_has_role(actor, ADMINISTRATORS):
        raise PermissionDenied
    if kind not in DayKind.values:
        raise RuleViolation(_("A day is a holiday or a make-up working day."), field="kind")
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(day=day).first()
        before: dict[str, str | None] = (
            {"kind": existing.kind, "name": existing.name} if existing else {"kind": None, "name": None}
        )
        entry, _created = CalendarDay.objects.update_or_create(
            day=day, defaults={"kind": kind, "name": (name or "").strip(), "created_by": actor}
        )
        audit_record(
            actor=actor,
            action="update" if existing else "create",
            obj=entry,
            changes={
                "kind": [before["kind"], entry.kind],
                "name": [before["name"], entry.name],
            },
        )
    return entry


def calendar_day_remove(*, actor: Any, entry: CalendarDay) -> None:
    if not user_has_role(actor, ADMINISTRATORS):
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="delete",
            obj=entry,
            changes={"kind": [entry.kind, None], "name": [entry.name, None]},
        )
        entry.delete()
