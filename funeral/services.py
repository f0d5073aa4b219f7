"""Every write of funeral work (SPEC §7): death records (the death event), eco-burial subsidies through their
workflow, basic funeral fee waivers, cemetery plots, village councils and their events. Each function is one
transaction with its audit event; a broken rule raises RuleViolation (400), a second of a one-off or an action
not allowed now raises Conflict (409), a role or line that may not act raises PermissionDenied (403).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.beneficiaries import was_beneficiary_on
from civil_affairs import deaths
from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.accounts.permissions import CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.errors import Conflict, RuleViolation
from civil_affairs.people.models import Person
from civil_affairs.people.services import home_division
from civil_affairs.workflow.engine import record_step, take

from . import rules
from .models import (
    BurialSubsidy,
    Cemetery,
    CouncilEvent,
    CouncilEventKind,
    DeathRecord,
    FeeWaiver,
    PlotAllocation,
    VillageCouncil,
)
from .workflow import BURIAL_SUBSIDY, SubsidyState


def _may_write(actor: Any) -> None:
    """Caseworkers and administrators serving the funeral line file records (SPEC §7)."""
    if not (user_has_role(actor, CASE_WRITERS) and serves(actor, Line.FUNERAL)):
        raise PermissionDenied(_("Your role may not do this."))


def _check_person(actor: Any, person: Person, field: str) -> None:
    if not covers(actor, person.division_id):
        raise RuleViolation(_("This person is registered outside your jurisdiction."), field=field)


def _death_record_of(person: Person, field: str = "deceased") -> DeathRecord:
    record = DeathRecord.objects.filter(person=person).first()
    if record is None:
        raise RuleViolation(
            _("%(name)s has no death record: record the death first.") % {"name": person.name},
            field=field,
            code="death_record_required",
        )
    return record


# --- Death records (the death event) ----------------------------------------------------------------------


def death_record(
    *,
    actor: Any,
    person: Person,
    date_of_death: datetime.date,
    place: str = "",
    cremated: bool = False,
    cremated_on: datetime.date | None = None,
) -> DeathRecord:
    """Record a death (SPEC §7): one record per person (409); not in the future nor before birth (400).

    In the same transaction the kernel's death event marks the person deceased and every connected app
    reacts (assistance ends or recomputes enrollments, elder care ends services, marriage ends); if any of
    them refuses, nothing is recorded. Before the event changes anything, the 低保/特困 category the person
    held on the date of death is asked of assistance and kept for the fee waiver.
    """
    _may_write(actor)
    _check_person(actor, person, "person")
    today = timezone.localdate()
    if date_of_death > today:
        raise RuleViolation(_("The date of death cannot be in the future."), field="date_of_death")
    if cremated_on is not None:
        if not cremated:
            raise RuleViolation(_("A cremation date needs “cremated” ticked."), field="cremated_on")
        if cremated_on < date_of_death or cremated_on > today:
            raise RuleViolation(
                _("The cremation date is between the date of death and today."), field="cremated_on"
            )
    with transaction.atomic():
        if DeathRecord.objects.filter(person=person).exists():
            raise Conflict(_("%(name)s already has a death record.") % {"name": person.name})
        category = was_beneficiary_on(person, date_of_death, rules.FEE_WAIVER_CATEGORIES) or ""
        event = deaths.announce(person=person, date_of_death=date_of_death, actor=actor)
        try:
            with transaction.atomic():
                record = DeathRecord.objects.create(
                    person=event.person,
                    division_id=event.person.division_id,
                    date_of_death=date_of_death,
                    place=(place or "").strip(),
                    cremated=cremated,
                    cremated_on=cremated_on,
                    beneficiary_category=category,
                    recorded_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError:
            raise Conflict(_("%(name)s already has a death record.") % {"name": person.name}) from None
        audit_record(
            actor=actor,
            action="create",
            obj=record,
            changes={
                "person": [None, person.pk],
                "date_of_death": [None, date_of_death],
                "place": [None, record.place],
                "cremated": [None, cremated],
                "cremated_on": [None, cremated_on],
            },
        )
    return record


# --- Eco-burial subsidies -------------------------------------------------------------------------------------


def burial_subsidy_submit(
    *,
    actor: Any,
    deceased: Person,
    burial_type: str,
    applicant: Person,
    burial_date: datetime.date,
) -> BurialSubsidy:
    """File an eco-burial award (生态葬奖补, SPEC §7, §11): the amount from the configurable table; the deceased
    must have a death record; one award per deceased (a second → 409)."""
    _may_write(actor)
    _check_person(actor, deceased, "deceased")
    amount = rules.burial_subsidy_amount(burial_type)
    if amount is None:
        raise RuleViolation(
            _("“%(type)s” is not a burial type the eco-burial award table covers.") % {"type": burial_type},
            field="burial_type",
            code="burial_type_not_in_table",
        )
    record = _death_record_of(deceased)
    if applicant.pk == deceased.pk:
        raise RuleViolation(_("The applicant is a living relative, not the deceased."), field="applicant")
    if applicant.is_deceased:
        raise RuleViolation(_("The applicant is recorded as deceased."), field="applicant")
    if burial_date < record.date_of_death or burial_date > timezone.localdate():
        raise RuleViolation(_("The burial date is between the date of death and today."), field="burial_date")
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=deceased.pk)
        if BurialSubsidy.objects.filter(deceased=deceased).exists():
            raise Conflict(_("%(name)s already has an eco-burial subsidy.") % {"name": deceased.name})
        subsidy = BurialSubsidy.objects.create(
            deceased=deceased,
            division_id=home_division(deceased),
            burial_type=burial_type,
            applicant=applicant,
            burial_date=burial_date,
            amount=amount,
            submitted_by=actor,
        )
        # The filing is the first step: whoever filed may not decide (four eyes).
        record_step(
            workflow=BURIAL_SUBSIDY,
            obj=subsidy,
            action="submit",
            actor=actor,
            from_state="",
            to_state=SubsidyState.SUBMITTED,
            changes={
                "deceased": [None, deceased.pk],
                "burial_type": [None, burial_type],
                "amount": [None, str(amount)],
            },
        )
    return subsidy


def burial_subsidy_approve(*, actor: Any, subsidy: BurialSubsidy) -> BurialSubsidy:
    """The district approves (four eyes: not whoever filed)."""
    return take(BURIAL_SUBSIDY, subsidy, "approve", actor=actor, fields={"decided_at": timezone.now()})


def burial_subsidy_reject(*, actor: Any, subsidy: BurialSubsidy, reason: str) -> BurialSubsidy:
    """The district rejects, with its reason (four eyes)."""
    if not (reason or "").strip():
        raise RuleViolation(_("A rejection must give its reason."), field="reason")
    return take(
        BURIAL_SUBSIDY,
        subsidy,
        "reject",
        actor=actor,
        note=reason.strip(),
        fields={"decided_at": timezone.now(), "decision_reason": reason.strip()},
    )


def burial_subsidy_pay(
    *, actor: Any, subsidy: BurialSubsidy, paid_on: datetime.date | None = None
) -> BurialSubsidy:
    """Record that the approved award was paid."""
    day = paid_on or timezone.localdate()
    if day > timezone.localdate():
        raise RuleViolation(_("The payment date cannot be in the future."), field="paid_on")
    return take(BURIAL_SUBSIDY, subsidy, "pay", actor=actor, fields={"paid_on": day})


# --- Basic funeral fee waivers ----------------------------------------------------------------------------------


def fee_waiver_grant(*, actor: Any, deceased: Person) -> FeeWaiver:
    """Waive the basic funeral fees (惠民殡葬, 630 yuan, SPEC §7, §11) of a deceased who was a 低保 or 特困
    beneficiary on the date of death: an approved enrollment not ended before that date, even if its first
    paid month was still to come, as assistance answers. One waiver per deceased (a second → 409)."""
    _may_write(actor)
    _check_person(actor, deceased, "deceased")
    if not deceased.is_deceased or deceased.date_of_death is None:
        raise RuleViolation(
            _("%(name)s is not recorded as deceased.") % {"name": deceased.name},
            field="deceased",
            code="deceased_required",
        )
    record = DeathRecord.objects.filter(person=deceased).first()
    category = (record.beneficiary_category if record else "") or was_beneficiary_on(
        deceased, deceased.date_of_death, rules.FEE_WAIVER_CATEGORIES
    )
    if not category:
        raise RuleViolation(
            _(
                "Basic funeral fees are waived only for a 低保 or 特困 beneficiary on the date of death; "
                "%(name)s was not one on %(date)s."
            )
            % {"name": deceased.name, "date": deceased.date_of_death.isoformat()},
            field="deceased",
            code="not_a_beneficiary_on_date_of_death",
        )
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=deceased.pk)
        if FeeWaiver.objects.filter(deceased=deceased).exists():
            raise Conflict(_("%(name)s already has a basic funeral fee waiver.") % {"name": deceased.name})
        waiver = FeeWaiver.objects.create(
            deceased=deceased,
            division_id=home_division(deceased),
            amount=rules.fee_waiver_amount(),
            category=category,
            granted_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=waiver,
            changes={
                "deceased": [None, deceased.pk],
                "amount": [None, str(waiver.amount)],
                "category": [None, category],
            },
        )
    return waiver


# --- Cemeteries -----------------------------------------------------------------------------------------------


def cemetery_create(*, actor: Any, name: str, division: Division, plots_total: int) -> Cemetery:
    """Register a public-welfare cemetery (公益性公墓) with its number of plots."""
    _may_write(actor)
    if not covers(actor, division.code):
        raise RuleViolation(_("This division is outside your jurisdiction."), field="division")
    name = (name or "").strip()
    if not name:
        raise RuleViolation(_("Enter the cemetery's name."), field="name")
    if plots_total < 1:
        raise RuleViolation(_("A cemetery has at least one plot."), field="plots_total")
    with transaction.atomic():
        if Cemetery.objects.filter(name=name).exists():
            raise Conflict(_("A cemetery named %(name)s already exists.") % {"name": name})
        cemetery = Cemetery.objects.create(name=name, division=division, plots_total=plots_total)
        audit_record(
            actor=actor,
            action="create",
            obj=cemetery,
            changes={
                "name": [None, name],
                "division": [None, division.code],
                "plots_total": [None, plots_total],
            },
        )
    return cemetery


# One statement takes the next plot: the row lock makes concurrent allocations serial, the WHERE refuses a
# full cemetery, and the CHECK constraint (plots_used <= plots_total) holds whatever a caller does.
TAKE_PLOT_SQL = """
    UPDATE funeral_cemetery SET plots_used = plots_used + 1
     WHERE id = %s AND plots_used < plots_total
 RETURNING plots_used
