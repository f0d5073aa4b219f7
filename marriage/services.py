"""Every write of marriage registration (SPEC §6): registrations, divorce by agreement, counselling.

Each function is one transaction with its audit event. A broken rule raises RuleViolation (400) keyed by the
party or field it concerns, naming the rule, and stores nothing; an action the current state or the calendar
does not allow raises Conflict (409); a role that may not act raises PermissionDenied (403).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import DateField, ExpressionWrapper, F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.accounts.permissions import ADMINISTRATORS, CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.errors import NON_FIELD, Conflict, RuleViolation
from civil_affairs.people import services as people_services
from civil_affairs.people.models import Person, Sex
from civil_affairs.workflow.engine import record_step, take

from . import civil_code, periods
from .civil_code import CertificateKind, DivorcePeriod
from .models import CertificateReissue, CounsellingCase, CounsellingSession, DivorceApplication, Registration
from .selectors import marriage_end, marriages_of
from .workflow import (
    ACTION_PERIOD,
    CLOSING_OUTCOMES,
    COUNSELLING,
    DIVORCE,
    AnnulmentGround,
    CounsellingOutcome,
    DivorceState,
    WithdrawalReason,
)

PARTIES = ("party_a", "party_b")


def registry_area_code() -> str:
    """The area code in this registry's certificate numbers (SPEC §11); 章丘区 unless configured."""
    return str(getattr(settings, "MARRIAGE_REGISTRY_AREA_CODE", "370114"))


def _day(value: datetime.date) -> str:
    return date_format(value, "Y-m-d")


def _require_writer(actor: Any) -> None:
    """Registry-office work: a case writer serving the marriage line (town caseworkers do not, SPEC §2.3)."""
    if not user_has_role(actor, CASE_WRITERS):
        raise PermissionDenied
    if not serves(actor, Line.MARRIAGE):
        raise PermissionDenied(_("You do not serve this line of work."))


def _lock_people(people: Iterable[Person]) -> dict[int, Person]:
    """Lock the people's rows in id order (so two registrations never wait on each other in a cycle)
    and read them afresh: whoever holds the locks is the only one deciding about these people."""
    ids = sorted({person.pk for person in people})
    locked = Person.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    return {person.pk: person for person in locked}


# --- Certificate numbers -----------------------------------------------------------------------------------


def reserve_certificate_numbers(
    kind: str, year: int, count: int = 1, area_code: str | None = None
) -> list[str]:
    """Draw the next ``count`` numbers of a kind's yearly sequence, atomically (SPEC §11).

    The counter row stays locked until the caller's transaction ends, and goes back if it rolls back.
    """
    area_code = area_code or registry_area_code()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO marriage_certificatesequence (kind, area_code, year, last) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (kind, area_code, year) "
            "DO UPDATE SET last = marriage_certificatesequence.last + EXCLUDED.last RETURNING last",
            [kind, area_code, year, count],
        )
        (last,) = cursor.fetchone()
    first = last - count + 1
    return [
        civil_code.certificate_number(kind, area_code, year, sequence) for sequence in range(first, last + 1)
    ]


# --- Registration ------------------------------------------------------------------------------------------


def _age_refusal(person: Person, on: datetime.date) -> str | None:
    if civil_code.has_legal_age(person.birth_date, person.sex, on):
        return None
    values = {
        "name": person.name,
        "age": civil_code.legal_age(person.sex),
        "date": _day(civil_code.legal_age_reached_on(person.birth_date, person.sex)),
    }
    if person.sex == Sex.MALE:
        message = _(
            "%(name)s is under the legal marriage age: a man may marry from the age of %(age)d "
            "(Civil Code art. 1047), which he reaches on %(date)s."
        )
    else:
        message = _(
            "%(name)s is under the legal marriage age: a woman may marry from the age of %(age)d "
            "(Civil Code art. 1047), which she reaches on %(date)s."
        )
    return message % values


def _marriage_refusal(person: Person, registration: Registration, other: Person, on: datetime.date) -> str:
    spouse = registration.party_b if registration.party_a_id == person.pk else registration.party_a
    values = {
        "name": person.name,
        "spouse": spouse.name,
        "other": other.name,
        "number": registration.certificate_number,
        "date": _day(registration.registration_date),
        "on": _day(on),
    }
    if spouse.pk == other.pk:
        return (
            _(
                "%(name)s and %(other)s are already married to each other (certificate %(number)s, "
                "registered on %(date)s)."
            )
            % values
        )
    if registration.registration_date > on:
        return (
            _(
                "%(name)s married %(spouse)s on %(date)s (certificate %(number)s); a marriage registered on "
                "%(on)s would overlap it (Civil Code art. 1042: no bigamy)."
            )
            % values
        )
    return (
        _(
            "%(name)s is married to %(spouse)s (certificate %(number)s, registered on %(date)s) and cannot "
            "marry again (Civil Code art. 1042: no bigamy)."
        )
        % values
    )


