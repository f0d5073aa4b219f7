"""Every write of elder care (SPEC §5). Each function is one transaction with its audit event; a broken rule
raises RuleViolation (400, naming the field), a one-off done twice raises Conflict (409).

Alerts are raised once per cause (a unique constraint on the cause, inserts that do nothing on conflict) and
close themselves when the cause goes; a manually closed alert stays closed for that cause.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from assistance.beneficiaries import SUBSISTENCE_CATEGORIES, was_beneficiary_on
from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.accounts.permissions import CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record, diff
from civil_affairs.divisions.models import Division
from civil_affairs.errors import Conflict, RuleViolation
from civil_affairs.people.models import Person
from civil_affairs.people.services import home_division

from .models import (
    Alert,
    AlertKind,
    AwardLevel,
    CaregiverAward,
    CaregiverTraining,
    CertificateLevel,
    EscrowStatement,
    Facility,
    FacilityKind,
    FacilityStatus,
    Hazard,
    HomeCareKind,
    HomeCareProject,
    HomeCareStatus,
    Inspection,
    MealDelivery,
    MealDeliveryEnrolment,
    MealReport,
    Ownership,
    Severity,
)

M = TypeVar("M", bound=models.Model)

ELDERLY_AGE = 60
DEPOSIT_MONTHS_CAP = 12  # deposits ≤ 12 months of fees (SPEC §5, §11)
STATEMENT_DUE_DAY = 10  # last month's statement is due by the 10th


def prepaid_months_cap() -> int:
    return int(getattr(settings, "ELDERCARE_PREPAID_MONTHS_CAP", 6))


# --- Small rules --------------------------------------------------------------------------------------------


def first_of_month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(day: datetime.date) -> datetime.date:
    return (first_of_month(day) - datetime.timedelta(days=1)).replace(day=1)


def a_year_after(day: datetime.date) -> datetime.date:
    """The same day a year later (29 February: 28 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _not_negative(value: Any, field: str) -> None:
    if value is None or value < 0:
        raise RuleViolation(_("This cannot be negative."), field=field, code="not_negative")


LARGEST_COUNT = 2_147_483_647  # the database's integer column: a larger count would fail on save (a 500)


def _count(value: Any, field: str) -> None:
    """A count of beds, residents or meals: a whole number from 0 to what the column holds."""
    _not_negative(value, field)
    if value > LARGEST_COUNT:
        raise RuleViolation(
            _("This number is too large (at most %(most)s).") % {"most": LARGEST_COUNT},
            field=field,
            code="too_large",
        )


def _check_writer(actor: Any) -> None:
    """Caseworkers and administrators serving elder care write its records (SPEC §2.3): the district
    jurisdiction alone is not enough (a marriage registrar has it too)."""
    if not user_has_role(actor, CASE_WRITERS):
        raise PermissionDenied(_("Your role may not do this."))
    if not serves(actor, Line.ELDERCARE):
        raise PermissionDenied(_("You do not serve this line of work."))


def _check_division(actor: Any, division: Division, field: str = "division") -> None:
    if not covers(actor, division.code):
        raise RuleViolation(_("This division is outside your jurisdiction."), field=field, code="outside")


def _check_person_in_reach(actor: Any, person: Person) -> None:
    if not covers(actor, person.division_id):
        raise RuleViolation(
            _("This person is registered outside your jurisdiction."), field="person", code="outside"
        )


# The span of the records (a year-1 or year-9999 date is a slip of the keyboard, not a record): elder-care work
# is recorded from 2000 on, as the community line's (community/rules.py); a facility may have opened long before.
EARLIEST_RECORD_DAY = datetime.date(2000, 1, 1)
EARLIEST_OPENING = datetime.date(1900, 1, 1)


def _not_before(day: datetime.date | None, earliest: datetime.date, field: str) -> None:
    if day is not None and day < earliest:
        raise RuleViolation(
            _("Give a date from %(first)s on.") % {"first": earliest.isoformat()},
            field=field,
            code="too_early",
        )


def _check_month(
    month: datetime.date, today: datetime.date | None = None, *, opened_on: datetime.date | None = None
) -> datetime.date:
    """A month reported on: from 2000-01 (and the facility's opening month, when given) to the current one."""
    month = first_of_month(month)
    if month > first_of_month(today or timezone.localdate()):
        raise RuleViolation(
            _("Give the current or an earlier month, not a future one."),
            field="month",
            code="future_month",
        )
    if month < EARLIEST_RECORD_DAY:
        raise RuleViolation(
            _("Give a month from %(first)s on.") % {"first": f"{EARLIEST_RECORD_DAY:%Y-%m}"},
            field="month",
            code="too_early",
        )
    if opened_on is not None and month < first_of_month(opened_on):
        raise RuleViolation(
            _("The facility opened on %(date)s; give that month or a later one.") % {"date": opened_on},
            field="month",
            code="before_opening",
        )
    return month


def _snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _create_once(
    model: type[M], *, actor: Any, conflict: str, changes: Mapping[str, Any], **values: Any
) -> M:
    """Insert a record of which there is one (a unique constraint says so) and audit it: a second, even one
    racing this one, is a Conflict (409) naming ``conflict``. ``changes``: the audited values, as shown."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = model._default_manager.create(**values)
        except IntegrityError:
            raise Conflict(conflict) from None
        audit_record(
            actor=actor,
            action="create",
            obj=record,
            changes={name: [None, value] for name, value in changes.items()},
        )
    return record


# --- Facilities ---------------------------------------------------------------------------------------------

FACILITY_FIELDS = (
    "name",
    "kind",
    "division_id",
    "operator",
    "ownership",
    "beds",
    "star_rating",
    "status",
    "opened_on",
    "has_escrow_account",
)


def _check_facility(values: Mapping[str, Any]) -> None:
    if not (values.get("name") or "").strip():
        raise RuleViolation(_("Enter the facility's name."), field="name", code="required")
    if values.get("kind") not in FacilityKind.values:
        raise RuleViolation(_("Unknown kind of facility."), field="kind", code="invalid_choice")
    if values.get("ownership") not in Ownership.values:
        raise RuleViolation(_("Unknown ownership."), field="ownership", code="invalid_choice")
    if values.get("status") not in FacilityStatus.values:
        raise RuleViolation(_("Unknown status."), field="status", code="invalid_choice")
    _count(values.get("beds"), "beds")
    star = values.get("star_rating")
    if star is not None and not 1 <= star <= 5:
        raise RuleViolation(
            _("A star rating is from 1 to 5 stars."), field="star_rating", code="star_rating_range"
        )
    opened_on = values.get("opened_on")
    if opened_on is not None and opened_on > timezone.localdate():
        raise RuleViolation(_("The opening date cannot be in the future."), field="opened_on", code="future")
    _not_before(opened_on, EARLIEST_OPENING, "opened_on")


def _save_facility(facility: Facility) -> None:
    try:
        with transaction.atomic():
            facility.save()
    except IntegrityError:
        raise Conflict(_("A facility of this name already exists in this division.")) from None


def facility_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    division: Division,
    ownership: str,
    operator: str = "",
    beds: int = 0,
    star_rating: int | None = None,
    status: str = FacilityStatus.OPERATING,
    opened_on: datetime.date | None = None,
    has_escrow_account: bool = False,
) -> Facility:
    """Register a facility in the caller's jurisdiction."""
    _check_writer(actor)
    _check_division(actor, division)
    facility = Facility(
        name=(name or "").strip(),
        kind=kind,
        division=division,
        operator=(operator or "").strip(),
        ownership=ownership,
        beds=beds,
        star_rating=star_rating,
        status=status,
        opened_on=opened_on,
        has_escrow_account=has_escrow_account,
    )
    _check_facility(_snapshot(facility, FACILITY_FIELDS))
    with transaction.atomic():
        _save_facility(facility)
        audit_record(
            actor=actor, action="create", obj=facility, changes=diff({}, _snapshot(facility, FACILITY_FIELDS))
        )
    return facility


def _check_meal_site_stays(facility: Facility, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """A meal site delivering to enrolled people stays a meal site and is not closed (SPEC §4.5: enrolment is
    with a meal site): their enrolments end first, or they would be left with a site that no longer serves."""
    if before["kind"] != FacilityKind.MEAL_SITE:
        return
    for field, leaves in (
        ("kind", after["kind"] != FacilityKind.MEAL_SITE),
        ("status", after["status"] == FacilityStatus.CLOSED and before["status"] != FacilityStatus.CLOSED),
    ):
        if not leaves:
            continue
        enrolled = MealDeliveryEnrolment.objects.filter(facility=facility, ended_on__isnull=True).count()
        if enrolled:
            raise RuleViolation(
                _(
                    "%(count)s people are enrolled for meal delivery with this site; end their enrolments "
                    "before it stops being a meal site."
                )
                % {"count": enrolled},
                field=field,
                code="open_meal_enrolments",
            )


def facility_update(*, actor: Any, facility: Facility, **changes: Any) -> Facility:
    """Change a facility's particulars (its division stays)."""
    _check_writer(actor)
    with transaction.atomic():
        facility = Facility.objects.select_for_update().get(pk=facility.pk)
        before = _snapshot(facility, FACILITY_FIELDS)
        for name, value in changes.items():
            if name in FACILITY_FIELDS and name != "division_id":
                setattr(
                    facility,
                    name,
                    value.strip() if isinstance(value, str) and name in ("name", "operator") else value,
                )
        after = _snapshot(facility, FACILITY_FIELDS)
        _check_facility(after)
        _check_meal_site_stays(facility, before, after)
        changed = diff(before, after)
        if changed:
            _save_facility(facility)
            audit_record(actor=actor, action="update", obj=facility, changes=changed)
        # No escrow account, or closed: no statement is due, so a missing one is no longer a cause (SPEC §5).
        if (before["has_escrow_account"] and not after["has_escrow_account"]) or (
            after["status"] == FacilityStatus.CLOSED and before["status"] != FacilityStatus.CLOSED
        ):
            _close_alerts_of_cause(facility_id=facility.pk, kind=AlertKind.STATEMENT_MISSING)
    return facility


# --- Alerts -------------------------------------------------------------------------------------------------


def _raise_alert(
    *,
    facility_id: int,
    kind: str,
    detail: str,
    month: datetime.date | None = None,
    hazard_id: int | None = None,
    deadline: datetime.date | None = None,
) -> Alert | None:
    """Raise the alert of this cause, once: an open one is kept (its detail refreshed), one that closed itself
    when its cause went opens again now the cause is back, one closed by hand stays closed."""
    cause: dict[str, Any] = {"facility_id": facility_id, "kind": kind}
    if month is not None:
        cause["month"] = month
    else:
        cause["hazard_id"] = hazard_id
    alert = Alert.objects.select_for_update().filter(**cause).first()
    if alert is None:
        try:
            with transaction.atomic():
                alert = Alert.objects.create(**cause, detail=detail, deadline=deadline)
        except IntegrityError:  # raised by a racing writer a moment ago
            return Alert.objects.filter(**cause).first()
        audit_record(
            actor=None, action="raise", obj=alert, changes={"kind": [None, kind], "detail": [None, detail]}
        )
        return alert
    if alert.closed_at is None:
        if alert.detail != detail:
            alert.detail = detail
            alert.save(update_fields=["detail"])
    elif alert.closed_by_id is None and not alert.close_note:
        alert.closed_at = None
        alert.detail = detail
        alert.save(update_fields=["closed_at", "detail"])
        audit_record(actor=None, action="reopen", obj=alert, changes={"closed_at": [True, None]})
    return alert


def _close_alerts_of_cause(**cause: Any) -> int:
    """The cause went: its open alerts close themselves (audited)."""
    alerts = list(Alert.objects.select_for_update().filter(closed_at__isnull=True, **cause))
    now = timezone.now()
    for alert in alerts:
        alert.closed_at = now
        alert.save(update_fields=["closed_at"])
        audit_record(
            actor=None,
            action="close",
            obj=alert,
            changes={"closed_at": [None, now], "reason": [None, "cause_gone"]},
        )
    return len(alerts)


def alert_close(*, actor: Any, alert: Alert, note: str) -> Alert:
    """Close an alert by hand with a note (409 when it is already closed)."""
    _check_writer(actor)
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_("Say why the alert is closed."), field="note", code="required")
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.closed_at is not None:
            raise Conflict(_("This alert is already closed."))
        alert.closed_at = timezone.now()
        alert.closed_by = actor
        alert.close_note = note
        alert.save(update_fields=["closed_at", "closed_by", "close_note"])
        audit_record(
            actor=actor,
            action="close",
            obj=alert,
            changes={"closed_at": [None, alert.closed_at], "note": [None, note]},
        )
    return alert


# --- Escrow statements --------------------------------------------------------------------------------------

STATEMENT_FIELDS = ("residents", "monthly_fee", "prepaid_fees_held", "deposits_held")


def statement_caps(residents: int, monthly_fee: Decimal) -> tuple[Decimal, Decimal]:
    """(prepaid cap, deposit cap): residents × monthly fee × the months allowed."""
    monthly = Decimal(residents) * monthly_fee
    return monthly * prepaid_months_cap(), monthly * DEPOSIT_MONTHS_CAP


def _check_statement(values: Mapping[str, Any], facility: Facility) -> None:
    _count(values.get("residents"), "residents")
    # The caps grow with the residents: more residents than beds would hide fees held beyond them.
    if facility.beds and values["residents"] > facility.beds:
        raise RuleViolation(
            _("%(facility)s has %(beds)s beds; the residents cannot be more.")
            % {"facility": facility.name, "beds": facility.beds},
            field="residents",
            code="residents_above_beds",
        )
    for name in ("monthly_fee", "prepaid_fees_held", "deposits_held"):
        _not_negative(values.get(name), name)


def statement_evaluate(statement: EscrowStatement) -> None:
    """Raise or close the statement's over-cap alerts, and close the month's statement_missing alert."""
    prepaid_cap, deposit_cap = statement_caps(statement.residents, statement.monthly_fee)
    month = statement.month
    checks = (
        (
            AlertKind.PREPAID_OVER_CAP,
            statement.prepaid_fees_held,
            prepaid_cap,
            _(
                "Prepaid fees held %(held)s yuan exceed %(residents)s residents × %(fee)s yuan × %(months)s months = %(cap)s yuan."
            ),
            prepaid_months_cap(),
        ),
        (
            AlertKind.DEPOSIT_OVER_CAP,
            statement.deposits_held,
            deposit_cap,
            _(
                "Deposits held %(held)s yuan exceed %(residents)s residents × %(fee)s yuan × %(months)s months = %(cap)s yuan."
            ),
            DEPOSIT_MONTHS_CAP,
        ),
    )
    for kind, held, cap, message, months in checks:
        if held > cap:
            detail = message % {
                "held": f"{held:.2f}",
                "residents": statement.residents,
                "fee": f"{statement.monthly_fee:.2f}",
                "months": months,
                "cap": f"{cap:.2f}",
            }
            _raise_alert(facility_id=statement.facility_id, kind=kind, month=month, detail=detail)
        else:
            _close_alerts_of_cause(facility_id=statement.facility_id, kind=kind, month=month)
    _close_alerts_of_cause(facility_id=statement.facility_id, kind=AlertKind.STATEMENT_MISSING, month=month)


def statement_record(
    *,
    actor: Any,
    facility: Facility,
    month: datetime.date,
    residents: int,
    monthly_fee: Decimal,
    prepaid_fees_held: Decimal,
    deposits_held: Decimal,
) -> EscrowStatement:
    """Record a facility's monthly escrow statement (one per facility and month, 409 on a second)."""
    _check_writer(actor)
    if not facility.has_escrow_account:
        raise RuleViolation(
            _("This facility has no escrow account, so it files no escrow statement."),
            field="facility",
            code="no_escrow_account",
        )
    month = _check_month(month, opened_on=facility.opened_on)
    values = {
        "residents": residents,
        "monthly_fee": monthly_fee,
        "prepaid_fees_held": prepaid_fees_held,
        "deposits_held": deposits_held,
    }
    _check_statement(values, facility)
    with transaction.atomic():
        Facility.objects.select_for_update().filter(pk=facility.pk).first()
        if EscrowStatement.objects.filter(facility=facility, month=month).exists():
            raise Conflict(
                _("%(facility)s already has a statement for %(month)s; correct that one instead.")
                % {"facility": facility.name, "month": f"{month:%Y-%m}"}
            )
        try:
            with transaction.atomic():
                statement = EscrowStatement.objects.create(facility=facility, month=month, **values)
        except IntegrityError:
            raise Conflict(_("This facility already has a statement for that month.")) from None
        audit_record(
            actor=actor,
            action="create",
            obj=statement,
            changes=diff({}, {"facility": facility.pk, "month": f"{month:%Y-%m}", **values}),
        )
        statement_evaluate(statement)
    return statement


def statement_correct(*, actor: Any, statement: EscrowStatement, **changes: Any) -> EscrowStatement:
    """Correct a statement's figures and re-evaluate its alerts."""
    _check_writer(actor)
    with transaction.atomic():
        statement = (
            EscrowStatement.objects.select_for_update().select_related("facility").get(pk=statement.pk)
        )
        before = _snapshot(statement, STATEMENT_FIELDS)
        for name in STATEMENT_FIELDS:
            if name in changes and changes[name] is not None:
                setattr(statement, name, changes[name])
        after = _snapshot(statement, STATEMENT_FIELDS)
        _check_statement(after, statement.facility)
        changed = diff(before, after)
        if changed:
            statement.save(update_fields=[*STATEMENT_FIELDS, "updated_at"])
            audit_record(actor=actor, action="update", obj=statement, changes=changed)
        statement_evaluate(statement)
    return statement


def raise_missing_statements(*, today: datetime.date) -> int:
    """Daily: a statement_missing alert for every facility with an escrow account and no statement for last
    month, once the 10th has passed. One INSERT … SELECT; running it again adds nothing (the cause is unique).
    Returns how many alerts were raised."""
    if today.day <= STATEMENT_DUE_DAY:
        return 0
    month = previous_month(today)
    detail = _("No escrow statement for %(month)s by the %(day)sth.") % {
        "month": f"{month:%Y-%m}",
        "day": STATEMENT_DUE_DAY,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Alert._meta.db_table} (facility_id, kind, month, detail, raised_at, close_note)
            SELECT f.id, %s, %s, %s, now(), ''
              FROM {Facility._meta.db_table} f
             WHERE f.has_escrow_account AND f.status <> %s
               AND (f.opened_on IS NULL OR f.opened_on < %s)
               AND NOT EXISTS (SELECT 1 FROM {EscrowStatement._meta.db_table} s
                                WHERE s.facility_id = f.id AND s.month = %s)
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 (table names are constants; values are parameters)
            [AlertKind.STATEMENT_MISSING, month, detail, FacilityStatus.CLOSED, today.replace(day=1), month],
        )
        raised = cursor.rowcount
        if raised:
            audit_record(
                actor=None,
                action="raise_alerts",
                object_type="eldercare.alert",
                changes={
                    "kind": [None, AlertKind.STATEMENT_MISSING],
                    "month": [None, f"{month:%Y-%m}"],
                    "raised": [None, raised],
                },
            )
    return raised


