"""Every write of community work (SPEC §8): community workers, mutual-aid funds and their movements,
village-affairs assessments, and the towns' urban population the staffing targets count against. Each
function is one transaction with its audit event; a broken rule raises RuleViolation (400), a second record
where one is allowed raises Conflict (409), a role that may not act raises PermissionDenied (403).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.accounts.permissions import ADMINISTRATORS, CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record, diff
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.errors import Conflict, RuleViolation
from civil_affairs.people.models import Person

from .models import CommunityWorker, FundMovement, MovementKind, MutualAidFund, VillageAssessment
from .rules import (
    EARLIEST_DAY,
    GRADE_RANGES,
    LATEST_DAY,
    QUARTER_PATTERN,
    Certificate,
    Post,
    grade_in_range,
    quarter_key,
    quarter_of,
)

CENT = Decimal("0.01")


def _check_writer(actor: Any) -> None:
    if not user_has_role(actor, CASE_WRITERS):
        raise PermissionDenied(_("Your role may not do this."))
    if not serves(actor, Line.COMMUNITY):
        raise PermissionDenied(_("You do not serve this line of work."))


def _check_village(actor: Any, division: Division, field: str) -> None:
    if division.level != DivisionLevel.VILLAGE:
        raise RuleViolation(
            _("%(name)s is not a village or community.") % {"name": division.name},
            field=field,
            code="not_a_village",
        )
    if not covers(actor, division.code):
        raise RuleViolation(
            _("This division is outside your jurisdiction."), field=field, code="outside_jurisdiction"
        )


def _check_within_span(day: datetime.date | None, field: str) -> None:
    """A recorded day lies within the records' span (rules.EARLIEST_DAY to rules.LATEST_DAY)."""
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise RuleViolation(
            _("The date must lie between %(first)s and %(last)s.")
            % {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()},
            field=field,
            code="date_outside_span",
        )


# --- Community workers ------------------------------------------------------------------------------------


def _check_worker(
    *,
    post: str,
    grade: int,
    grade_since: datetime.date | None,
    contract_start: datetime.date,
    contract_end: datetime.date,
    certificate: str,
    left_on: datetime.date | None,
) -> None:
    for field, day in (
        ("contract_start", contract_start),
        ("contract_end", contract_end),
        ("grade_since", grade_since),
        ("left_on", left_on),
    ):
        _check_within_span(day, field)
    if post not in Post.values:
        raise RuleViolation(_("Unknown post: %(post)s.") % {"post": post}, field="post", code="unknown_post")
    if not grade_in_range(post, grade):
        low, high = GRADE_RANGES[post]
        raise RuleViolation(
            _("Grade %(grade)s is outside the range of this post (三岗十八级: grades %(low)s–%(high)s).")
            % {"grade": grade, "low": low, "high": high},
            field="grade",
            code="grade_outside_post_range",
        )
    if contract_end <= contract_start:
        raise RuleViolation(
            _("The contract must end after it starts."),
            field="contract_end",
            code="contract_end_not_after_start",
        )
    if certificate not in Certificate.values:
        raise RuleViolation(_("Unknown certificate level."), field="certificate", code="unknown_certificate")
    if left_on is not None and left_on < contract_start:
        raise RuleViolation(
            _("The last day worked cannot be before the contract starts."),
            field="left_on",
            code="left_before_start",
        )


def _check_one_post(
    person: Person, start: datetime.date, last_day: datetime.date, exclude: int | None
) -> None:
    """One post at a time (SPEC §8): the days in post of a person's posts never overlap."""
    others = CommunityWorker.objects.filter(
        person=person, contract_start__lte=last_day, contract_end__gte=start
    )
    others = others.exclude(left_on__lt=start)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    other = others.select_related("community").first()
    if other is not None:
        raise RuleViolation(
            _("%(name)s already holds a post in %(community)s from %(start)s to %(end)s: one post at a time.")
            % {
                "name": person.name,
                "community": other.community.name,
                "start": other.contract_start.isoformat(),
                "end": (other.left_on or other.contract_end).isoformat(),
            },
            field="person",
            code="one_current_post",
        )


def _worker_snapshot(worker: CommunityWorker) -> dict[str, Any]:
    return {
        "person": worker.person_id,
        "community": worker.community_id,
        "post": worker.post,
        "grade": worker.grade,
        "grade_since": worker.grade_since,
        "contract_start": worker.contract_start,
        "contract_end": worker.contract_end,
        "certificate": worker.certificate,
        "recruitment_batch": worker.recruitment_batch,
        "left_on": worker.left_on,
    }