def registration_refusals(
    *,
    actor: Any,
    party_a: Person,
    party_b: Person,
    registration_date: datetime.date,
    declares_not_close_relatives: bool,
    today: datetime.date | None = None,
) -> dict[str, list[str]]:
    """Every rule a registration would break, keyed by ``party_a``/``party_b``/field (empty: it may go ahead).

    Civil Code art. 1049 (a man and a woman), art. 1047 (legal age on the registration date), art. 1042 (neither
    married on that date, nor later: the new marriage would overlap), art. 1048 (not close relatives, declared),
    both alive on the registration date. The registrar's form shows these before anything is saved.
    """
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = defaultdict(list)
    if registration_date > today:
        errors["registration_date"].append(_("The registration date cannot be in the future."))
    if not declares_not_close_relatives:
        errors["declares_not_close_relatives"].append(
            _(
                "Both parties must declare that they are not lineal relatives by blood or collateral relatives "
                "by blood within three generations (Civil Code art. 1048)."
            )
        )
    if party_a.id_number == party_b.id_number:
        errors["party_b"].append(_("Party A and party B are the same person."))
        return dict(errors)
    parties = ((PARTIES[0], party_a), (PARTIES[1], party_b))
    for key, person in parties:
        # Nationwide (全国通办): a person registered outside the district may marry here.
        if person.division_id is not None and not covers(actor, person.division_id):
            errors[key].append(_("%(name)s is registered outside your jurisdiction.") % {"name": person.name})
        if person.date_of_death is not None and person.date_of_death <= registration_date:
            errors[key].append(
                _("%(name)s died on %(date)s.") % {"name": person.name, "date": _day(person.date_of_death)}
            )
        age_refusal = _age_refusal(person, registration_date)
        if age_refusal:
            errors[key].append(age_refusal)
    if party_a.sex == party_b.sex:
        message = (
            _(
                "%(a)s and %(b)s are both men: a marriage is registered between a man and a woman (Civil Code art. 1049)."
            )
            if party_a.sex == Sex.MALE
            else _(
                "%(a)s and %(b)s are both women: a marriage is registered between a man and a woman "
                "(Civil Code art. 1049)."
            )
        )
        errors[NON_FIELD].append(message % {"a": party_a.name, "b": party_b.name})
    # The new marriage runs from the registration date until a party's death, if that is already recorded.
    deaths = [p.date_of_death for p in (party_a, party_b) if p.date_of_death is not None]
    new_end = min(deaths) if deaths else None
    for registration in marriages_of([party_a.pk, party_b.pk]):
        end = marriage_end(registration)
        overlaps = (end is None or end > registration_date) and (
            new_end is None or registration.registration_date < new_end
        )
        if not overlaps:
            continue
        for (key, person), (_other_key, other) in zip(parties, reversed(parties), strict=True):
            if person.pk in (registration.party_a_id, registration.party_b_id):
                errors[key].append(_marriage_refusal(person, registration, other, registration_date))
    return dict(errors)


def _registration_snapshot(registration: Registration) -> dict[str, Any]:
    return {
        "party_a": registration.party_a_id,
        "party_b": registration.party_b_id,
        "registration_date": registration.registration_date,
        "certificate_number": registration.certificate_number,
        "declares_not_close_relatives": registration.declares_not_close_relatives,
    }


def registration_create(
    *,
    actor: Any,
    party_a: Person,
    party_b: Person,
    registration_date: datetime.date | None = None,
    declares_not_close_relatives: bool,
) -> Registration:
    """Register a marriage and issue its certificate number (SPEC §6; Civil Code arts. 1042, 1046–1049).

    Both people's rows are locked (in id order) before the rules are checked, so of two registrations
    racing for one person exactly one succeeds; a refusal stores nothing. The date defaults to today.
    """
    _require_writer(actor)
    registration_date = registration_date or timezone.localdate()
    with transaction.atomic():
        locked = _lock_people([party_a, party_b])
        party_a, party_b = locked[party_a.pk], locked[party_b.pk]
        errors = registration_refusals(
            actor=actor,
            party_a=party_a,
            party_b=party_b,
            registration_date=registration_date,
            declares_not_close_relatives=declares_not_close_relatives,
        )
        if errors:
            raise RuleViolation(errors=errors, code="marriage_refused")
        (number,) = reserve_certificate_numbers(CertificateKind.MARRIAGE, registration_date.year)
        registration = Registration.objects.create(
            party_a=party_a,
            party_b=party_b,
            registration_date=registration_date,
            certificate_number=number,
            declares_not_close_relatives=True,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=registration,
            changes={key: [None, value] for key, value in _registration_snapshot(registration).items()},
        )
    return registration


