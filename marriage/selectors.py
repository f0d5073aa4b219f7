"""Reads of marriage records, scoped to the user's jurisdiction (SPEC §2.3, §6).

A record of a couple is visible to a user whose jurisdiction covers the household registration of either
party; anything else reads as not existing (404). Marital status on a date is derived here from the records.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import jurisdiction_q
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.filtering import apply_filterset
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import PersonSearchFilter, people_visible_to

from .models import CounsellingCase, CounsellingSession, DivorceApplication, Registration
from .workflow import CounsellingOutcome, DivorcePhase, DivorceState, WithdrawalReason


def couple_q(user: Any, prefix: str = "") -> Q:
    """Records of a couple where either party's household registration lies in the user's jurisdiction, or
    both parties are registered outside the district (nationwide registration, SPEC §2.2, §6), for users who
    serve the marriage line (SPEC §2.3); nothing for anyone else."""
    if not serves(user, Line.MARRIAGE) or not getattr(user, "jurisdiction_id", None):
        return Q(pk__in=[])
    return (
        jurisdiction_q(user, f"{prefix}party_a__division")
        | jurisdiction_q(user, f"{prefix}party_b__division")
        | Q(**{f"{prefix}party_a__division__isnull": True, f"{prefix}party_b__division__isnull": True})
    )


# The pages list lapsed applications apart from those a party withdrew.
LAPSED = "lapsed"

# --- Filters and ordering (one FilterSet per list, for the API and the pages alike) --------------------


class RegistrationFilter(django_filters.FilterSet):
    search = PersonSearchFilter(
        people=["party_a", "party_b"],
        numbers=["certificate_number", "reissues__certificate_number"],
        label=_("Name, whole ID number or certificate number"),
    )
    registration_date = django_filters.DateFilter(label=_("Registration date"))
    registered_from = django_filters.DateFilter(
        field_name="registration_date", lookup_expr="gte", label=_("Registered from")
    )
    registered_until = django_filters.DateFilter(
        field_name="registration_date", lookup_expr="lte", label=_("Registered until")
    )
    person = django_filters.NumberFilter(method="filter_person", help_text="Registrations of this person id.")
    dissolved = StrictBooleanFilter(
        field_name="dissolved_on", lookup_expr="isnull", exclude=True, label=_("Dissolved")
    )
    certificate_number = django_filters.CharFilter()

    class Meta:
        model = Registration
        fields = ["registration_date", "certificate_number"]

    def filter_person(
        self, queryset: QuerySet[Registration], name: str, value: int
    ) -> QuerySet[Registration]:
        return queryset.filter(Q(party_a_id=value) | Q(party_b_id=value))


class DivorceFilter(django_filters.FilterSet):
    search = PersonSearchFilter(
        people=["registration__party_a", "registration__party_b"],
        numbers=[
            "registration__certificate_number",
            "certificate_number",
            "reissues__certificate_number",
            "registration__reissues__certificate_number",
        ],
        label=_("Name, whole ID number or certificate number"),
    )
    phase = django_filters.ChoiceFilter(
        choices=[*DivorcePhase.choices, (LAPSED, "lapsed")],
        method="filter_phase",
        help_text="Phase today; `lapsed` lists the applications withdrawn because they lapsed.",
    )
    registration = django_filters.NumberFilter(field_name="registration_id")
    applied_from = django_filters.DateFilter(
        field_name="application_date", lookup_expr="gte", label=_("Applied from")
    )
    applied_until = django_filters.DateFilter(
        field_name="application_date", lookup_expr="lte", label=_("Applied until")
    )

    class Meta:
        model = DivorceApplication
        fields = ["phase", "registration"]

    def filter_phase(
        self, queryset: QuerySet[DivorceApplication], name: str, value: str
    ) -> QuerySet[DivorceApplication]:
        return queryset.filter(divorce_phase_q(value, timezone.localdate()))


class CounsellingFilter(django_filters.FilterSet):
    search = PersonSearchFilter(
        people=["party_a", "party_b"],
        numbers=["registration__certificate_number", "divorce__certificate_number"],
        label=_("Name, whole ID number or certificate number"),
    )
    outcome = django_filters.ChoiceFilter(choices=CounsellingOutcome.choices)
    opened_from = django_filters.DateFilter(field_name="opened_on", lookup_expr="gte", label=_("Opened from"))
    opened_until = django_filters.DateFilter(
        field_name="opened_on", lookup_expr="lte", label=_("Opened until")
    )

    class Meta:
        model = CounsellingCase
        fields = ["outcome"]


# ``?ordering=`` columns of each list (API and page); anything else answers 400 in the API.
REGISTRATION_ORDERING = ["id", "registration_date", "certificate_number"]
DIVORCE_ORDERING = ["id", "application_date", "issued_on"]
COUNSELLING_ORDERING = ["id", "opened_on", "closed_on", "outcome"]


# --- Registrations --------------------------------------------------------------------------------------


def registration_list(
    *, user: Any, on: datetime.date | None = None, filters: Mapping[str, Any] | None = None
) -> QuerySet[Registration]:
    """Registrations the user may see, newest first; ``on`` limits them to one registration date, ``filters``
    (query parameters) are RegistrationFilter's (an invalid value raises RuleViolation)."""
    registrations = (
        Registration.objects.filter(couple_q(user))
        .select_related("party_a", "party_b", "created_by")
        .prefetch_related("reissues")
    )
    if on is not None:
        registrations = registrations.filter(registration_date=on)
    return apply_filterset(RegistrationFilter, registrations.order_by("-registration_date", "-id"), filters)