def _save_worker(worker: CommunityWorker) -> None:
    """Save, turning a racing second post (the exclusion constraint) into the same refusal as the check."""
    try:
        with transaction.atomic():
            worker.save()
    except IntegrityError as error:
        if "community_worker_one_post_at_a_time" not in str(error):
            raise
        raise RuleViolation(
            _("%(name)s already holds a post at that time: one post at a time.")
            % {"name": worker.person.name},
            field="person",
            code="one_current_post",
        ) from None


def worker_create(
    *,
    actor: Any,
    person: Person,
    community: Division,
    post: str,
    grade: int,
    contract_start: datetime.date,
    contract_end: datetime.date,
    certificate: str = Certificate.NONE,
    recruitment_batch: str = "",
    left_on: datetime.date | None = None,
    grade_since: datetime.date | None = None,
) -> CommunityWorker:
    """Record a community worker's post (SPEC §8): a village or community in the actor's jurisdiction, a grade
    within the post's range (head 7–18, deputy 4–15, staff 1–12), a contract ending after it starts, every date
    within 2000–2100 (rules.EARLIEST_DAY, LATEST_DAY), and no other post of the same person on any of its days."""
    _check_writer(actor)
    _check_village(actor, community, "community")
    _check_worker(
        post=post,
        grade=grade,
        grade_since=grade_since,
        contract_start=contract_start,
        contract_end=contract_end,
        certificate=certificate,
        left_on=left_on,
    )
    with transaction.atomic():
        # Two posts of one person recorded at once queue here; the exclusion constraint is the last guard.
        locked = Person.objects.select_for_update().get(pk=person.pk)
        _check_person_may_work(locked, contract_start)
        _check_one_post(person, contract_start, min(contract_end, left_on or contract_end), None)
        worker = CommunityWorker(
            person=person,
            community=community,
            post=post,
            grade=grade,
            grade_since=grade_since or contract_start,
            contract_start=contract_start,
            contract_end=contract_end,
            certificate=certificate,
            recruitment_batch=(recruitment_batch or "").strip(),
            left_on=left_on,
        )
        _save_worker(worker)
        audit_record(actor=actor, action="create", obj=worker, changes=diff({}, _worker_snapshot(worker)))
    return worker


# Community workers are adults under a labour contract (劳动合同法: employees are at least 16; the
# recruitment notices require 18).
MINIMUM_WORKING_AGE = 18


def _check_person_may_work(person: Person, contract_start: datetime.date) -> None:
    if person.date_of_death is not None and person.date_of_death < max(contract_start, timezone.localdate()):
        raise RuleViolation(
            _("%(name)s died on %(date)s.") % {"name": person.name, "date": person.date_of_death},
            field="person",
            code="person_deceased",
        )
    born = person.birth_date
    age = (
        contract_start.year
        - born.year
        - ((contract_start.month, contract_start.day) < (born.month, born.day))
    )
    if age < MINIMUM_WORKING_AGE:
        raise RuleViolation(
            _(
                "A community worker is at least %(age)s years old on the contract's first day (%(name)s is not)."
            )
            % {"age": MINIMUM_WORKING_AGE, "name": person.name},
            field="person",
            code="under_working_age",
        )


def end_posts_at_death(event: Any) -> None:
    """The death event (civil_affairs/deaths.py): a worker's current posts end on the date of death (the last
    day worked), so staffing no longer counts them (SPEC §8)."""
    day = event.date_of_death
    posts = (
        CommunityWorker.objects.select_for_update()
        .filter(person=event.person, contract_start__lte=day)
        .filter(models.Q(left_on__isnull=True) | models.Q(left_on__gt=day))
    )
    for worker in posts:
        before = worker.left_on
        worker.left_on = day if worker.contract_end >= day else worker.contract_end
        _save_worker(worker)
        audit_record(
            actor=event.actor,
            action="ended_by_death",
            obj=worker,
            changes={"left_on": [before, worker.left_on]},
        )


WORKER_EDITABLE = (
    "post",
    "grade",
    "grade_since",
    "contract_end",
    "certificate",
    "recruitment_batch",
    "left_on",
)