def registration_create_with_new_parties(
    *, actor: Any, new_parties: dict[str, Person], **arguments: Any
) -> Registration:
    """Register a marriage whose parties include people registered elsewhere in the country who are not in the
    registry yet (nationwide registration, 婚姻登记条例 2025): each is registered first with their area code
    (``new_parties``: key → an unsaved Person with id_number, name, registration_area), all in one transaction,
    so a refusal of the marriage leaves no one registered. A refusal of a new party names ``<key>`` (the ID
    number), ``<key>_name`` or ``<key>_area``."""
    with transaction.atomic():
        for key, person in new_parties.items():
            try:
                arguments[key] = people_services.person_register(
                    actor=actor,
                    id_number=person.id_number,
                    name=person.name,
                    registration_area=person.registration_area,
                )
            except RuleViolation as error:
                fields = {"id_number": key, "name": f"{key}_name", "registration_area": f"{key}_area"}
                raise RuleViolation(
                    errors={
                        fields.get(field, f"{key}_area"): messages for field, messages in error.errors.items()
                    },
                    code=error.code,
                ) from None
        return registration_create(actor=actor, **arguments)


# --- Divorce by agreement ----------------------------------------------------------------------------------


def _lapse(divorce: DivorceApplication, actor: Any = None) -> None:
    """Record that an open application lapsed (the certificate period ended without a certificate)."""
    divorce.state = DivorceState.WITHDRAWN
    divorce.withdrawal_reason = WithdrawalReason.LAPSED
    divorce.withdrawn_on = divorce.calendar.lapses_on
    divorce.save(update_fields=["state", "withdrawal_reason", "withdrawn_on", "updated_at"])
    record_step(
        workflow=DIVORCE,
        obj=divorce,
        action="lapse",
        actor=actor,
        from_state=DivorceState.OPEN,
        to_state=DivorceState.WITHDRAWN,
        changes={
            "withdrawal_reason": ["", WithdrawalReason.LAPSED],
            "withdrawn_on": [None, divorce.withdrawn_on],
        },
    )


def _application_refusals(
    *,
    actor: Any,
    application_date: datetime.date,
    today: datetime.date,
    agreement: str,
    attended_in_person: bool,
    archive_reason: str,
) -> tuple[dict[str, list[str]], str]:
    """The rules of the application itself, keyed by field, and the code of the first rule broken.

    The application date is the day both parties apply in person: today. Only an administrator entering an
    archive record may give an earlier one, with the reason, which the audit event keeps (issue 8 #1)."""
    errors: dict[str, list[str]] = defaultdict(list)
    code = ""

    def refuse(field: str, message: str, rule: str) -> None:
        nonlocal code
        errors[field].append(message)
        code = code or rule

    if application_date > today:
        refuse(
            "application_date", _("The application date cannot be in the future."), "application_date_future"
        )
    elif application_date < today:
        if not user_has_role(actor, ADMINISTRATORS):
            refuse(
                "application_date",
                _(
                    "A divorce application is dated the day both parties apply in person: today. Only an "
                    "administrator entering an archive record may give an earlier date."
                ),
                "application_date_today",
            )
        elif not archive_reason:
            refuse(
                "archive_reason",
                _("An archive record with an earlier application date needs the reason it is entered."),
                "archive_reason_required",
            )
    if not agreement:
        refuse(
            "agreement",
            _(
                "Record the couple's written agreement on the care of their children, the division of their "
                "property and their debts (Civil Code art. 1076)."
            ),
            "agreement_required",
        )
    if not attended_in_person:
        refuse(
            "attended_in_person",
            _("Both parties must come in person to apply for a divorce by agreement."),
            "attendance_required",
        )
    return dict(errors), code