"""


def plot_allocate(*, actor: Any, cemetery: Cemetery, deceased: Person) -> PlotAllocation:
    """Give the next numbered plot of a cemetery to a deceased (SPEC §7): full → 409; one plot per deceased
    (a second → 409); concurrent allocations never exceed the plots there are."""
    _may_write(actor)
    _check_person(actor, deceased, "deceased")
    _death_record_of(deceased)
    with transaction.atomic():
        Person.objects.select_for_update().get(pk=deceased.pk)
        if PlotAllocation.objects.filter(deceased=deceased).exists():
            raise Conflict(_("%(name)s already has a cemetery plot.") % {"name": deceased.name})
        with connection.cursor() as cursor:
            cursor.execute(TAKE_PLOT_SQL, [cemetery.pk])
            row = cursor.fetchone()
        if row is None:
            raise Conflict(_("%(name)s is full: no plot is free.") % {"name": cemetery.name})
        allocation = PlotAllocation.objects.create(
            cemetery=cemetery,
            plot=row[0],
            deceased=deceased,
            allocated_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="allocate",
            obj=allocation,
            changes={
                "cemetery": [None, cemetery.pk],
                "plot": [None, row[0]],
                "deceased": [None, deceased.pk],
            },
        )
    return allocation


# --- Village councils for weddings and funerals -------------------------------------------------------------


def _clean_members(members: Sequence[str]) -> list[str]:
    names = [str(m).strip() for m in members if str(m).strip()]
    if not names:
        raise RuleViolation(_("A council has at least one member."), field="members")
    return names


def village_council_create(
    *, actor: Any, division: Division, chair: str, members: Sequence[str], charter_date: datetime.date
) -> VillageCouncil:
    """Register a village's council for weddings and funerals (红白理事会): one per village or community."""
    _may_write(actor)
    if division.level != DivisionLevel.VILLAGE:
        raise RuleViolation(_("A council belongs to a village or community."), field="division")
    if not covers(actor, division.code):
        raise RuleViolation(_("This division is outside your jurisdiction."), field="division")
    if not (chair or "").strip():
        raise RuleViolation(_("Name the council's chair."), field="chair")
    if charter_date > timezone.localdate():
        raise RuleViolation(_("The charter date cannot be in the future."), field="charter_date")
    names = _clean_members(members)
    with transaction.atomic():
        if VillageCouncil.objects.filter(division=division).exists():
            raise Conflict(_("%(village)s already has a council.") % {"village": division.name})
        council = VillageCouncil.objects.create(
            division=division, chair=chair.strip(), members=names, charter_date=charter_date
        )
        audit_record(
            actor=actor,
            action="create",
            obj=council,
            changes={
                "division": [None, division.code],
                "chair": [None, council.chair],
                "members": [None, names],
            },
        )
    return council