def worker_update(*, actor: Any, worker: CommunityWorker, **changes: Any) -> CommunityWorker:
    """Change a worker's post, grade, contract end, certificate or leaving date, under the same rules."""
    _check_writer(actor)
    unknown = set(changes) - set(WORKER_EDITABLE)
    if unknown:
        raise RuleViolation(_("These fields cannot be changed here."), field=sorted(unknown)[0])
    with transaction.atomic():
        worker = CommunityWorker.objects.select_for_update().select_related("person").get(pk=worker.pk)
        before = _worker_snapshot(worker)
        for name, value in changes.items():
            setattr(worker, name, value)
        if "grade" in changes and before["grade"] != worker.grade and "grade_since" not in changes:
            worker.grade_since = timezone.localdate()
        _check_worker(
            post=worker.post,
            grade=worker.grade,
            grade_since=worker.grade_since,
            contract_start=worker.contract_start,
            contract_end=worker.contract_end,
            certificate=worker.certificate,
            left_on=worker.left_on,
        )
        _check_one_post(
            worker.person,
            worker.contract_start,
            min(worker.contract_end, worker.left_on or worker.contract_end),
            worker.pk,
        )
        _save_worker(worker)
        changed = diff(before, _worker_snapshot(worker))
        if changed:
            audit_record(actor=actor, action="update", obj=worker, changes=changed)
    return worker


# --- Towns' urban population ------------------------------------------------------------------------------


def urban_population_set(*, actor: Any, division: Division, urban_population: int) -> Division:
    """An administrator corrects a town's urban resident population, which the staffing targets count against
    (SPEC §8); it cannot exceed the town's resident population."""
    if not user_has_role(actor, ADMINISTRATORS):
        raise PermissionDenied(_("Only administrators may change a town's urban population."))
    if division.level != DivisionLevel.TOWN:
        raise RuleViolation(_("Only a town or street's urban population is edited here."), field="division")
    if urban_population < 0:
        raise RuleViolation(_("A population cannot be negative."), field="urban_population")
    with transaction.atomic():
        division = Division.objects.select_for_update().get(pk=division.pk)
        if urban_population > division.population:
            raise RuleViolation(
                _("The urban population cannot exceed the resident population (%(population)s).")
                % {"population": division.population},
                field="urban_population",
                code="urban_population_above_population",
            )
        before = division.urban_population
        if before != urban_population:
            division.urban_population = urban_population
            division.save(update_fields=["urban_population"])
            audit_record(
                actor=actor,
                action="update",
                obj=division,
                changes={"urban_population": [before, urban_population]},
            )
    return division


# --- Mutual-aid funds -------------------------------------------------------------------------------------


def fund_open(*, actor: Any, village: Division) -> MutualAidFund:
    """Open a village's 幸福家园 mutual-aid fund with a zero balance: one per village (a second → 409)."""
    _check_writer(actor)
    _check_village(actor, village, "village")
    try:
        with transaction.atomic():
            fund = MutualAidFund.objects.create(village=village, balance=Decimal("0.00"))
            audit_record(actor=actor, action="create", obj=fund, changes={"village": [None, village.code]})
    except IntegrityError:
        raise Conflict(_("%(name)s already has a mutual-aid fund.") % {"name": village.name}) from None
    return fund


def _check_movement(
    amount: Decimal, date: datetime.date, party: str, purpose: str
) -> tuple[Decimal, str, str]:
    if amount is None or amount <= 0:
        raise RuleViolation(
            _("The amount must be more than zero."), field="amount", code="amount_not_positive"
        )
    if amount != amount.quantize(CENT):
        raise RuleViolation(_("An amount has at most two decimal places."), field="amount")
    if date > timezone.localdate():
        raise RuleViolation(_("The date cannot be in the future."), field="date", code="date_in_future")
    if date < EARLIEST_DAY:
        raise RuleViolation(
            _("The date cannot be before %(date)s.") % {"date": EARLIEST_DAY.isoformat()},
            field="date",
            code="date_too_early",
        )
    party, purpose = (party or "").strip(), (purpose or "").strip()
    if not party:
        raise RuleViolation(_("Name the donor or recipient."), field="party")
    if not purpose:
        raise RuleViolation(_("State the purpose."), field="purpose")
    return amount, party, purpose