# --- Safety inspections -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HazardInput:
    description: str
    severity: str
    deadline: datetime.date


def inspection_record(
    *, actor: Any, facility: Facility, date: datetime.date, inspector: str, hazards: Iterable[Any] = ()
) -> Inspection:
    """Record a safety inspection with the hazards found, each with its severity and rectification deadline."""
    _check_writer(actor)
    if date > timezone.localdate():
        raise RuleViolation(_("An inspection cannot be dated in the future."), field="date", code="future")
    _not_before(date, EARLIEST_RECORD_DAY, "date")
    if not (inspector or "").strip():
        raise RuleViolation(_("Name the inspector."), field="inspector", code="required")
    rows = [h if isinstance(h, HazardInput) else HazardInput(**h) for h in hazards]
    for index, hazard in enumerate(rows):
        if not (hazard.description or "").strip():
            raise RuleViolation(
                _("Describe the hazard."), field=f"hazards.{index}.description", code="required"
            )
        if hazard.severity not in Severity.values:
            raise RuleViolation(
                _("Unknown severity."), field=f"hazards.{index}.severity", code="invalid_choice"
            )
        if hazard.deadline < date:
            raise RuleViolation(
                _("The rectification deadline cannot be before the inspection date (%(date)s).")
                % {"date": date},
                field=f"hazards.{index}.deadline",
                code="deadline_before_inspection",
            )
        if hazard.deadline > a_year_after(date):
            # A far deadline would keep the hazard from ever being overdue (and its alert from being raised).
            raise RuleViolation(
                _("The rectification deadline can be at most a year after the inspection (%(date)s).")
                % {"date": a_year_after(date)},
                field=f"hazards.{index}.deadline",
                code="deadline_too_far",
            )
    with transaction.atomic():
        try:
            with transaction.atomic():
                inspection = Inspection.objects.create(
                    facility=facility,
                    date=date,
                    inspector=inspector.strip(),
                    created_by=actor if actor and actor.pk else None,
                )
        except IntegrityError:
            raise Conflict(
                _("This inspector's inspection of %(facility)s on %(date)s is already recorded.")
                % {"facility": facility.name, "date": date}
            ) from None
        created = Hazard.objects.bulk_create(
            Hazard(
                inspection=inspection,
                facility=facility,
                description=h.description.strip(),
                severity=h.severity,
                deadline=h.deadline,
            )
            for h in rows
        )
        audit_record(
            actor=actor,
            action="create",
            obj=inspection,
            changes={
                "facility": [None, facility.pk],
                "date": [None, date],
                "inspector": [None, inspection.inspector],
                "hazards": [None, [[h.pk, h.severity, h.deadline] for h in created]],
            },
        )
    return inspection