def divorce_apply(
    *,
    actor: Any,
    registration: Registration,
    application_date: datetime.date | None = None,
    agreement: str = "",
    attended_in_person: bool = False,
    archive_reason: str = "",
) -> DivorceApplication:
    """Open a divorce by agreement (Civil Code art. 1076): both parties come in person with their written
    agreement on children, property and debts, married to each other on the application date (today; earlier
    only for an administrator's archive record, with its reason); it opens the 30-day cooling-off period
    (art. 1077), whose end date the holiday calendar may extend (art. 203)."""
    _require_writer(actor)
    today = timezone.localdate()
    application_date = application_date or today
    agreement = (agreement or "").strip()
    archive_reason = (archive_reason or "").strip() if application_date < today else ""
    errors, code = _application_refusals(
        actor=actor,
        application_date=application_date,
        today=today,
        agreement=agreement,
        attended_in_person=attended_in_person,
        archive_reason=archive_reason,
    )
    if errors:
        raise RuleViolation(errors=errors, code=code)
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("party_a", "party_b")
            .get(pk=registration.pk)
        )
        if registration.is_annulled:
            raise RuleViolation(
                _annulled_message(registration), field="registration", code="marriage_annulled"
            )
        if application_date < registration.registration_date:
            raise RuleViolation(
                _("The application date is before the marriage was registered (%(date)s).")
                % {"date": _day(registration.registration_date)},
                field="application_date",
            )
        if registration.dissolved_on is not None:
            raise RuleViolation(
                _("This marriage was dissolved on %(date)s.") % {"date": _day(registration.dissolved_on)},
                field="registration",
            )
        for person in (registration.party_a, registration.party_b):
            if person.date_of_death is not None and person.date_of_death <= application_date:
                raise RuleViolation(
                    _("%(name)s died on %(date)s: the marriage has ended.")
                    % {"name": person.name, "date": _day(person.date_of_death)},
                    field="registration",
                )
        for existing in DivorceApplication.objects.select_for_update().filter(
            registration=registration, state=DivorceState.OPEN
        ):
            if existing.certificate_window_ends < today:
                _lapse(existing, actor)  # the daily job has not run yet; record it now
                continue
            raise RuleViolation(
                _("A divorce application for this marriage is already open (filed on %(date)s).")
                % {"date": _day(existing.application_date)},
                field="registration",
            )
        calendar = periods.divorce_calendar(application_date)
        divorce = DivorceApplication.objects.create(
            registration=registration,
            application_date=application_date,
            cooling_off_ends=calendar.cooling_off_ends,
            certificate_window_ends=calendar.certificate_window_ends,
            agreement=agreement,
            attended_in_person=True,
            archive_reason=archive_reason,
            created_by=actor,
        )
        changes: dict[str, Any] = {
            "registration": [None, registration.pk],
            "application_date": [None, application_date],
            "cooling_off_ends": [None, calendar.cooling_off_ends],
            "certificate_window_ends": [None, calendar.certificate_window_ends],
            "agreement": [None, agreement],
            "attended_in_person": [None, True],
        }
        if archive_reason:
            changes["archive_reason"] = [None, archive_reason]
        record_step(
            workflow=DIVORCE,
            obj=divorce,
            action="apply",
            actor=actor,
            from_state="",
            to_state=DivorceState.OPEN,
            audit_action="create",
            note=archive_reason,
            changes=changes,
        )
    return divorce


def _closed_divorce_message(locked: DivorceApplication) -> str:
    """Why an application that is no longer open cannot be acted on (the 409's wording)."""
    if locked.state == DivorceState.ISSUED:
        assert locked.issued_on is not None
        return _("The divorce certificate was already issued on %(date)s.") % {"date": _day(locked.issued_on)}
    assert locked.withdrawn_on is not None
    if locked.withdrawal_reason == WithdrawalReason.ANNULLED:
        return _("The application was closed on %(date)s: a court ruled the marriage void or annulled.") % {
            "date": _day(locked.withdrawn_on)
        }
    return _("The application was withdrawn on %(date)s.") % {"date": _day(locked.withdrawn_on)}


