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

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import serves
from civil_affairs.accounts.permissions import user_has_role
from civil_affairs.audit.services import audit_record, diff
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


# --- Standards --------------------------------------------------------------------------------------------


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


# --- Eligibility rules ------------------------------------------------------------------------------------


def _lock_people(person_ids: Iterable[int]) -> list[Person]:
    """Lock the people concerned, in id order, so two cases for one person are checked one after the other."""
    return list(Person.objects.select_for_update().filter(pk__in=sorted(set(person_ids))).order_by("pk"))


def _check_eligibility(
    people: Sequence[Person], category: str, *, exclude_application: int | None = None
) -> None:
    """One open application or active enrollment per person per category; 特困 and 低保 exclude each other;
    a deceased person can neither apply nor be enrolled (SPEC §4.2)."""
    deceased = [p.name for p in people if p.is_deceased]
    if deceased:
        raise RuleViolation(
            _("A deceased person cannot receive assistance: %(names)s.") % {"names": "、".join(deceased)},
            field="covered_members",
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
        person_id__in=ids,
        enrollment__category__in=conflicting,
        enrollment__status__in=[EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED],
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
        else:
            message = _("%(name)s holds %(category)s, which cannot be combined with this category.")
        raise RuleViolation(
            message % {"name": name, "category": rules.Category(other).label}, field="covered_members"
        )


# --- Applications -----------------------------------------------------------------------------------------


def application_submit(
    *,
    actor: Any,
    household: Household,
    category: str,
    covered_members: Sequence[Person] | None = None,
    irregular_income: bool = False,
) -> Application:
    """File an application of a household for a category (SPEC §4.2); covered members default to all."""
    if not (user_has_role(actor, APPLICATION["accept"].roles) and serves(actor, APPLICATION.line)):
        raise PermissionDenied
    if category not in rules.Category.values:
        raise RuleViolation(_("Unknown category."), field="category")
    if not covers(actor, household.division_id):
        raise RuleViolation(_("This household is outside your jurisdiction."), field="household")
    member_ids = set(household.members.values_list("person_id", flat=True))
    covered_ids = {p.pk for p in covered_members} if covered_members else member_ids
    if not covered_ids <= member_ids:
        raise RuleViolation(_("Only members of the household can be covered."), field="covered_members")
    with transaction.atomic():
        people = _lock_people(covered_ids)
        _check_eligibility(people, category)
        application = Application.objects.create(
            household=household,
            division_id=household.division_id,
            category=category,
            irregular_income=irregular_income,
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
            changes={"category": [None, category], "covered_members": [None, sorted(covered_ids)]},
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
        )


def _move(actor: Any, application: Application, action: str, *, note: str = "", **fields: Any) -> Application:
    return take(APPLICATION, application, action, actor=actor, note=note, fields=fields)


def application_accept(*, actor: Any, application: Application) -> Application:
    """The town (street) accepts the application (社会救助暂行办法 art. 9)."""
    return _move(actor, application, "accept")


def application_investigate(*, actor: Any, application: Application, report: str) -> Application:
    """Record the home-visit investigation (art. 10); the report is required."""
    if not (report or "").strip():
        raise RuleViolation(_("Record what the home visit found."), field="report")
    return _move(actor, application, "investigate", note=report.strip(), investigation_report=report.strip())


def application_publicise(
    *, actor: Any, application: Application, notice_from: datetime.date | None = None
) -> Application:
    """Post the public notice in the village or community (art. 11), from today or an earlier day."""
    today = timezone.localdate()
    notice_from = notice_from or today
    if notice_from > today:
        raise RuleViolation(_("The notice cannot start in the future."), field="notice_from")
    return _move(actor, application, "publicise", notice_from=notice_from)


def application_approve(*, actor: Any, application: Application) -> Application:
    """The district bureau approves after the 7-day notice; an enrollment starts the next month (SPEC §4.2, §11).

    Whoever took a step in the case may not approve it (four eyes, checked by the engine).
    """
    today = timezone.localdate()

    def notice_has_run(locked: Application) -> None:
        assert locked.notice_from is not None  # a publicised application has one (DB constraint)
        allowed_from = rules.notice_ends(locked.notice_from)
        if today < allowed_from:
            raise Conflict(
                _("The public notice runs 7 full days: approval is possible from %(date)s.")
                % {"date": allowed_from.isoformat()}
            )

    def enroll(locked: Application) -> dict[str, Any]:
        people = _lock_people(locked.covered_members.values_list("pk", flat=True))
        _check_eligibility(people, locked.category, exclude_application=locked.pk)
        enrollment = _enroll(locked, people, start=rules.first_of_next_month(today))
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
        check=notice_has_run,
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
    """The district bureau rejects, in writing with reasons (art. 11)."""
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