def hazard_rectify(*, actor: Any, hazard: Hazard, rectified_on: datetime.date, note: str = "") -> Hazard:
    """Record a hazard's rectification, once (409 on a second); its overdue alert closes itself."""
    _check_writer(actor)
    with transaction.atomic():
        hazard = Hazard.objects.select_for_update().select_related("inspection").get(pk=hazard.pk)
        if hazard.rectified_on is not None:
            raise Conflict(
                _("This hazard was already rectified on %(date)s.")
                % {"date": hazard.rectified_on.isoformat()}
            )
        if rectified_on > timezone.localdate():
            raise RuleViolation(
                _("A rectification cannot be dated in the future."), field="rectified_on", code="future"
            )
        if rectified_on < hazard.inspection.date:
            raise RuleViolation(
                _("A rectification cannot be dated before the inspection."),
                field="rectified_on",
                code="before_inspection",
            )
        hazard.rectified_on = rectified_on
        hazard.rectification_note = (note or "").strip()
        hazard.save(update_fields=["rectified_on", "rectification_note"])
        audit_record(
            actor=actor,
            action="rectify",
            obj=hazard,
            changes={
                "rectified_on": [None, rectified_on],
                "rectification_note": ["", hazard.rectification_note],
            },
        )
        _close_alerts_of_cause(hazard_id=hazard.pk, kind=AlertKind.RECTIFICATION_OVERDUE)
    return hazard