def _check_period(action: str, today: datetime.date) -> Callable[[DivorceApplication], None]:
    """The calendar check of a divorce action: ``action`` is allowed only in its period (art. 1077), whose
    end dates the application keeps (extended to the next working day where they fall on a rest day)."""

    def check(locked: DivorceApplication) -> None:
        calendar = locked.calendar
        period = civil_code.period_on(calendar, max(today, locked.application_date))
        if period is ACTION_PERIOD[action]:
            return
        values = {
            "cooling_off_until": _day(calendar.cooling_off_ends),
            "from": _day(calendar.certificate_from),
            "until": _day(calendar.certificate_window_ends),
            "lapsed": _day(calendar.lapses_on),
        }
        if period is DivorcePeriod.LAPSED:
            raise Conflict(
                _(
                    "The application lapsed on %(lapsed)s: the certificate was not issued by %(until)s, within 30 "
                    "days after the cooling-off period (Civil Code art. 1077), so it counts as withdrawn."
                )
                % values
            )
        if action == "issue":
            raise Conflict(
                _(
                    "The cooling-off period runs until %(cooling_off_until)s (Civil Code art. 1077): the "
                    "certificate can be issued from %(from)s to %(until)s."
                )
                % values
            )
        raise Conflict(
            _(
                "The cooling-off period ended on %(cooling_off_until)s: the application can no longer be "
                "withdrawn; if the certificate is not issued by %(until)s it lapses."
            )
            % values
        )

    return check


def divorce_withdraw(
    *, actor: Any, divorce: DivorceApplication, party: Person | int | None = None
) -> DivorceApplication:
    """Either party withdraws the application during the cooling-off period (Civil Code art. 1077 para. 1).

    ``party`` (a person or a person id) must be one of the two; anyone else, registered or not, gets the same
    answer, so the answer never tells whether an id belongs to someone (issue 8 #12)."""
    today = timezone.localdate()
    registration = divorce.registration
    party_id = party.pk if isinstance(party, Person) else party
    withdrawn_by: Person | None = None
    if party_id is not None:
        if party_id == registration.party_a_id:
            withdrawn_by = registration.party_a
        elif party_id == registration.party_b_id:
            withdrawn_by = registration.party_b
        else:
            raise RuleViolation(
                _("Only one of the two parties can withdraw the application."),
                field="party",
                code="not_a_party",
            )
    return take(
        DIVORCE,
        divorce,
        "withdraw",
        actor=actor,
        fields={
            "withdrawal_reason": WithdrawalReason.PARTY,
            "withdrawn_on": today,
            "withdrawn_by": withdrawn_by,
        },
        check=_check_period("withdraw", today),
        explain_state=_closed_divorce_message,
    )


def divorce_issue(*, actor: Any, divorce: DivorceApplication) -> DivorceApplication:
    """Issue the divorce certificate today, within the certificate period: from the day after the cooling-off
    period ends to ``certificate_window_ends`` (Civil Code art. 1077 para. 2, SPEC §6); the marriage is
    dissolved from today. Outside those days: 409."""
    today = timezone.localdate()
    check_period = _check_period("issue", today)

    def parties_alive(locked: DivorceApplication) -> None:
        check_period(locked)
        for person in (locked.registration.party_a, locked.registration.party_b):
            if person.date_of_death is not None:
                raise Conflict(
                    _("%(name)s died on %(date)s: the marriage has ended.")
                    % {"name": person.name, "date": _day(person.date_of_death)}
                )

    def certificate(locked: DivorceApplication) -> dict[str, Any]:
        (number,) = reserve_certificate_numbers(CertificateKind.DIVORCE, today.year)
        return {"issued_on": today, "certificate_number": number}

    def dissolve(locked: DivorceApplication) -> dict[str, Any]:
        registration = Registration.objects.select_for_update().get(pk=locked.registration_id)
        registration.dissolved_on = today
        registration.save(update_fields=["dissolved_on", "updated_at"])
        locked.registration = registration
        audit_record(
            actor=actor, action="dissolve", obj=registration, changes={"dissolved_on": [None, today]}
        )
        return {}

    return take(
        DIVORCE,
        divorce,
        "issue",
        actor=actor,
        fields=certificate,
        check=parties_alive,
        effect=dissolve,
        explain_state=_closed_divorce_message,
    )