def _record_movement(
    *,
    actor: Any,
    fund: MutualAidFund,
    kind: str,
    amount: Decimal,
    date: datetime.date,
    party: str,
    purpose: str,
) -> FundMovement:
    _check_writer(actor)
    if not covers(actor, fund.village_id):
        raise RuleViolation(_("This fund is outside your jurisdiction."), field="fund")
    amount, party, purpose = _check_movement(amount, date, party, purpose)
    change = amount if kind == MovementKind.DONATION else -amount
    with transaction.atomic():
        # The row lock serialises movements of one fund: a disbursement sees the balance the previous left.
        locked = MutualAidFund.objects.select_for_update().get(pk=fund.pk)
        if kind == MovementKind.DISBURSEMENT and amount > locked.balance:
            raise RuleViolation(
                _("The disbursement of %(amount)s yuan exceeds the fund's balance of %(balance)s yuan.")
                % {"amount": f"{amount:.2f}", "balance": f"{locked.balance:.2f}"},
                field="amount",
                code="beyond_balance",
            )
        try:
            with transaction.atomic():
                MutualAidFund.objects.filter(pk=locked.pk).update(balance=F("balance") + change)
        except IntegrityError:  # the CHECK (balance >= 0): the last guard should the lock ever be bypassed
            raise RuleViolation(
                _("The disbursement exceeds the fund's balance."), field="amount", code="beyond_balance"
            ) from None
        locked.refresh_from_db(fields=["balance"])
        movement = FundMovement.objects.create(
            fund=locked,
            kind=kind,
            amount=amount,
            date=date,
            party=party,
            purpose=purpose,
            balance_after=locked.balance,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(
            actor=actor,
            action=kind,
            obj=movement,
            changes={
                "fund": [None, locked.pk],
                "amount": [None, f"{amount:.2f}"],
                "date": [None, date],
                "party": [None, party],
                "purpose": [None, purpose],
                "balance": [f"{locked.balance - change:.2f}", f"{locked.balance:.2f}"],
            },
        )
    fund.balance = locked.balance
    return movement


def fund_donate(
    *, actor: Any, fund: MutualAidFund, amount: Decimal, date: datetime.date, party: str, purpose: str
) -> FundMovement:
    """Record a donation to a village's mutual-aid fund (SPEC §8), dated from 2000-01-01 to today."""
    return _record_movement(
        actor=actor,
        fund=fund,
        kind=MovementKind.DONATION,
        amount=amount,
        date=date,
        party=party,
        purpose=purpose,
    )


def fund_disburse(
    *, actor: Any, fund: MutualAidFund, amount: Decimal, date: datetime.date, party: str, purpose: str
) -> FundMovement:
    """Pay out of a village's mutual-aid fund (SPEC §8), dated from 2000-01-01 to today: never beyond the
    balance, also when disbursements race (the fund row is locked; the CHECK balance >= 0 is the last guard) —
    the one that loses answers 400."""
    return _record_movement(
        actor=actor,
        fund=fund,
        kind=MovementKind.DISBURSEMENT,
        amount=amount,
        date=date,
        party=party,
        purpose=purpose,
    )


# --- Village-affairs transparency assessments -------------------------------------------------------------


def assessment_record(
    *, actor: Any, village: Division, quarter: str, score: int, note: str = ""
) -> VillageAssessment:
    """Record a village's quarterly village-affairs transparency score (SPEC §8): 0–100, one per village per
    quarter (a second → 409), for the current quarter or an earlier one, not before 2000 (a quarter is scored
    once it has been seen; rules.EARLIEST_DAY)."""
    _check_writer(actor)
    _check_village(actor, village, "village")
    quarter = (quarter or "").strip().upper()
    if not QUARTER_PATTERN.match(quarter):
        raise RuleViolation(_("A quarter is written like 2026Q3."), field="quarter", code="quarter_shape")
    current = quarter_of(timezone.localdate())
    if quarter_key(quarter) > quarter_key(current):
        raise RuleViolation(
            _("An assessment is for the current quarter (%(quarter)s) or an earlier one.")
            % {"quarter": current},
            field="quarter",
            code="quarter_in_future",
        )
    if quarter_key(quarter) < quarter_key(quarter_of(EARLIEST_DAY)):
        raise RuleViolation(
            _("An assessment is for %(quarter)s or a later quarter.") % {"quarter": quarter_of(EARLIEST_DAY)},
            field="quarter",
            code="quarter_too_early",
        )
    if score is None or not 0 <= score <= 100:
        raise RuleViolation(_("A score is from 0 to 100."), field="score", code="score_outside_0_100")
    try:
        with transaction.atomic():
            assessment = VillageAssessment.objects.create(
                village=village,
                quarter=quarter,
                score=score,
                note=(note or "").strip(),
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor=actor,
                action="create",
                obj=assessment,
                changes={"village": [None, village.code], "quarter": [None, quarter], "score": [None, score]},
            )
    except IntegrityError:
        raise Conflict(
            _("%(name)s already has a score for %(quarter)s.") % {"name": village.name, "quarter": quarter}
        ) from None
    return assessment