def raise_overdue_rectifications(*, today: datetime.date) -> int:
    """Daily: a rectification_overdue alert for every unrectified hazard past its deadline (the deadline day
    itself is not late). One INSERT … SELECT, idempotent. Returns how many alerts were raised."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Alert._meta.db_table} (facility_id, kind, hazard_id, deadline, detail, raised_at, close_note)
            SELECT h.facility_id, %s, h.id, h.deadline, left(h.description, 200), now(), ''
              FROM {Hazard._meta.db_table} h
             WHERE h.rectified_on IS NULL AND h.deadline < %s
            ON CONFLICT DO NOTHING
            """,  # noqa: S608 (table names are constants; values are parameters)
            [AlertKind.RECTIFICATION_OVERDUE, today],
        )
        raised = cursor.rowcount
        if raised:
            audit_record(
                actor=None,
                action="raise_alerts",
                object_type="eldercare.alert",
                changes={"kind": [None, AlertKind.RECTIFICATION_OVERDUE], "raised": [None, raised]},
            )
    return raised


# --- Home care ----------------------------------------------------------------------------------------------

UNDER_WAY = (HomeCareStatus.PLANNED, HomeCareStatus.IN_PROGRESS)
HOME_CARE_FIELDS = ("person_id", "division_id", "kind", "contractor", "subsidy", "status", "completed_on")


