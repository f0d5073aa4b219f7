"""Every write of social-assistance case work (SPEC §4.2, §4.3): households, applications through the
review workflow, enrollments. Each function is one transaction with its audit event; a broken rule raises
RuleViolation (400), an action not allowed from the current state raises Conflict (409), a role that may
not act raises PermissionDenied (403). The batch jobs (payments, uplift) live in jobs.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import serves
from civil_affairs.accounts.permissions import CASE_WRITERS, DECIDERS, user_has_role
from civil_affairs.audit.services import audit_record, diff
from civil_affairs.calendar import add_working_days
from civil_affairs.divisions.models import Division
from civil_affairs.errors import Conflict, RuleViolation
from civil_affairs.people import selectors as people_selectors
from civil_affairs.people import services as people_services
from civil_affairs.people.models import Person
from civil_affairs.workflow.engine import record_step, take

from . import rules
from .models import (
    Application,
    Enrollment,
    EnrollmentAmount,
    Household,
    HouseholdMember,
    Recheck,
    Relation,
    Standard,
)
from .status_history import record_status_change
from .workflow import APPLICATION, ENROLLMENT, OPEN_STATES, EnrollmentStatus, State

# --- Households -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    person: Person
    relation: str
    monthly_income: Decimal


def _check_members(actor: Any, members: Sequence[MemberInput], household: Household | None = None) -> None:
    if not members:
        raise RuleViolation(_("A household has at least one member."), field="members")
    heads = [m for m in members if m.relation == Relation.SELF]
    if len(heads) != 1:
        raise RuleViolation(_("Exactly one member must be the head of household."), field="members")
    people = [m.person.pk for m in members]
    if len(set(people)) != len(people):
        raise RuleViolation(_("A person is listed twice in this household."), field="members")
    for member in members:
        if member.relation not in Relation.values:
            raise RuleViolation(
                _("Unknown relation: %(relation)s.") % {"relation": member.relation}, field="members"
            )
        if member.monthly_income is None or member.monthly_income < 0:
            raise RuleViolation(_("A monthly income cannot be negative."), field="members")
        if not covers(actor, member.person.division_id):
            raise RuleViolation(
                _("%(name)s is registered outside your jurisdiction.") % {"name": member.person.name},
                field="members",
            )
    elsewhere = HouseholdMember.objects.filter(person_id__in=people)
    if household is not None:
        elsewhere = elsewhere.exclude(household=household)
    taken = list(elsewhere.select_related("person").values_list("person__name", flat=True))
    if taken:
        raise RuleViolation(
            _("Already a member of another household: %(names)s.") % {"names": "、".join(taken)},
            field="members",
        )


def _household_snapshot(household: Household) -> dict[str, Any]:
    return {
        "division": household.division_id,
        "address": household.address,
        "members": [
            [m.person_id, m.relation, str(m.monthly_income)] for m in household.members.order_by("person_id")
        ],
    }


def household_create(
    *, actor: Any, division: Division, address: str, members: Sequence[MemberInput]
) -> Household:
    """Record a household with its members, their relation to the head and monthly incomes (SPEC §3.1)."""
    if not covers(actor, division.code):
        raise RuleViolation(_("This division is outside your jurisdiction."), field="division")
    if not (address or "").strip():
        raise RuleViolation(_("Enter the household's address."), field="address")
    with transaction.atomic():
        # Lock the members first, so two households racing for one person are checked one after the other:
        # the second is told the person already belongs to a household (400), never a duplicate key (500).
        _lock_people(m.person.pk for m in members)
        _check_members(actor, members)
        household = Household.objects.create(division=division, address=address.strip())
        HouseholdMember.objects.bulk_create(
            HouseholdMember(
                household=household, person=m.person, relation=m.relation, monthly_income=m.monthly_income
            )
            for m in members
        )
        audit_record(
            actor=actor, action="create", obj=household, changes=diff({}, _household_snapshot(household))
        )
    return household


def household_update(
    *,
    actor: Any,
    household: Household,
    address: str | None = None,
    members: Sequence[MemberInput] | None = None,
) -> Household:
    """Change the address or replace the member list (incomes change over time; open cases keep their snapshot)."""
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        before = _household_snapshot(household)
        if address is not None:
            if not address.strip():
                raise RuleViolation(_("Enter the household's address."), field="address")
            household.address = address.strip()
            household.save(update_fields=["address", "updated_at"])
        if members is not None:
            _check_members(actor, members, household)
            household.members.all().delete()
            HouseholdMember.objects.bulk_create(
                HouseholdMember(
                    household=household, person=m.person, relation=m.relation, monthly_income=m.monthly_income
                )
                for m in members
            )
        changes = diff(before, _household_snapshot(household))
        if changes:
            audit_record(actor=actor, action="update", obj=household, changes=changes)
    return household


# --- Standards ------------------------------------------------------------------------------------------------


def standard_in_force(category: str, on: datetime.date) -> Standard:
    """The standard of ``category`` in force on a date (the latest one effective by then)."""
    standard = (
        Standard.objects.filter(category=category, effective_from__lte=on).order_by("-effective_from").first()
    )
    if standard is None:
        raise RuleViolation(
            _("No standard of this category is in force on %(date)s.") % {"date": on.isoformat()},
            field="category",
        )
    return standard


# --- Amounts explained ------------------------------------------------------------------------------------


class StandardTable:
    """Every standard, read once, for computing many amounts without a query each (lists, serializers)."""

    def __init__(self) -> None:
        self._by_category: dict[str, list[tuple[datetime.date, Decimal]]] = {}
        for category, effective_from, amount in Standard.objects.order_by("-effective_from").values_list(
            "category", "effective_from", "monthly_amount"
        ):
            self._by_category.setdefault(category, []).append((effective_from, amount))

    def in_force(self, category: str, on: datetime.date) -> Decimal | None:
        for effective_from, amount in self._by_category.get(category, ()):
            if effective_from <= on:
                return amount
        return None


@dataclass(frozen=True)
class Proposal:
    """The amount an approval would set, from its first month, and how it is computed (SPEC §3.1)."""

    amount: Decimal
    explanation: str
    standard: Decimal
    start: datetime.date


def application_proposal(
    application: Application, *, on: datetime.date | None = None, standards: StandardTable | None = None
) -> Proposal | None:
    """What approving ``application`` on ``on`` (today) would pay from the next month, with its explanation;
    None when no standard is in force then. Reads the household's members and the covered members (prefetched
    by the selector in lists)."""
    start = rules.first_of_next_month(on or timezone.localdate())
    standard = (standards or StandardTable()).in_force(application.category, start)
    if standard is None:
        return None
    members = list(application.household.members.all())
    covered = len(list(application.covered_members.all()))
    if not members or not covered:
        return None
    amount, explanation = rules.explain_amount(
        category=application.category,
        standard=standard,
        total_income=sum((m.monthly_income for m in members), Decimal("0.00")),
        member_count=len(members),
        covered_count=covered,
    )
    return Proposal(amount=amount, explanation=explanation, standard=standard, start=start)


@dataclass(frozen=True)
class AmountReading:
    """How an enrollment's current amount is computed, and whether it is below what the category's standard in
    force now would pay (an enrollment the uplift missed, SPEC §4.4, issue 9 #7)."""

    amount: Decimal
    explanation: str
    current_amount: Decimal | None
    below_current_standard: bool


def enrollment_amount_reading(
    enrollment: Enrollment, *, on: datetime.date | None = None, standards: StandardTable | None = None
) -> AmountReading:
    """Explain the enrollment's latest amount (its amount history's newest row, with the standard in force
    from that row's date and the income snapshot) and compare it with the standard in force ``on`` (today, or
    its start when later). Reads ``enrollment.amounts`` (prefetched by the selector in lists)."""
    standards = standards or StandardTable()
    rows = sorted(enrollment.amounts.all(), key=lambda row: row.effective_from, reverse=True)
    latest_from = rows[0].effective_from if rows else enrollment.start
    latest_amount = rows[0].monthly_amount if rows else enrollment.monthly_amount
    facts = {
        "category": enrollment.category,
        "total_income": enrollment.total_income,
        "member_count": enrollment.member_count,
        "covered_count": enrollment.covered_count,
    }
    explanation = ""
    standard = standards.in_force(enrollment.category, latest_from)
    if standard is not None:
        _amount, explanation = rules.explain_amount(standard=standard, **facts)
    current_standard = standards.in_force(
        enrollment.category, max(on or timezone.localdate(), enrollment.start)
    )
    current_amount = (
        None if current_standard is None else rules.monthly_amount(standard=current_standard, **facts)
    )
    below = (
        enrollment.status != EnrollmentStatus.TERMINATED
        and current_amount is not None
        and latest_amount < current_amount
    )
    return AmountReading(latest_amount, explanation, current_amount, below)


# --- Eligibility rules ------------------------------------------------------------------------------------


def _lock_people(person_ids: Iterable[int]) -> list[Person]:
    """Lock the people concerned, in id order, so two cases for one person are checked one after the other."""
    return list(Person.objects.select_for_update().filter(pk__in=sorted(set(person_ids))).order_by("pk"))


HELD = [EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED]


def _dibao_household(household: Household, *, count_open_applications: bool) -> bool:
    """Whether the household receives 低保 (an active or suspended enrollment); at filing, an open 低保
    application counts too, so both can be filed on the same visit."""
    if Enrollment.objects.filter(household=household, category__in=rules.DIBAO, status__in=HELD).exists():
        return True
    return count_open_applications and (
        Application.objects.filter(
            household=household, category__in=rules.DIBAO, state__in=OPEN_STATES
        ).exists()
    )


def _check_eligibility(
    people: Sequence[Person],
    category: str,
    *,
    household: Household,
    on: datetime.date,
    exclude_application: int | None = None,
    at_filing: bool = True,
) -> None:
    """The rules of SPEC §4.2, checked at filing and again at approval: a deceased person can neither apply nor
    be enrolled; one open application or held enrollment per person per category, and the categories that
    exclude each other (rules.conflicting_categories); then each category's eligibility
    (rules.eligibility_refusal: age, disability certificate, 低保 household, urban or rural division)."""
    deceased = [p.name for p in people if p.is_deceased]
    if deceased:
        raise RuleViolation(
            _("A deceased person cannot receive assistance: %(names)s.") % {"names": "、".join(deceased)},
            field="covered_members",
            code="person_deceased",
        )
    conflicting = rules.conflicting_categories(category)
    ids = [p.pk for p in people]
    # Through the membership tables, so the name reported is the person who clashes.
    open_applications = Application.covered_members.through.objects.filter(
        person_id__in=ids, application__category__in=conflicting, application__state__in=OPEN_STATES
    )
    if exclude_application is not None:
        open_applications = open_applications.exclude(application_id=exclude_application)
    enrollments = Enrollment.covered_members.through.objects.filter(
        person_id__in=ids, enrollment__category__in=conflicting, enrollment__status__in=HELD
    )
    for clash in (
        open_applications.values_list("person__name", "application__category").first(),
        enrollments.values_list("person__name", "enrollment__category").first(),
    ):
        if clash is None:
            continue
        name, other = clash
        if other == category:
            message = _("%(name)s already has an open application or enrollment in %(category)s.")
            code = "already_open_or_enrolled"
        else:
            message = _("%(name)s holds %(category)s, which cannot be combined with this category.")
            code = "categories_exclusive"
        raise RuleViolation(
            message % {"name": name, "category": rules.Category(other).label},
            field="covered_members",
            code=code,
        )
    refusal = rules.eligibility_refusal(
        category,
        [
            rules.Applicant(p.name, p.birth_date, p.disability_kind, p.disability_grade)
            for p in sorted(people, key=lambda p: p.pk)
        ],
        on=on,
        urban_division=Division.objects.filter(code=household.division_id, is_urban=True).exists(),
        dibao_household=category != rules.Category.DISABILITY_LIVING
        or _dibao_household(household, count_open_applications=at_filing),
    )
    if refusal is not None:
        raise RuleViolation(refusal.message, field=refusal.field, code=refusal.code)


# --- Case dates (SPEC §4.2) -----------------------------------------------------------------------------------


def received_days_back() -> int:
    return int(getattr(settings, "ASSISTANCE_RECEIVED_DAYS_BACK", rules.RECEIVED_DAYS_BACK))


def decision_working_days(*, extended: bool = False) -> int:
    """20 working days to decide, 30 once extended (Shandong practice, SPEC §11); configurable."""
    if extended:
        return int(
            getattr(
                settings, "ASSISTANCE_DECISION_EXTENDED_WORKING_DAYS", rules.DECISION_EXTENDED_WORKING_DAYS
            )
        )
    return int(getattr(settings, "ASSISTANCE_DECISION_WORKING_DAYS", rules.DECISION_WORKING_DAYS))


def decision_due(accepted_on: datetime.date, *, extended: bool = False) -> datetime.date:
    """The decision's due date: so many working days after acceptance, counted from the next day, by the
    Chinese holiday calendar (SPEC §2.5, §4.2)."""
    return add_working_days(accepted_on, decision_working_days(extended=extended))


def _not_in_future(day: datetime.date, today: datetime.date, field: str) -> None:
    if day > today:
        raise RuleViolation(_("This date cannot be in the future."), field=field, code="date_in_future")


def _check_received_on(received_on: datetime.date, today: datetime.date) -> None:
    """The day the paper application arrived: today or up to 30 days earlier (SPEC §4.2)."""
    _not_in_future(received_on, today, "received_on")
    earliest = today - datetime.timedelta(days=received_days_back())
    if received_on < earliest:
        raise RuleViolation(
            _("An application can be recorded as received at most %(days)d days back, from %(date)s on.")
            % {"days": received_days_back(), "date": earliest.isoformat()},
            field="received_on",
            code="received_on_too_early",
        )


def _after_previous_step(
    day: datetime.date, previous: datetime.date | None, field: str, message: str
) -> None:
    if previous is not None and day < previous:
        raise RuleViolation(
            message % {"date": previous.isoformat()}, field=field, code="date_before_previous_step"
        )


# --- Applications -----------------------------------------------------------------------------------------


def application_submit(
    *,
    actor: Any,
    household: Household,
    category: str,
    covered_members: Sequence[Person] | None = None,
    irregular_income: bool = False,
    received_on: datetime.date | None = None,
) -> Application:
    """File an application of a household for a category (SPEC §4.2); covered members default to all;
    ``received_on`` (the day the paper application arrived) defaults to today."""
    if not (user_has_role(actor, APPLICATION["accept"].roles) and serves(actor, APPLICATION.line)):
        raise PermissionDenied
    if category not in rules.Category.values:
        raise RuleViolation(_("Unknown category."), field="category")
    if not covers(actor, household.division_id):
        raise RuleViolation(_("This household is outside your jurisdiction."), field="household")
    today = timezone.localdate()
    received_on = received_on or today
    _check_received_on(received_on, today)
    member_ids = set(household.members.values_list("person_id", flat=True))
    covered_ids = {p.pk for p in covered_members} if covered_members else member_ids
    if not covered_ids <= member_ids:
        raise RuleViolation(_("Only members of the household can be covered."), field="covered_members")
    with transaction.atomic():
        people = _lock_people(covered_ids)
        _check_eligibility(people, category, household=household, on=today)
        application = Application.objects.create(
            household=household,
            division_id=household.division_id,
            category=category,
            irregular_income=irregular_income,
            received_on=received_on,
            submitted_by=actor,
        )
        application.covered_members.set(people)
        # The filing is the case's first step: its author may not decide the case (four eyes).
        record_step(
            workflow=APPLICATION,
            obj=application,
            action="submit",
            actor=actor,
            from_state="",
            to_state=State.SUBMITTED,
            audit_action="submit",
            changes={
                "category": [None, category],
                "covered_members": [None, sorted(covered_ids)],
                "received_on": [None, received_on],
            },
        )
    return application


@dataclass(frozen=True)
class NewMember:
    """One row of a filing: a person by ID number (registered on the spot if new), relation, income."""

    id_number: str
    name: str
    relation: str
    monthly_income: Decimal
    covered: bool = True


def application_file(
    *,
    actor: Any,
    division: Division,
    address: str,
    category: str,
    members: Sequence[NewMember],
    irregular_income: bool = False,
    received_on: datetime.date | None = None,
) -> Application:
    """File a case as the town's window takes it: register the new members, record the household and
    submit its application, in one transaction, so a refusal anywhere stores nothing (SPEC §4.2).

    A refusal about one member row is keyed ``members.<index>.<field>``.
    """
    with transaction.atomic():
        people: list[Person] = []
        row_errors: dict[str, list[str]] = {}
        for index, row in enumerate(members):
            person = people_selectors.person_by_id_number(user=actor, id_number=row.id_number)
            if person is None:
                try:
                    with transaction.atomic():
                        person = people_services.person_register(
                            actor=actor, id_number=row.id_number, name=row.name, division=division
                        )
                except RuleViolation as error:
                    for field, messages in error.errors.items():
                        row_errors.setdefault(f"members.{index}.{field}", []).extend(messages)
                    continue
            elif person.name != row.name.strip():
                row_errors.setdefault(f"members.{index}.name", []).append(
                    _("This ID number is registered to %(name)s; check the number or the name.")
                    % {"name": person.name}
                )
                continue
            people.append(person)
        if row_errors:
            raise RuleViolation(errors=row_errors)
        household = household_create(
            actor=actor,
            division=division,
            address=address,
            members=[
                MemberInput(person, row.relation, row.monthly_income)
                for person, row in zip(people, members, strict=True)
            ],
        )
        covered = [person for person, row in zip(people, members, strict=True) if row.covered]
        return application_submit(
            actor=actor,
            household=household,
            category=category,
            covered_members=covered if len(covered) < len(people) else None,
            irregular_income=irregular_income,
            received_on=received_on,
        )


def _move(
    actor: Any,
    application: Application,
    action: str,
    *,
    note: str = "",
    check: Callable[[Application], None] | None = None,
    **fields: Any,
) -> Application:
    return take(APPLICATION, application, action, actor=actor, note=note, fields=fields, check=check)


def application_accept(
    *, actor: Any, application: Application, date: datetime.date | None = None
) -> Application:
    """The town (street) accepts the application (社会救助暂行办法 art. 9) on ``date`` (default today): not
    before it was received, not in the future. The decision is due 20 working days later (SPEC §4.2)."""
    accepted_on = date or timezone.localdate()
    _not_in_future(accepted_on, timezone.localdate(), "date")

    def after_receipt(locked: Application) -> None:
        _after_previous_step(
            accepted_on,
            locked.received_on,
            "date",
            _("An application cannot be accepted before it was received (%(date)s)."),
        )

    return _move(
        actor,
        application,
        "accept",
        check=after_receipt,
        accepted_on=accepted_on,
        decision_due=decision_due(accepted_on),
    )


def application_investigate(
    *, actor: Any, application: Application, report: str, date: datetime.date | None = None
) -> Application:
    """Record the home-visit investigation (art. 10) made on ``date`` (default today): the report is
    required; the visit is not before the acceptance nor in the future."""
    if not (report or "").strip():
        raise RuleViolation(_("Record what the home visit found."), field="report")
    visited_on = date or timezone.localdate()
    _not_in_future(visited_on, timezone.localdate(), "date")

    def after_acceptance(locked: Application) -> None:
        _after_previous_step(
            visited_on,
            locked.accepted_on or locked.received_on,
            "date",
            _("The home visit cannot come before the acceptance (%(date)s)."),
        )

    return _move(
        actor,
        application,
        "investigate",
        note=report.strip(),
        check=after_acceptance,
        investigation_report=report.strip(),
        visited_on=visited_on,
    )


def application_publicise(
    *, actor: Any, application: Application, notice_from: datetime.date | None = None
) -> Application:
    """Post the public notice in the village or community (art. 11), from today or an earlier day, but not
    before the home visit (SPEC §4.2): a back-dated notice cannot shorten the 7 days."""
    today = timezone.localdate()
    notice_from = notice_from or today
    if notice_from > today:
        raise RuleViolation(
            _("The notice cannot start in the future."), field="notice_from", code="date_in_future"
        )

    def after_visit(locked: Application) -> None:
        _after_previous_step(
            notice_from,
            locked.visited_on or locked.accepted_on or locked.received_on,
            "notice_from",
            _("The notice cannot start before the home visit (%(date)s)."),
        )

    return _move(actor, application, "publicise", check=after_visit, notice_from=notice_from)


def _check_decidable(locked: Application, today: datetime.date) -> list[Person]:
    """Eligibility again at the decision, on the case as it stands (SPEC §4.2)."""
    people = _lock_people(locked.covered_members.values_list("pk", flat=True))
    _check_eligibility(
        people,
        locked.category,
        household=locked.household,
        on=today,
        exclude_application=locked.pk,
        at_filing=False,
    )
    return people


def application_approve(*, actor: Any, application: Application) -> Application:
    """The district bureau approves after the 7-day notice; an enrollment starts the next month (SPEC §4.2, §11).

    Eligibility is checked again; a 低保 whose computed gap is 0 (income not below the standard) is refused
    (``income_not_below_standard``). Whoever took a step in the case may not approve it (four eyes, checked by
    the engine).
    """
    today = timezone.localdate()
    start = rules.first_of_next_month(today)

    def approvable(locked: Application) -> None:
        _check_decidable(locked, today)
        proposal = application_proposal(locked, on=today)
        if proposal is None:
            standard_in_force(locked.category, start)  # raises: no standard in force
        elif proposal.amount <= 0 and locked.category in rules.GAP_CATEGORIES:
            raise RuleViolation(
                _(
                    "The household's income is not below the standard: %(explanation)s. Reject the "
                    "application instead."
                )
                % {"explanation": proposal.explanation},
                field="household",
                code="income_not_below_standard",
            )
        assert locked.notice_from is not None  # a publicised application has one (DB constraint)
        allowed_from = rules.notice_ends(locked.notice_from)
        if today < allowed_from:
            raise Conflict(
                _("The public notice runs 7 full days: approval is possible from %(date)s.")
                % {"date": allowed_from.isoformat()}
            )

    def enroll(locked: Application) -> dict[str, Any]:
        people = _lock_people(locked.covered_members.values_list("pk", flat=True))
        enrollment = _enroll(locked, people, start=start)
        audit_record(
            actor=actor,
            action="create",
            obj=enrollment,
            changes={
                "monthly_amount": [None, str(enrollment.monthly_amount)],
                "start": [None, enrollment.start],
            },
        )
        return {"enrollment": [None, enrollment.pk], "monthly_amount": [None, str(enrollment.monthly_amount)]}

    return take(
        APPLICATION,
        application,
        "approve",
        actor=actor,
        fields={"decided_at": timezone.now()},
        check=approvable,
        effect=enroll,
    )


def _enroll(application: Application, people: Sequence[Person], *, start: datetime.date) -> Enrollment:
    members = list(application.household.members.all())
    total_income = sum((m.monthly_income for m in members), Decimal("0.00"))
    standard = standard_in_force(application.category, start)
    amount = rules.monthly_amount(
        category=application.category,
        standard=standard.monthly_amount,
        total_income=total_income,
        member_count=len(members),
        covered_count=len(people),
    )
    enrollment = Enrollment.objects.create(
        application=application,
        household=application.household,
        division_id=application.division_id,
        category=application.category,
        total_income=total_income,
        member_count=len(members),
        covered_count=len(people),
        monthly_amount=amount,
        start=start,
        next_review=rules.next_review(start, irregular_income=application.irregular_income),
    )
    enrollment.covered_members.set(people)
    EnrollmentAmount.objects.create(enrollment=enrollment, monthly_amount=amount, effective_from=start)
    return enrollment


def application_reject(*, actor: Any, application: Application, reason: str) -> Application:
    """The district bureau rejects, in writing with reasons (art. 11), after the notice or directly after the
    home visit: only a case proposed for approval is publicised (最低生活保障审核确认办法)."""
    if not (reason or "").strip():
        raise RuleViolation(_("A rejection must give its reason."), field="reason")
    return _move(
        actor,
        application,
        "reject",
        note=reason.strip(),
        decision_reason=reason.strip(),
        decided_at=timezone.now(),
    )


def application_withdraw(*, actor: Any, application: Application, reason: str = "") -> Application:
    """Withdraw an application at any point before the decision."""
    return _move(actor, application, "withdraw", note=(reason or "").strip())


APPLICATION_ACTIONS: dict[str, Callable[..., Application]] = {
    "accept": application_accept,
    "investigate": application_investigate,
    "publicise": application_publicise,
    "approve": application_approve,
    "reject": application_reject,
    "withdraw": application_withdraw,
}

# The states in which a decision is pending and its due date runs.
AWAITING_DECISION = frozenset({State.ACCEPTED, State.INVESTIGATED, State.PUBLICISED})
EXTENDERS = CASE_WRITERS | DECIDERS


def may_extend_decision(user: Any, application: Application) -> bool:
    """Whether ``user`` may extend the decision period of ``application`` now (for the page's button)."""
    return (
        user_has_role(user, EXTENDERS)
        and serves(user, APPLICATION.line)
        and application.state in AWAITING_DECISION
        and not application.decision_extension_reason
    )


def application_extend_decision(*, actor: Any, application: Application, reason: str) -> Application:
    """Extend the decision period once, to 30 working days after acceptance, with a reason (special cases,
    SPEC §4.2, §11). Not a step of the case: whoever extends may still decide it."""
    if not (user_has_role(actor, EXTENDERS) and serves(actor, APPLICATION.line)):
        raise PermissionDenied(_("Your role may not do this."))
    if not (reason or "").strip():
        raise RuleViolation(_("Give the reason for extending the period."), field="reason")
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.state not in AWAITING_DECISION:
            raise Conflict(
                _("Only an accepted application awaiting its decision can have its period extended.")
            )
        if locked.decision_extension_reason:
            raise Conflict(_("The decision period has already been extended once."))
        before = locked.decision_due
        locked.decision_due = decision_due(locked.accepted_on or locked.received_on, extended=True)
        locked.decision_extension_reason = reason.strip()
        locked.save(update_fields=["decision_due", "decision_extension_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="extend_decision",
            obj=locked,
            changes={
                "decision_due": [before, locked.decision_due],
                "decision_extension_reason": ["", locked.decision_extension_reason],
            },
        )
    return locked


# --- Enrollments ------------------------------------------------------------------------------------------


def enrollment_change_status(
    *, actor: Any, enrollment: Enrollment, action: str, reason: str, end: datetime.date | None = None
) -> Enrollment:
    """Suspend, resume or terminate an enrollment, always with a reason (SPEC §4.3)."""
    if not (reason or "").strip():
        raise RuleViolation(_("Give the reason for this change."), field="reason")
    fields: dict[str, Any] = {"status_reason": reason.strip()}
    if ENROLLMENT[action].target == EnrollmentStatus.TERMINATED:
        fields["end"] = max(end or timezone.localdate(), enrollment.start)
    return take(
        ENROLLMENT,
        enrollment,
        action,
        actor=actor,
        note=reason.strip(),
        fields=fields,
        # Suspensions keep their dated history, which the payment batches read (SPEC §4.3).
        effect=lambda locked: record_status_change(locked, action, reason=reason.strip()),
    )


# --- Re-checks (动态管理, SPEC §4.2, §4.5) ----------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeInput:
    """A household member's monthly income as a re-check found it."""

    person: Person
    monthly_income: Decimal


def irregular_income_of(enrollment: Enrollment) -> bool:
    """As the last re-check found it, else as the application said."""
    last = (
        enrollment.rechecks.order_by("-visited_on", "-id").values_list("irregular_income", flat=True).first()
    )
    if last is not None:
        return last
    return bool(
        enrollment.application_id and enrollment.application and enrollment.application.irregular_income
    )


def _recompute_amounts(locked: Enrollment, effective_from: datetime.date) -> Decimal:
    """Write the amount from ``effective_from`` with the enrollment's (new) facts, recompute the history's later
    rows (e.g. an uplift already written for a later date) and set ``monthly_amount`` to the newest row's, as
    the uplift does. Answers the amount from ``effective_from``."""

    def amount_on(day: datetime.date) -> Decimal:
        return rules.monthly_amount(
            category=locked.category,
            standard=standard_in_force(locked.category, day).monthly_amount,
            total_income=locked.total_income,
            member_count=locked.member_count,
            covered_count=locked.covered_count,
        )

    new_amount = amount_on(effective_from)
    EnrollmentAmount.objects.update_or_create(
        enrollment=locked,
        effective_from=effective_from,
        defaults={"monthly_amount": new_amount},
    )
    for later in EnrollmentAmount.objects.filter(enrollment=locked, effective_from__gt=effective_from):
        later.monthly_amount = amount_on(later.effective_from)
        later.save(update_fields=["monthly_amount"])
    newest = (
        EnrollmentAmount.objects.filter(enrollment=locked)
        .order_by("-effective_from")
        .values_list("monthly_amount", flat=True)
        .first()
    )
    locked.monthly_amount = new_amount if newest is None else newest
    return new_amount


def enrollment_recheck(
    *,
    actor: Any,
    enrollment: Enrollment,
    visited_on: datetime.date,
    members: Sequence[IncomeInput],
    report: str,
    irregular_income: bool | None = None,
) -> Enrollment:
    """Record a periodic re-check (SPEC §4.2): the home visit on ``visited_on`` (not in the future, not before
    the previous visit), every household member's income as found and the report. The household's incomes are
    updated; the amount is recomputed from the next month (a new row of the amount history); the next re-check
    is 12 months after the visit, 6 where income is irregular (SPEC §11). A 低保 gap of 0 terminates the
    enrollment at the end of this month, with that reason.
    """
    report = (report or "").strip()
    if not report:
        raise RuleViolation(_("Record what the re-check found."), field="report")
    today = timezone.localdate()
    _not_in_future(visited_on, today, "visited_on")
    for row in members:
        if row.monthly_income is None or row.monthly_income < 0:
            raise RuleViolation(_("A monthly income cannot be negative."), field="members")
        if row.monthly_income > rules.MAX_MONTHLY_INCOME:
            raise RuleViolation(
                _("A monthly income is at most %(amount)s yuan.") % {"amount": rules.MAX_MONTHLY_INCOME},
                field="members",
            )
    found: dict[str, Any] = {}

    def check(locked: Enrollment) -> None:
        previous = max(
            [
                day
                for day in (
                    locked.rechecks.order_by("-visited_on").values_list("visited_on", flat=True).first(),
                    locked.application.visited_on if locked.application_id and locked.application else None,
                )
                if day is not None
            ],
            default=None,
        )
        _after_previous_step(
            visited_on,
            previous,
            "visited_on",
            _("A re-check cannot be dated before the previous home visit (%(date)s)."),
        )
        household_members = list(
            HouseholdMember.objects.select_for_update().filter(household=locked.household_id)
        )
        listed = [row.person.pk for row in members]
        if len(set(listed)) != len(listed) or set(listed) != {m.person_id for m in household_members}:
            raise RuleViolation(
                _("List every member of the household once, with the income the re-check found."),
                field="members",
                code="members_not_household",
            )
        found["household_members"] = household_members

    def fields(locked: Enrollment) -> dict[str, Any]:
        incomes = {row.person.pk: row.monthly_income for row in members}
        irregular = irregular_income_of(locked) if irregular_income is None else irregular_income
        effective_from = max(rules.first_of_next_month(today), locked.start)
        total_income = sum(incomes.values(), Decimal("0.00"))
        new_amount, explanation = rules.explain_amount(
            category=locked.category,
            standard=standard_in_force(locked.category, effective_from).monthly_amount,
            total_income=total_income,
            member_count=len(incomes),
            covered_count=locked.covered_count,
        )
        found.update(
            incomes=incomes,
            irregular=irregular,
            effective_from=effective_from,
            amount_before=locked.monthly_amount,
            terminates=new_amount <= 0 and locked.category in rules.GAP_CATEGORIES,
            next_review=rules.next_review(visited_on, irregular_income=irregular),
        )
        values: dict[str, Any] = {
            "total_income": total_income,
            "member_count": len(incomes),
            "next_review": found["next_review"],
        }
        if found["terminates"]:
            values.update(
                status=EnrollmentStatus.TERMINATED,
                end=max(effective_from - datetime.timedelta(days=1), locked.start),
                status_reason=_(
                    "Re-check of %(date)s: the income is not below the standard (%(explanation)s)."
                )
                % {"date": visited_on.isoformat(), "explanation": explanation},
            )
        return values

    def effect(locked: Enrollment) -> dict[str, Any]:
        incomes = found["incomes"]
        changed = []
        for member in found["household_members"]:
            income = incomes[member.person_id]
            if member.monthly_income != income:
                changed.append([member.person_id, str(member.monthly_income), str(income)])
                member.monthly_income = income
                member.save(update_fields=["monthly_income"])
        amount_after = Decimal("0.00")
        if not found["terminates"]:
            amount_after = _recompute_amounts(locked, found["effective_from"])
            locked.save(update_fields=["monthly_amount", "updated_at"])
        recheck = Recheck.objects.create(
            enrollment=locked,
            visited_on=visited_on,
            report=report,
            incomes=[{"person": pid, "monthly_income": f"{income:.2f}"} for pid, income in incomes.items()],
            total_income=locked.total_income,
            member_count=locked.member_count,
            irregular_income=found["irregular"],
            amount_before=found["amount_before"],
            amount_after=amount_after,
            effective_from=found["effective_from"],
            next_review=found["next_review"],
            terminated=found["terminates"],
            recorded_by=actor if getattr(actor, "pk", None) else None,
        )
        return {
            "recheck": [None, recheck.pk],
            "visited_on": [None, visited_on],
            "incomes_changed": [None, changed],
            "monthly_amount": [str(found["amount_before"]), str(amount_after)],
            "effective_from": [None, found["effective_from"]],
        }

    return take(
        ENROLLMENT, enrollment, "recheck", actor=actor, note=report, check=check, fields=fields, effect=effect
    )


# --- Child support ends at 18 (SPEC §4.2) ---------------------------------------------------------------------


def end_child_support(*, today: datetime.date | None = None) -> int:
    """The daily job: every held enrollment of a child category whose covered child has turned 18 ends at the
    end of the month of the 18th birthday; a child among several stops being covered from the next month
    (its amount recomputed). Idempotent: a child no longer covered, an enrollment ended, is not touched again.
    The change is the system's (``actor=None``). Answers how many enrollments were changed."""
    today = today or timezone.localdate()
    born_by = rules.add_months(today, -12 * rules.ADULT_AGE)  # 18th birthday on or before today
    ids = list(
        Enrollment.objects.filter(
            category__in=rules.CHILD_CATEGORIES, status__in=HELD, covered_members__birth_date__lte=born_by
        )
        .values_list("pk", flat=True)
        .distinct()
        .order_by("pk")
    )
    changed = 0
    for pk in ids:
        with transaction.atomic():
            locked = Enrollment.objects.select_for_update().get(pk=pk)
            if locked.status not in HELD:
                continue
            covered = list(locked.covered_members.order_by("pk"))
            adults = [p for p in covered if rules.turns_adult_on(p.birth_date) <= today]
            if not adults:
                continue
            changed += 1
            last_month_end = max(rules.child_support_ends(p.birth_date) for p in adults)
            names = "、".join(p.name for p in adults)
            if len(adults) == len(covered):
                reason = _("%(names)s turned 18: child support ends with the month of the birthday.") % {
                    "names": names
                }
                take(
                    ENROLLMENT,
                    locked,
                    "terminate",
                    actor=None,
                    note=reason,
                    fields={"end": max(last_month_end, locked.start), "status_reason": reason},
                )
                continue
            before = locked.monthly_amount
            locked.covered_count = len(covered) - len(adults)
            effective_from = max(last_month_end + datetime.timedelta(days=1), locked.start)
            new_amount = _recompute_amounts(locked, effective_from)
            locked.save(update_fields=["covered_count", "monthly_amount", "updated_at"])
            locked.covered_members.remove(*adults)
            audit_record(
                actor=None,
                action="child_turned_18",
                obj=locked,
                changes={
                    "covered_members": [[p.pk for p in covered], [p.pk for p in covered if p not in adults]],
                    "monthly_amount": [str(before), str(new_amount)],
                    "effective_from": [None, effective_from],
                },
            )
    return changed