def divorce_lapse_overdue(*, today: datetime.date | None = None, chunk_size: int = 500) -> int:
    """Mark every open application whose certificate period has ended as withdrawn (lapsed) (Civil Code
    art. 1077 para. 2), on the day after ``certificate_window_ends``.

    The daily job. It first brings the kept end dates up to the calendar (the bureau may have entered a year's
    holidays since), then works set-based, one transaction per chunk of rows; idempotent (a second run finds
    nothing). Returns how many applications lapsed.
    """
    today = today or timezone.localdate()
    divorce_periods_refresh()
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                DivorceApplication.objects.select_for_update()
                .filter(state=DivorceState.OPEN, certificate_window_ends__lt=today)
                .order_by("id")
                .values_list("id", "certificate_window_ends")[:chunk_size]
            )
            if not rows:
                return total
            DivorceApplication.objects.filter(pk__in=[pk for pk, _ends in rows]).update(
                state=DivorceState.WITHDRAWN,
                withdrawal_reason=WithdrawalReason.LAPSED,
                withdrawn_on=ExpressionWrapper(
                    F("certificate_window_ends") + datetime.timedelta(days=1), output_field=DateField()
                ),
                updated_at=timezone.now(),
            )
            for pk, ends in rows:
                audit_record(
                    actor=None,
                    action="transition:lapse",
                    object_type="marriage.divorceapplication",
                    object_id=pk,
                    changes={
                        "state": [DivorceState.OPEN, DivorceState.WITHDRAWN],
                        "withdrawal_reason": ["", WithdrawalReason.LAPSED],
                        "withdrawn_on": [None, ends + datetime.timedelta(days=1)],
                    },
                )
        total += len(rows)


def divorce_periods_refresh(*, applied_from: datetime.date | None = None, actor: Any = None) -> int:
    """Recompute the end dates of the open applications (made on or after ``applied_from``) on the calendar as
    it stands, and keep the ones that changed, audited: an administrator may enter a year's holidays after an
    application whose period ends in that year. Idempotent; returns how many changed."""
    changed = 0
    open_divorces = DivorceApplication.objects.filter(state=DivorceState.OPEN)
    if applied_from is not None:
        open_divorces = open_divorces.filter(application_date__gte=applied_from)
    calendars: dict[datetime.date, civil_code.DivorceCalendar] = {}
    with transaction.atomic():
        for divorce in open_divorces.select_for_update().order_by("id"):
            day = divorce.application_date
            if day not in calendars:
                calendars[day] = periods.divorce_calendar(day)
            calendar = calendars[day]
            before = (divorce.cooling_off_ends, divorce.certificate_window_ends)
            after = (calendar.cooling_off_ends, calendar.certificate_window_ends)
            if before == after:
                continue
            divorce.cooling_off_ends, divorce.certificate_window_ends = after
            divorce.save(update_fields=["cooling_off_ends", "certificate_window_ends", "updated_at"])
            audit_record(
                actor=actor,
                action="recalculate_periods",
                obj=divorce,
                changes={
                    "cooling_off_ends": [before[0], after[0]],
                    "certificate_window_ends": [before[1], after[1]],
                },
            )
            changed += 1
    return changed


# The longest an application's periods can run: 60 days and two extensions over the longest holidays.
PERIODS_SPAN = datetime.timedelta(days=civil_code.COOLING_OFF_DAYS + civil_code.CERTIFICATE_WINDOW_DAYS + 40)


def calendar_day_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """An administrator entered, corrected or removed a day of the working-day calendar: the open applications
    whose periods may reach that day follow at once (in the same transaction). An entry's author is named in
    the audit events; a removal (``post_delete`` sends no ``created``) is the system's."""
    actor = getattr(instance, "created_by", None) if "created" in kwargs else None
    divorce_periods_refresh(applied_from=instance.day - PERIODS_SPAN, actor=actor)


# --- Certificates issued again, court rulings ----------------------------------------------------------------


def _annulled_message(registration: Registration) -> str:
    assert registration.annulment_ruling_date is not None
    return _(
        "%(court)s ruled on %(date)s that this marriage is void or annulled (%(ground)s): it never had effect "
        "(Civil Code art. 1054)."
    ) % {
        "court": registration.annulment_court,
        "date": _day(registration.annulment_ruling_date),
        "ground": registration.get_annulment_ground_display(),
    }


def _reissue(
    *,
    actor: Any,
    kind: CertificateKind,
    original_number: str,
    registration: Registration | None = None,
    divorce: DivorceApplication | None = None,
) -> CertificateReissue:
    today = timezone.localdate()
    (number,) = reserve_certificate_numbers(kind, today.year)
    reissue = CertificateReissue.objects.create(
        registration=registration,
        divorce=divorce,
        certificate_number=number,
        original_number=original_number,
        issued_on=today,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="reissue",
        obj=registration or divorce,
        changes={"reissued_certificate": [None, number], "issued_on": [None, today]},
    )
    return reissue