def _check_home_care(values: Mapping[str, Any]) -> None:
    """A project's own figures, on creation and on every change: planned, in progress or completed (it ends
    only with its person), a subsidy not negative, and a completion date exactly when completed."""
    status, completed_on = values["status"], values["completed_on"]
    if status not in HomeCareStatus.values or status == HomeCareStatus.ENDED:
        raise RuleViolation(
            _("A new project is planned, in progress or completed."),
            field="status",
            code="invalid_choice",
        )
    _not_negative(values["subsidy"], "subsidy")
    if status == HomeCareStatus.COMPLETED and completed_on is None:
        raise RuleViolation(_("Give the completion date."), field="completed_on", code="required")
    if status != HomeCareStatus.COMPLETED and completed_on is not None:
        raise RuleViolation(
            _("Only a completed project has a completion date."),
            field="completed_on",
            code="not_completed",
        )
    if completed_on is not None and completed_on > timezone.localdate():
        raise RuleViolation(
            _("A completion date cannot be in the future."), field="completed_on", code="future"
        )
    _not_before(completed_on, EARLIEST_RECORD_DAY, "completed_on")


HOME_CARE_CHANGES = ("contractor", "subsidy", "status", "completed_on")


def _check_none_under_way(person: Person, kind: str, besides: HomeCareProject | None = None) -> None:
    """One project of a kind under way (planned or in progress) per person: a second is a 409."""
    others = HomeCareProject.objects.filter(person=person, kind=kind, status__in=UNDER_WAY)
    if besides is not None:
        others = others.exclude(pk=besides.pk)
    if others.exists():
        raise Conflict(
            _("%(name)s already has a %(kind)s project planned or in progress.")
            % {"name": person.name, "kind": HomeCareKind(kind).label}
        )


