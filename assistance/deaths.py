"""What a death does to social assistance (SPEC §7): the handler connected to the kernel's death event.

Every active or suspended enrollment covering the deceased ends or shrinks, in the death's transaction:
- nobody else covered: terminated at the end of the month of death (the month is still paid; an enrollment
  whose first month was still to come is terminated on its start and pays no month, since the payment batch
  pays only active enrollments);
- others covered: recomputed without the deceased from the next month's first day (a new row of the amount
  history; the old amounts stay), terminated instead when the recomputed 低保 gap is 0.
The change is the system's (the engine's ``actor=None``): the funeral officer who recorded the death does not
serve assistance; who recorded it is written in the note and the audit event.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.audit.services import audit_record
from civil_affairs.deaths import DeathEvent
from civil_affairs.workflow.engine import take

from . import rules
from .models import Enrollment, EnrollmentAmount, HouseholdMember
from .payees import mask_account
from .services import standard_in_force
from .workflow import ENROLLMENT, EnrollmentStatus

HANDLER_ORDER = 10


def _recorded_by(actor: Any) -> str:
    return actor.get_username() if getattr(actor, "pk", None) else "system"


def _month_end(day: datetime.date) -> datetime.date:
    return rules.first_of_next_month(day) - datetime.timedelta(days=1)


def _terminate(enrollment: Enrollment, event: DeathEvent, reason: str) -> None:
    # The month of death is paid; an enrollment not started by then pays nothing (end = start, terminated).
    end = max(_month_end(event.date_of_death), enrollment.start)
    take(
        ENROLLMENT,
        enrollment,
        "terminate",
        actor=None,
        note=reason,
        fields={"end": end, "status_reason": reason},
        effect=lambda _locked: {"death_recorded_by": [None, _recorded_by(event.actor)]},
    )


def _amount(enrollment: Enrollment, on: datetime.date) -> Decimal:
    standard = standard_in_force(enrollment.category, on).monthly_amount
    return rules.monthly_amount(
        category=enrollment.category,
        standard=standard,
        total_income=enrollment.total_income,
        member_count=enrollment.member_count,
        covered_count=enrollment.covered_count,
    )


def _recompute(enrollment: Enrollment, event: DeathEvent, remaining: int) -> None:
    """Without the deceased from the next month: covered and household counts, income, amount history."""
    person = event.person
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    effective_from = max(rules.first_of_next_month(event.date_of_death), locked.start)
    income = (
        HouseholdMember.objects.filter(household_id=locked.household_id, person=person)
        .values_list("monthly_income", flat=True)
        .first()
    )
    before = {
        "covered_count": locked.covered_count,
        "member_count": locked.member_count,
        "total_income": str(locked.total_income),
        "monthly_amount": str(locked.monthly_amount),
    }
    locked.covered_count = remaining
    locked.member_count = max(locked.member_count - 1, remaining)
    if income is not None:
        locked.total_income = max(Decimal("0.00"), locked.total_income - income)
    new_amount = _amount(locked, effective_from)
    if new_amount == 0:
        locked.save(update_fields=["covered_count", "member_count", "total_income", "updated_at"])
        locked.covered_members.remove(person)
        _terminate(
            locked,
            event,
            _("Death of %(name)s on %(date)s: the recomputed amount is 0.")
            % {"name": person.name, "date": event.date_of_death.isoformat()},
        )
        return
    # The new amount from the next month, and every later row of the history recomputed with the new counts
    # (e.g. an uplift already written from a later date).
    EnrollmentAmount.objects.update_or_create(
        enrollment=locked, effective_from=effective_from, defaults={"monthly_amount": new_amount}
    )
    for later in EnrollmentAmount.objects.filter(enrollment=locked, effective_from__gt=effective_from):
        later.monthly_amount = _amount(locked, later.effective_from)
        later.save(update_fields=["monthly_amount"])
    # monthly_amount is the amount in force today (at the start, if it has not started) (SPEC §7).
    today_or_start = max(timezone.localdate(), locked.start)
    in_force = (
        EnrollmentAmount.objects.filter(enrollment=locked, effective_from__lte=today_or_start)
        .order_by("-effective_from")
        .values_list("monthly_amount", flat=True)
        .first()
    )
    if in_force is not None:
        locked.monthly_amount = in_force
    locked.save(
        update_fields=["covered_count", "member_count", "total_income", "monthly_amount", "updated_at"]
    )
    locked.covered_members.remove(person)
    audit_record(
        actor=event.actor,
        action="recompute_after_death",
        obj=locked,
        changes={
            **{
                k: [v, str(getattr(locked, k))]
                for k, v in before.items()
                if str(getattr(locked, k)) != str(v)
            },
            "covered_members": [None, f"-{person.pk}"],
            "deceased": [None, person.pk],
            "date_of_death": [None, event.date_of_death],
            "new_amount": [None, str(new_amount)],
            "effective_from": [None, effective_from],
        },
    )


def _stop_paying_the_deceased(enrollment: Enrollment, event: DeathEvent) -> None:
    """A household enrollment whose payee was the deceased keeps no payee: the bank must not pay a dead
    person's account, so the caseworker names the new payee (the enrollment page asks for one)."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if not locked.payee or locked.payee.strip() != event.person.name:
        return
    before = {"payee": locked.payee, "bank_account": locked.bank_account, "bank_name": locked.bank_name}
    locked.payee, locked.bank_account, locked.bank_name = "", "", ""
    locked.save(update_fields=["payee", "bank_account", "bank_name", "updated_at"])
    audit_record(
        actor=event.actor,
        action="payee_cleared_by_death",
        obj=locked,
        changes={
            "payee": [before["payee"], ""],
            "bank_account": [mask_account(before["bank_account"]), ""],
            "bank_name": [before["bank_name"], ""],
        },
    )


def end_enrollments(event: DeathEvent) -> None:
    """Terminate or recompute every active or suspended enrollment covering the deceased (SPEC §7)."""
    person = event.person
    enrollments = list(
        Enrollment.objects.select_for_update()
        .filter(covered_members=person, status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED])
        .order_by("pk")
    )
    for enrollment in enrollments:
        remaining = enrollment.covered_members.exclude(pk=person.pk).count()
        if remaining == 0:
            _terminate(
                enrollment,
                event,
                _("Death of %(name)s on %(date)s.")
                % {"name": person.name, "date": event.date_of_death.isoformat()},
            )
        else:
            _recompute(enrollment, event, remaining)
            _stop_paying_the_deceased(enrollment, event)