def registration_reissue(*, actor: Any, registration: Registration) -> CertificateReissue:
    """Issue a marriage certificate again (补领, ``BJ…``) for a marriage that still holds; the original number
    stays the registration's own. A marriage dissolved, ended by death or annulled: 409."""
    _require_writer(actor)
    today = timezone.localdate()
    with transaction.atomic():
        locked = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("party_a", "party_b")
            .get(pk=registration.pk)
        )
        if locked.is_annulled:
            raise Conflict(_annulled_message(locked))
        if locked.dissolved_on is not None:
            raise Conflict(
                _("This marriage was dissolved on %(date)s: its certificate is not issued again.")
                % {"date": _day(locked.dissolved_on)}
            )
        end = marriage_end(locked)
        if end is not None and end <= today:
            raise Conflict(
                _("This marriage ended on %(date)s: its certificate is not issued again.")
                % {"date": _day(end - datetime.timedelta(days=1))}
            )
        return _reissue(
            actor=actor,
            kind=CertificateKind.MARRIAGE_REISSUED,
            original_number=locked.certificate_number,
            registration=locked,
        )


def divorce_reissue(*, actor: Any, divorce: DivorceApplication) -> CertificateReissue:
    """Issue a divorce certificate again (补领, ``BL…``); only for an application whose certificate was issued."""
    _require_writer(actor)
    with transaction.atomic():
        locked = DivorceApplication.objects.select_for_update().get(pk=divorce.pk)
        if locked.state != DivorceState.ISSUED or locked.certificate_number is None:
            raise Conflict(
                _("No divorce certificate was issued on this application, so none can be issued again.")
            )
        return _reissue(
            actor=actor,
            kind=CertificateKind.DIVORCE_REISSUED,
            original_number=locked.certificate_number,
            divorce=locked,
        )