def home_care_update(*, actor: Any, project: HomeCareProject, **changes: Any) -> HomeCareProject:
    """Move a project along (planned → in progress → completed, with its completion date) or correct its
    contractor and subsidy, under the rules it was created with; an ended project stays as it ended (409)."""
    _check_writer(actor)
    with transaction.atomic():
        project = HomeCareProject.objects.select_for_update().get(pk=project.pk)
        if project.status == HomeCareStatus.ENDED:
            raise Conflict(_("This project has ended; it no longer changes."))
        before = _snapshot(project, HOME_CARE_CHANGES)
        for name in HOME_CARE_CHANGES:
            if name in changes:
                value = changes[name]
                setattr(
                    project, name, value.strip() if name == "contractor" and isinstance(value, str) else value
                )
        after = _snapshot(project, HOME_CARE_CHANGES)
        _check_home_care(after)
        if after["status"] in UNDER_WAY and before["status"] not in UNDER_WAY:
            # Back under way (a completion undone): not beside another project of its kind under way.
            person = Person.objects.select_for_update().get(pk=project.person_id)
            _check_none_under_way(person, project.kind, besides=project)
        changed = diff(before, after)
        if changed:
            project.save(update_fields=[*HOME_CARE_CHANGES, "updated_at"])
            audit_record(actor=actor, action="update", obj=project, changes=changed)
    return project


def home_care_create(
    *,
    actor: Any,
    person: Person,
    kind: str,
    contractor: str = "",
    subsidy: Decimal = Decimal("0"),
    status: str = HomeCareStatus.PLANNED,
    completed_on: datetime.date | None = None,
) -> HomeCareProject:
    """A family bed, home service or renovation for a person who is 60 or over and alive."""
    _check_writer(actor)
    today = timezone.localdate()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _check_person_in_reach(actor, person)
        if person.is_deceased:
            raise RuleViolation(
                _("This person is recorded as deceased."), field="person", code="person_deceased"
            )
        if age_on(person.birth_date, today) < ELDERLY_AGE:
            raise RuleViolation(
                _("Home-care projects are for people aged %(age)s or over.") % {"age": ELDERLY_AGE},
                field="person",
                code="under_60",
            )
        if kind not in HomeCareKind.values:
            raise RuleViolation(_("Unknown kind of project."), field="kind", code="invalid_choice")
        _check_home_care(
            {"status": status, "subsidy": subsidy, "completed_on": completed_on, "contractor": contractor}
        )
        # A second submit of the same form (the person row is locked above, so a racing one waits here).
        _check_none_under_way(person, kind)
        project = HomeCareProject.objects.create(
            person=person,
            division_id=home_division(person),
            kind=kind,
            contractor=(contractor or "").strip(),
            subsidy=subsidy,
            status=status,
            completed_on=completed_on,
        )
        audit_record(
            actor=actor, action="create", obj=project, changes=diff({}, _snapshot(project, HOME_CARE_FIELDS))
        )
    return project


ACTIVE_HOME_CARE = (HomeCareStatus.PLANNED, HomeCareStatus.IN_PROGRESS, HomeCareStatus.COMPLETED)


def home_care_end_for_person(*, actor: Any, person: Person, on: datetime.date, reason: str) -> int:
    """End a person's ongoing home-care projects (the person died); each change audited."""
    projects = list(
        HomeCareProject.objects.select_for_update()
        .filter(person=person, status__in=ACTIVE_HOME_CARE)
        .order_by("pk")
    )
    for project in projects:
        before = project.status
        project.status = HomeCareStatus.ENDED
        project.ended_on = on
        project.end_reason = reason
        project.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="end",
            obj=project,
            changes={
                "status": [before, HomeCareStatus.ENDED],
                "ended_on": [None, on],
                "end_reason": ["", reason],
            },
        )
    return len(projects)


# --- Meal sites ---------------------------------------------------------------------------------------------


def meal_report_record(
    *, actor: Any, facility: Facility, month: datetime.date, meals_served: int, subsidised_meals: int
) -> MealReport:
    """A meal site's monthly report: subsidised meals never above the meals served."""
    _check_writer(actor)
    if facility.kind != FacilityKind.MEAL_SITE:
        raise RuleViolation(
            _("Meal reports are filed by meal sites."), field="facility", code="not_meal_site"
        )
    month = _check_month(month, opened_on=facility.opened_on)
    _count(meals_served, "meals_served")
    _count(subsidised_meals, "subsidised_meals")
    if subsidised_meals > meals_served:
        raise RuleViolation(
            _("Subsidised meals cannot exceed the meals served (%(served)s).") % {"served": meals_served},
            field="subsidised_meals",
            code="subsidised_above_served",
        )
    return _create_once(
        MealReport,
        actor=actor,
        conflict=_("This meal site already reported that month."),
        changes={
            "facility": facility.pk,
            "month": f"{month:%Y-%m}",
            "meals_served": meals_served,
            "subsidised_meals": subsidised_meals,
        },
        facility=facility,
        month=month,
        meals_served=meals_served,
        subsidised_meals=subsidised_meals,
    )


# --- 情暖夕阳 meal delivery (SPEC §4.5) ------------------------------------------------------------------------

MEALS_PER_DAY_MAX = 3  # breakfast, lunch and supper: a month's deliveries cannot exceed three a day


def meals_most(month: datetime.date) -> int:
    """The most meals one person can be delivered in ``month``: three for each of its days."""
    return MEALS_PER_DAY_MAX * calendar.monthrange(month.year, month.month)[1]


