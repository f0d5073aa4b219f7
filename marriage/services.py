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
from civil_affairs.accounts.permissions import CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.errors import NON_FIELD, Conflict, RuleViolation
from civil_affairs.people.models import Person, Sex
from civil_affairs.workflow.engine import record_step, take

from . import civil_code
from .civil_code import CertificateKind, DivorcePeriod
from .models import CounsellingCase, CounsellingSession, DivorceApplication, Registration
from .selectors import marriage_end, marriages_of
from .workflow import (
    ACTION_PERIOD,
    CLOSING_OUTCOMES,
    COUNSELLING,
    DIVORCE,
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
    if party_a.pk == party_b.pk:
        errors["party_b"].append(_("Party A and party B are the same person."))
        return dict(errors)
    parties = ((PARTIES[0], party_a), (PARTIES[1], party_b))
    for key, person in parties:
        if not covers(actor, person.division_id):
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


# --- Divorce by agreement ----------------------------------------------------------------------------------


def _lapse(divorce: DivorceApplication, actor: Any = None) -> None:
    """Record that an open application lapsed (it was not completed by day 60)."""
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


def divorce_apply(
    *, actor: Any, registration: Registration, application_date: datetime.date | None = None
) -> DivorceApplication:
    """Open a divorce by agreement (Civil Code art. 1076): the two must be married to each other on the
    application date, today or earlier; it opens the 30-day cooling-off period (art. 1077)."""
    _require_writer(actor)
    today = timezone.localdate()
    application_date = application_date or today
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("party_a", "party_b")
            .get(pk=registration.pk)
        )
        if application_date > today:
            raise RuleViolation(_("The application date cannot be in the future."), field="application_date")
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
            if civil_code.divorce_period(existing.application_date, today) is DivorcePeriod.LAPSED:
                _lapse(existing, actor)  # the daily job has not run yet; record it now
                continue
            raise RuleViolation(
                _("A divorce application for this marriage is already open (filed on %(date)s).")
                % {"date": _day(existing.application_date)},
                field="registration",
            )
        divorce = DivorceApplication.objects.create(
            registration=registration, application_date=application_date, created_by=actor
        )
        record_step(
            workflow=DIVORCE,
            obj=divorce,
            action="apply",
            actor=actor,
            from_state="",
            to_state=DivorceState.OPEN,
            audit_action="create",
            changes={"registration": [None, registration.pk], "application_date": [None, application_date]},
        )
    return divorce


def _closed_divorce_message(locked: DivorceApplication) -> str:
    """Why an application that is no longer open cannot be acted on (the 409's wording)."""
    if locked.state == DivorceState.ISSUED:
        assert locked.issued_on is not None
        return _("The divorce certificate was already issued on %(date)s.") % {"date": _day(locked.issued_on)}
    assert locked.withdrawn_on is not None
    return _("The application was withdrawn on %(date)s.") % {"date": _day(locked.withdrawn_on)}


def _check_period(action: str, today: datetime.date) -> Callable[[DivorceApplication], None]:
    """The calendar check of a divorce action: ``action`` is allowed only in its period (art. 1077)."""

    def check(locked: DivorceApplication) -> None:
        calendar = locked.calendar
        period = civil_code.divorce_period(locked.application_date, max(today, locked.application_date))
        if period is ACTION_PERIOD[action]:
            return
        values = {
            "cooling_off_until": _day(calendar.cooling_off_until),
            "from": _day(calendar.certificate_from),
            "until": _day(calendar.certificate_until),
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
    *, actor: Any, divorce: DivorceApplication, party: Person | None = None
) -> DivorceApplication:
    """Either party withdraws the application during the cooling-off period (Civil Code art. 1077 para. 1)."""
    today = timezone.localdate()
    registration = divorce.registration
    if party is not None and party.pk not in (registration.party_a_id, registration.party_b_id):
        raise RuleViolation(_("Only one of the two parties can withdraw the application."), field="party")
    return take(
        DIVORCE,
        divorce,
        "withdraw",
        actor=actor,
        fields={
            "withdrawal_reason": WithdrawalReason.PARTY,
            "withdrawn_on": today,
            "withdrawn_by": party,
        },
        check=_check_period("withdraw", today),
        explain_state=_closed_divorce_message,
    )


def divorce_issue(*, actor: Any, divorce: DivorceApplication) -> DivorceApplication:
    """Issue the divorce certificate today, from day 31 to day 60 after the application (Civil Code art. 1077
    para. 2, SPEC §6); the marriage is dissolved from today. Outside those days: 409."""
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
    """Mark every open application past day 60 as withdrawn (lapsed) (Civil Code art. 1077 para. 2).

    The daily job. Set-based, one transaction per chunk of rows; idempotent (a second run finds nothing).
    Returns how many applications lapsed.
    """
    today = today or timezone.localdate()
    last_open_day = civil_code.COOLING_OFF_DAYS + civil_code.CERTIFICATE_WINDOW_DAYS
    # Open on ``today`` only if applied on or after this date.
    cutoff = today - datetime.timedelta(days=last_open_day)
    lapses_after = datetime.timedelta(days=last_open_day + 1)
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                DivorceApplication.objects.select_for_update()
                .filter(state=DivorceState.OPEN, application_date__lt=cutoff)
                .order_by("id")
                .values_list("id", "application_date")[:chunk_size]
            )
            if not rows:
                return total
            DivorceApplication.objects.filter(pk__in=[pk for pk, _date in rows]).update(
                state=DivorceState.WITHDRAWN,
                withdrawal_reason=WithdrawalReason.LAPSED,
                withdrawn_on=ExpressionWrapper(
                    F("application_date") + lapses_after, output_field=DateField()
                ),
                updated_at=timezone.now(),
            )
            for pk, application_date in rows:
                audit_record(
                    actor=None,
                    action="transition:lapse",
                    object_type="marriage.divorceapplication",
                    object_id=pk,
                    changes={
                        "state": [DivorceState.OPEN, DivorceState.WITHDRAWN],
                        "withdrawal_reason": ["", WithdrawalReason.LAPSED],
                        "withdrawn_on": [None, application_date + lapses_after],
                    },
                )
        total += len(rows)


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
        if not covers(actor, person.division_id):
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
                _("The case was opened on %(date)s; it cannot close earlier.") % {"date": _day(locked.opened_on)},
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