def registration_get(*, user: Any, pk: Any) -> Registration:
    try:
        return registration_list(user=user).get(pk=pk)
    except (Registration.DoesNotExist, ValueError):
        raise Http404 from None


def current_registration_of(*, user: Any, certificate_number: str) -> Registration | None:
    """A registration the user may see, by its certificate number (for the divorce form)."""
    return registration_list(user=user).filter(certificate_number=certificate_number.strip().upper()).first()


# --- Divorce applications --------------------------------------------------------------------------------


def divorce_phase_q(phase: str, today: datetime.date) -> Q:
    """Applications in ``phase`` on ``today``, from the end dates each application keeps (periods.py)."""
    is_open = Q(state=DivorceState.OPEN)
    lapsed = is_open & Q(certificate_window_ends__lt=today)
    if phase == DivorcePhase.COOLING_OFF:
        return is_open & Q(cooling_off_ends__gte=today)
    if phase == DivorcePhase.AWAITING_CERTIFICATE:
        return is_open & Q(cooling_off_ends__lt=today, certificate_window_ends__gte=today)
    if phase == DivorcePhase.ISSUED:
        return Q(state=DivorceState.ISSUED)
    if phase == DivorcePhase.WITHDRAWN:
        return Q(state=DivorceState.WITHDRAWN) | lapsed
    if phase == LAPSED:
        return Q(state=DivorceState.WITHDRAWN, withdrawal_reason=WithdrawalReason.LAPSED) | lapsed
    raise ValueError(f"unknown phase {phase!r}")


def divorce_list(
    *,
    user: Any,
    phase: str | None = None,
    today: datetime.date | None = None,
    filters: Mapping[str, Any] | None = None,
) -> QuerySet[DivorceApplication]:
    """Divorce applications the user may see, newest first, in ``phase`` on ``today`` if given, narrowed by
    DivorceFilter over ``filters``."""
    divorces = (
        DivorceApplication.objects.filter(couple_q(user, "registration__"))
        .select_related("registration", "registration__party_a", "registration__party_b")
        .prefetch_related("reissues")
    )
    if phase:
        divorces = divorces.filter(divorce_phase_q(phase, today or timezone.localdate()))
    return apply_filterset(DivorceFilter, divorces.order_by("-application_date", "-id"), filters)