def meal_enrolment_create(
    *, actor: Any, person: Person, facility: Facility, enrolled_on: datetime.date | None = None
) -> MealDeliveryEnrolment:
    """Enrol a 低保 or 特困 beneficiary aged 60 or over with a disability certificate with an operating meal
    site; one open enrolment per person (a second → 409). Eligibility is asked of assistance/ on the day."""
    _check_writer(actor)
    today = timezone.localdate()
    enrolled_on = enrolled_on or today
    if enrolled_on > today:
        raise RuleViolation(
            _("An enrolment cannot be dated in the future."), field="enrolled_on", code="future"
        )
    _not_before(enrolled_on, EARLIEST_RECORD_DAY, "enrolled_on")
    if facility.kind != FacilityKind.MEAL_SITE:
        raise RuleViolation(_("Meals are delivered by meal sites."), field="facility", code="not_meal_site")
    if facility.status != FacilityStatus.OPERATING:
        raise RuleViolation(
            _("This meal site is not operating."), field="facility", code="facility_not_operating"
        )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        _check_person_in_reach(actor, person)
        if person.is_deceased:
            raise RuleViolation(
                _("This person is recorded as deceased."), field="person", code="person_deceased"
            )
        if age_on(person.birth_date, enrolled_on) < ELDERLY_AGE:
            raise RuleViolation(
                _("Meal delivery is for people aged %(age)s or over on the day of enrolment.")
                % {"age": ELDERLY_AGE},
                field="person",
                code="under_60",
            )
        if not person.has_disability_certificate:
            raise RuleViolation(
                _("Meal delivery is for people with a disability certificate."),
                field="person",
                code="no_disability_certificate",
            )
        category = was_beneficiary_on(person, enrolled_on, SUBSISTENCE_CATEGORIES)
        if category is None:
            raise RuleViolation(
                _(
                    "Meal delivery is for beneficiaries of the minimum living allowance or extreme-poverty "
                    "support; this person had no such enrollment on the day of enrolment."
                ),
                field="person",
                code="not_beneficiary",
            )
        if MealDeliveryEnrolment.objects.filter(person=person, ended_on__isnull=True).exists():
            raise Conflict(_("This person is already enrolled for meal delivery."))
        # An ended enrolment keeps its months: a new one may begin on its last day (a change of site), not
        # before, or the same months would be delivered, and counted, twice.
        earlier = (
            MealDeliveryEnrolment.objects.filter(person=person, ended_on__gt=enrolled_on)
            .order_by("-ended_on")
            .first()
        )
        if earlier is not None:
            raise RuleViolation(
                _(
                    "This person's earlier enrolment ran until %(date)s; a new one begins on that day or later."
                )
                % {"date": earlier.ended_on},
                field="enrolled_on",
                code="overlaps_earlier_enrolment",
            )
        enrolment = MealDeliveryEnrolment.objects.create(
            person=person,
            division_id=home_division(person),
            facility=facility,
            category=category,
            enrolled_on=enrolled_on,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=enrolment,
            changes={
                "person": [None, person.pk],
                "facility": [None, facility.pk],
                "category": [None, category],
                "enrolled_on": [None, enrolled_on],
            },
        )
    return enrolment


def _end_enrolment(*, actor: Any, enrolment: MealDeliveryEnrolment, on: datetime.date, reason: str) -> None:
    enrolment.ended_on = on
    enrolment.end_reason = reason
    enrolment.save(update_fields=["ended_on", "end_reason"])
    audit_record(
        actor=actor, action="end", obj=enrolment, changes={"ended_on": [None, on], "end_reason": ["", reason]}
    )


def meal_enrolment_end(
    *, actor: Any, enrolment: MealDeliveryEnrolment, ended_on: datetime.date, reason: str
) -> MealDeliveryEnrolment:
    """End an enrolment on a day between its start and today, with the reason; ending it twice → 409."""
    _check_writer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the reason for ending."), field="reason", code="required")
    if ended_on > timezone.localdate():
        raise RuleViolation(_("An end date cannot be in the future."), field="ended_on", code="future")
    if ended_on < enrolment.enrolled_on:
        raise RuleViolation(
            _("An enrolment cannot end before it began (%(date)s).") % {"date": enrolment.enrolled_on},
            field="ended_on",
            code="before_enrolment",
        )
    with transaction.atomic():
        enrolment = MealDeliveryEnrolment.objects.select_for_update().get(pk=enrolment.pk)
        if enrolment.ended_on is not None:
            raise Conflict(_("This enrolment has already ended."))
        last_month = MealDelivery.objects.filter(enrolment=enrolment).order_by("-month").first()
        if last_month is not None and last_month.month > first_of_month(ended_on):
            raise RuleViolation(
                _("Deliveries are recorded for %(month)s, after this end date.")
                % {"month": f"{last_month.month:%Y-%m}"},
                field="ended_on",
                code="deliveries_after_end",
            )
        _end_enrolment(actor=actor, enrolment=enrolment, on=ended_on, reason=reason)
    return enrolment


def meal_enrolments_end_for_person(*, actor: Any, person: Person, on: datetime.date, reason: str) -> int:
    """End a person's open meal-delivery enrolment (the person died); audited."""
    enrolments = list(
        MealDeliveryEnrolment.objects.select_for_update().filter(person=person, ended_on__isnull=True)
    )
    for enrolment in enrolments:
        _end_enrolment(actor=actor, enrolment=enrolment, on=max(on, enrolment.enrolled_on), reason=reason)
    return len(enrolments)


def _check_meals(meals_delivered: int | None, month: datetime.date) -> None:
    most = meals_most(month)
    if meals_delivered is None or not 1 <= meals_delivered <= most:
        raise RuleViolation(
            _("Meals delivered in %(month)s must be between 1 and %(most)s (three a day).")
            % {"month": f"{month:%Y-%m}", "most": most},
            field="meals_delivered",
            code="out_of_range",
        )