def registration_annul(
    *, actor: Any, registration: Registration, ruling_date: datetime.date, court: str, ground: str
) -> Registration:
    """Record a court's ruling that a marriage is void (Civil Code art. 1051) or annulled (arts. 1052, 1053):
    it never had effect (art. 1054), so the registry treats the couple as never married to each other. An open
    divorce application of that marriage is closed. A second ruling: 409."""
    _require_writer(actor)
    today = timezone.localdate()
    court = (court or "").strip()
    errors: dict[str, list[str]] = {}
    if ground not in AnnulmentGround.values:
        errors["ground"] = [_("Choose the ground of the ruling.")]
    if not court:
        errors["court"] = [_("Name the court that ruled.")]
    if ruling_date > today:
        errors["ruling_date"] = [_("The ruling date cannot be in the future.")]
    if errors:
        raise RuleViolation(errors=errors)
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.is_annulled:
            raise Conflict(_annulled_message(locked))
        if ruling_date < locked.registration_date:
            raise RuleViolation(
                _("The ruling cannot precede the registration (%(date)s).")
                % {"date": _day(locked.registration_date)},
                field="ruling_date",
            )
        locked.annulment_ground = ground
        locked.annulment_court = court
        locked.annulment_ruling_date = ruling_date
        locked.save(
            update_fields=["annulment_ground", "annulment_court", "annulment_ruling_date", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="annul",
            obj=locked,
            changes={
                "annulment_ground": ["", ground],
                "annulment_court": ["", court],
                "annulment_ruling_date": [None, ruling_date],
            },
        )
        for divorce in DivorceApplication.objects.select_for_update().filter(
            registration=locked, state=DivorceState.OPEN
        ):
            divorce.state = DivorceState.WITHDRAWN
            divorce.withdrawal_reason = WithdrawalReason.ANNULLED
            divorce.withdrawn_on = max(today, divorce.application_date)
            divorce.save(update_fields=["state", "withdrawal_reason", "withdrawn_on", "updated_at"])
            record_step(
                workflow=DIVORCE,
                obj=divorce,
                action="close_annulled",
                actor=actor,
                from_state=DivorceState.OPEN,
                to_state=DivorceState.WITHDRAWN,
                changes={
                    "withdrawal_reason": ["", WithdrawalReason.ANNULLED],
                    "withdrawn_on": [None, divorce.withdrawn_on],
                },
            )
    return locked


# --- Counselling -------------------------------------------------------------------------------------------


def counselling_case_open(
    *,
    actor: Any,
    party_a: Person,
    party_b: Person,
    opened_on: datetime.date | None = None,
    concern: str = "",
    registration: Registration | None = None,
    divorce: DivorceApplication | None = None,
) -> CounsellingCase:
    """Open a marriage and family counselling case (婚姻家庭辅导) for a couple, optionally tied to their
    marriage and to a divorce application in its cooling-off period."""
    _require_writer(actor)
    today = timezone.localdate()
    opened_on = opened_on or today
    if opened_on > today:
        raise RuleViolation(_("A case cannot be opened in the future."), field="opened_on")
    if party_a.pk == party_b.pk:
        raise RuleViolation(_("Party A and party B are the same person."), field="party_b")
    for key, person in ((PARTIES[0], party_a), (PARTIES[1], party_b)):
        if person.division_id is not None and not covers(actor, person.division_id):
            raise RuleViolation(
                _("%(name)s is registered outside your jurisdiction.") % {"name": person.name}, field=key
            )
    if divorce is not None:
        if registration is not None and registration.pk != divorce.registration_id:
            raise RuleViolation(_("This divorce application concerns another marriage."), field="divorce")
        registration = divorce.registration
    if registration is not None and {registration.party_a_id, registration.party_b_id} != {
        party_a.pk,
        party_b.pk,
    }:
        raise RuleViolation(_("This marriage is not between these two people."), field="registration")
    with transaction.atomic():
        case = CounsellingCase.objects.create(
            party_a=party_a,
            party_b=party_b,
            registration=registration,
            divorce=divorce,
            opened_on=opened_on,
            concern=(concern or "").strip(),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            obj=case,
            changes={
                "party_a": [None, party_a.pk],
                "party_b": [None, party_b.pk],
                "registration": [None, registration.pk if registration else None],
                "divorce": [None, divorce.pk if divorce else None],
                "opened_on": [None, opened_on],
            },
        )
    return case


def _closed_case_message(locked: CounsellingCase) -> str:
    return _("The case was closed on %(date)s (%(outcome)s).") % {
        "date": _day(locked.closed_on or locked.opened_on),
        "outcome": locked.get_outcome_display(),
    }


def _locked_ongoing_case(case: CounsellingCase) -> CounsellingCase:
    locked = CounsellingCase.objects.select_for_update().get(pk=case.pk)
    if locked.outcome != CounsellingOutcome.ONGOING:
        raise Conflict(_closed_case_message(locked))
    return locked


def counselling_session_record(
    *,
    actor: Any,
    case: CounsellingCase,
    counsellor: str,
    notes: str,
    held_on: datetime.date | None = None,
) -> CounsellingSession:
    """Record one counselling session with its notes; only while the case is ongoing."""
    _require_writer(actor)
    today = timezone.localdate()
    held_on = held_on or today
    errors: dict[str, list[str]] = {}
    if not (counsellor or "").strip():
        errors["counsellor"] = [_("Enter the counsellor's name.")]
    if not (notes or "").strip():
        errors["notes"] = [_("Write down what the session covered.")]
    if held_on > today:
        errors["held_on"] = [_("A session cannot be recorded in the future.")]
    if errors:
        raise RuleViolation(errors=errors)
    with transaction.atomic():
        locked = _locked_ongoing_case(case)
        if held_on < locked.opened_on:
            raise RuleViolation(
                _("The case was opened on %(date)s; a session cannot be earlier.")
                % {"date": _day(locked.opened_on)},
                field="held_on",
            )
        session = CounsellingSession.objects.create(
            case=locked, held_on=held_on, counsellor=counsellor.strip(), notes=notes.strip(), created_by=actor
        )
        audit_record(
            actor=actor,
            action="record_session",
            obj=locked,
            changes={"session": [None, session.pk], "held_on": [None, held_on]},
        )
    return session


def counselling_case_close(
    *, actor: Any, case: CounsellingCase, outcome: str, closed_on: datetime.date | None = None
) -> CounsellingCase:
    """Close an ongoing case as reconciled or divorced (reconciled cases feed the dashboards)."""
    today = timezone.localdate()
    closed_on = closed_on or today
    if outcome not in CLOSING_OUTCOMES:
        raise RuleViolation(_("A case closes as reconciled or divorced."), field="outcome")
    if closed_on > today:
        raise RuleViolation(_("A case cannot be closed in the future."), field="closed_on")

    def not_before_opening(locked: CounsellingCase) -> None:
        if closed_on < locked.opened_on:
            raise RuleViolation(
                _("The case was opened on %(date)s; it cannot close earlier.")
                % {"date": _day(locked.opened_on)},
                field="closed_on",
            )

    return take(
        COUNSELLING,
        case,
        "close",
        actor=actor,
        fields={"outcome": outcome, "closed_on": closed_on},
        check=not_before_opening,
        explain_state=_closed_case_message,
    )