def divorce_phase_counts(*, user: Any, today: datetime.date) -> dict[str, int]:
    """How many applications are in each phase the registrar works with (one query)."""
    phases = (DivorcePhase.COOLING_OFF, DivorcePhase.AWAITING_CERTIFICATE, LAPSED)
    counts = DivorceApplication.objects.filter(couple_q(user, "registration__")).aggregate(
        **{str(phase): Count("id", filter=divorce_phase_q(phase, today)) for phase in phases}
    )
    return {key: value or 0 for key, value in counts.items()}


# --- Counselling -----------------------------------------------------------------------------------------


def counselling_list(
    *, user: Any, outcome: str | None = None, filters: Mapping[str, Any] | None = None
) -> QuerySet[CounsellingCase]:
    """Counselling cases the user may see, newest first, narrowed by CounsellingFilter over ``filters``."""
    cases = (
        CounsellingCase.objects.filter(couple_q(user))
        .select_related("party_a", "party_b", "registration", "divorce")
        .prefetch_related(Prefetch("sessions", queryset=CounsellingSession.objects.order_by("held_on", "id")))
    )
    if outcome:
        cases = cases.filter(outcome=outcome)
    return apply_filterset(CounsellingFilter, cases.order_by("-opened_on", "-id"), filters)


def counselling_get(*, user: Any, pk: Any) -> CounsellingCase:
    try:
        return counselling_list(user=user).get(pk=pk)
    except (CounsellingCase.DoesNotExist, ValueError):
        raise Http404 from None


def counselling_outcome_counts(*, user: Any) -> dict[str, int]:
    rows = CounsellingCase.objects.filter(couple_q(user)).values("outcome").annotate(n=Count("id"))
    counts = {outcome.value: 0 for outcome in CounsellingOutcome}
    counts.update({row["outcome"]: row["n"] for row in rows})
    return counts


# --- People and marital status ---------------------------------------------------------------------------


def person_by_id_number(*, user: Any, id_number: str) -> Person | None:
    """A registered person the user may see (in the jurisdiction, or from outside the district), by full ID
    number (what a registrar types)."""
    return (
        people_visible_to(user).select_related("division").filter(id_number=id_number.strip().upper()).first()
    )


@dataclass(frozen=True)
class MaritalStatus:
    married: bool
    spouse: int | None
    since: datetime.date | None
    registration: int | None


def marriage_end(registration: Registration) -> datetime.date | None:
    """The first day a registered marriage no longer holds: the day its divorce certificate was issued, or the
    day after a party's death (on the date of death the couple is still married, SPEC §7)."""
    ends = [day for day in (registration.dissolved_on,) if day is not None] + [
        death + datetime.timedelta(days=1)
        for death in (registration.party_a.date_of_death, registration.party_b.date_of_death)
        if death is not None
    ]
    return min(ends) if ends else None


def marriages_of(person_ids: Iterable[int]) -> QuerySet[Registration]:
    """The marriages these people are or were in. A marriage a court ruled void or annulled never had effect
    (Civil Code art. 1054), so it is not among them: it neither made anyone married nor bars a marriage."""
    ids = list(person_ids)
    return (
        Registration.objects.filter(Q(party_a_id__in=ids) | Q(party_b_id__in=ids))
        .filter(annulment_ruling_date__isnull=True)
        .select_related("party_a", "party_b")
        .order_by("registration_date", "id")
    )


def marriage_on(*, person: Person, on: datetime.date) -> Registration | None:
    """The marriage ``person`` was in on ``on``, with both parties loaded, or None."""
    candidates = marriages_of([person.pk]).filter(
        Q(registration_date__lte=on), Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)
    )
    for registration in reversed(list(candidates)):
        end = marriage_end(registration)
        if end is None or end > on:
            return registration
    return None


def marital_status(*, person: Person, on: datetime.date) -> MaritalStatus:
    """Whether ``person`` was married on ``on``, to whom and since when, from the records (SPEC §6)."""
    registration = marriage_on(person=person, on=on)
    if registration is None:
        return MaritalStatus(married=False, spouse=None, since=None, registration=None)
    return MaritalStatus(
        married=True,
        spouse=registration.spouse_of(person.pk),
        since=registration.registration_date,
        registration=registration.pk,
    )