def _check_meals_of_person(
    enrolment: MealDeliveryEnrolment, month: datetime.date, meals_delivered: int
) -> None:
    """One person, one stomach: a month split between two sites (a move on the 15th) shares the three a day.
    Locks the person, so two sites recording the same month wait for each other."""
    Person.objects.select_for_update().filter(pk=enrolment.person_id).first()
    most = meals_most(month)
    elsewhere = (
        MealDelivery.objects.filter(enrolment__person_id=enrolment.person_id, month=month)
        .exclude(enrolment_id=enrolment.pk)
        .aggregate(meals=Sum("meals_delivered"))["meals"]
        or 0
    )
    if elsewhere and meals_delivered + elsewhere > most:
        raise RuleViolation(
            _(
                "%(elsewhere)s meals are already recorded for this person in %(month)s under another "
                "enrolment; with these the month would exceed %(most)s (three a day)."
            )
            % {"elsewhere": elsewhere, "month": f"{month:%Y-%m}", "most": most},
            field="meals_delivered",
            code="out_of_range",
        )


def meal_delivery_correct(*, actor: Any, delivery: MealDelivery, meals_delivered: int) -> MealDelivery:
    """Correct the meals of a recorded month (a slip of the keyboard would otherwise stand: a second record of
    the month is a 409), under the same cap; audited."""
    _check_writer(actor)
    _check_meals(meals_delivered, delivery.month)
    with transaction.atomic():
        delivery = (
            MealDelivery.objects.select_for_update(of=("self",))
            .select_related("enrolment")
            .get(pk=delivery.pk)
        )
        _check_meals_of_person(delivery.enrolment, delivery.month, meals_delivered)
        before = delivery.meals_delivered
        if before != meals_delivered:
            delivery.meals_delivered = meals_delivered
            delivery.save(update_fields=["meals_delivered"])
            audit_record(
                actor=actor,
                action="update",
                obj=delivery,
                changes={"meals_delivered": [before, meals_delivered]},
            )
    return delivery


def meal_delivery_record(
    *, actor: Any, enrolment: MealDeliveryEnrolment, month: datetime.date, meals_delivered: int
) -> MealDelivery:
    """The meals delivered to an enrolled person in a month within the enrolment, at most three a day."""
    _check_writer(actor)
    month = _check_month(month)
    if month < first_of_month(enrolment.enrolled_on):
        raise RuleViolation(
            _("The enrolment began on %(date)s; give that month or a later one.")
            % {"date": enrolment.enrolled_on},
            field="month",
            code="before_enrolment",
        )
    if enrolment.ended_on is not None and month > first_of_month(enrolment.ended_on):
        raise RuleViolation(
            _("The enrolment ended on %(date)s; give that month or an earlier one.")
            % {"date": enrolment.ended_on},
            field="month",
            code="after_enrolment",
        )
    _check_meals(meals_delivered, month)
    with transaction.atomic():
        _check_meals_of_person(enrolment, month, meals_delivered)
        return _create_once(
            MealDelivery,
            actor=actor,
            conflict=_("The deliveries of this month are already recorded."),
            changes={
                "enrolment": enrolment.pk,
                "month": f"{month:%Y-%m}",
                "meals_delivered": meals_delivered,
            },
            enrolment=enrolment,
            month=month,
            meals_delivered=meals_delivered,
        )


# --- Caregiver training and awards --------------------------------------------------------------------------


def training_record(
    *,
    actor: Any,
    person: Person,
    course: str,
    hours: Decimal,
    date: datetime.date,
    certificate_level: str = "",
) -> CaregiverTraining:
    _check_writer(actor)
    _check_person_in_reach(actor, person)
    if not (course or "").strip():
        raise RuleViolation(_("Name the course."), field="course", code="required")
    if hours is None or hours <= 0:
        raise RuleViolation(_("Hours must be more than zero."), field="hours", code="positive")
    if date > timezone.localdate():
        raise RuleViolation(_("A training cannot be dated in the future."), field="date", code="future")
    _not_before(date, EARLIEST_RECORD_DAY, "date")
    if certificate_level and certificate_level not in CertificateLevel.values:
        raise RuleViolation(_("Unknown certificate level."), field="certificate_level", code="invalid_choice")
    return _create_once(
        CaregiverTraining,
        actor=actor,
        conflict=_("This training is already recorded."),
        changes={"person": person.pk, "course": course.strip(), "hours": hours, "date": date},
        person=person,
        division_id=home_division(person),
        course=course.strip(),
        hours=hours,
        date=date,
        certificate_level=certificate_level,
    )


def award_record(
    *, actor: Any, person: Person, title: str, level: str, awarded_on: datetime.date
) -> CaregiverAward:
    _check_writer(actor)
    _check_person_in_reach(actor, person)
    if not (title or "").strip():
        raise RuleViolation(_("Name the award."), field="title", code="required")
    if level not in AwardLevel.values:
        raise RuleViolation(_("Unknown level."), field="level", code="invalid_choice")
    if awarded_on > timezone.localdate():
        raise RuleViolation(_("An award cannot be dated in the future."), field="awarded_on", code="future")
    _not_before(awarded_on, EARLIEST_RECORD_DAY, "awarded_on")
    return _create_once(
        CaregiverAward,
        actor=actor,
        conflict=_("This award is already recorded."),
        changes={"person": person.pk, "title": title.strip(), "level": level},
        person=person,
        division_id=home_division(person),
        title=title.strip(),
        level=level,
        awarded_on=awarded_on,
    )