def council_event_record(
    *,
    actor: Any,
    council: VillageCouncil,
    kind: str,
    held_on: datetime.date,
    family: str,
    guests: int = 0,
    cost: Decimal = Decimal("0.00"),
    note: str = "",
) -> CouncilEvent:
    """Record a wedding or funeral a council handled."""
    _may_write(actor)
    if not covers(actor, council.division_id):
        raise RuleViolation(_("This council is outside your jurisdiction."), field="council")
    if kind not in CouncilEventKind.values:
        raise RuleViolation(_("An event is a wedding or a funeral."), field="kind")
    if held_on > timezone.localdate():
        raise RuleViolation(_("The event date cannot be in the future."), field="held_on")
    if held_on < council.charter_date:
        raise RuleViolation(_("The event is before the council's charter date."), field="held_on")
    if not (family or "").strip():
        raise RuleViolation(_("Name the family."), field="family")
    if cost < 0 or guests < 0:
        raise RuleViolation(_("Guests and cost cannot be negative."), field="cost")
    with transaction.atomic():
        event = CouncilEvent.objects.create(
            council=council,
            kind=kind,
            held_on=held_on,
            family=family.strip(),
            guests=guests,
            cost=cost,
            note=(note or "").strip(),
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=event,
            changes={"council": [None, council.pk], "kind": [None, kind], "held_on": [None, held_on]},
        )
    return event
