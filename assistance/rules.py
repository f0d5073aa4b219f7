"""The arithmetic and category rules of social assistance (SPEC §4.1, §11). Pure functions, no database."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

FEN = Decimal("0.01")
YUAN = Decimal("1")


class Category(models.TextChoices):
    DIBAO_URBAN = "dibao_urban", _("Urban minimum living allowance")
    DIBAO_RURAL = "dibao_rural", _("Rural minimum living allowance")
    TEKUN_URBAN = "tekun_urban", _("Urban extreme-poverty support")
    TEKUN_RURAL = "tekun_rural", _("Rural extreme-poverty support")
    ORPHAN_INSTITUTION = "orphan_institution", _("Orphans in institutions")
    ORPHAN_COMMUNITY = "orphan_community", _("Orphans in the community")
    UNSUPPORTED_CHILD = "unsupported_child", _("De-facto unsupported children")
    DISABILITY_LIVING = "disability_living", _("Living subsidy for disabled people in hardship")
    DISABILITY_CARE = "disability_care", _("Care subsidy for severely disabled people")


class PaymentKind(models.TextChoices):
    GAP = "gap", _("Gap: standard minus per-capita income, per member covered")
    FLAT = "flat", _("Flat: the standard per person")


GAP_CATEGORIES = frozenset({Category.DIBAO_URBAN, Category.DIBAO_RURAL})
DIBAO = GAP_CATEGORIES
TEKUN = frozenset({Category.TEKUN_URBAN, Category.TEKUN_RURAL})
CHILD_CATEGORIES = frozenset(
    {Category.ORPHAN_INSTITUTION, Category.ORPHAN_COMMUNITY, Category.UNSUPPORTED_CHILD}
)
DISABILITY_CATEGORIES = frozenset({Category.DISABILITY_LIVING, Category.DISABILITY_CARE})
URBAN_CATEGORIES = frozenset({Category.DIBAO_URBAN, Category.TEKUN_URBAN})
RURAL_CATEGORIES = frozenset({Category.DIBAO_RURAL, Category.TEKUN_RURAL})

# A person may hold only one category of each group at a time: 低保 and 特困 exclude each other (SPEC §4.2),
# and the child-support categories are alternatives to one another.
EXCLUSIVE_GROUPS = (DIBAO | TEKUN, CHILD_CATEGORIES)
# Pairs of groups that exclude each other (SPEC §4.2): 特困 and the child categories; the child categories and
# the living subsidy for disabled people (the care subsidy stays allowed beside them).
EXCLUSIVE_PAIRS = (
    (TEKUN, CHILD_CATEGORIES),
    (CHILD_CATEGORIES, frozenset({Category.DISABILITY_LIVING})),
)


def payment_kind(category: str) -> str:
    return PaymentKind.GAP if category in GAP_CATEGORIES else PaymentKind.FLAT


def conflicting_categories(category: str) -> frozenset[str]:
    """The categories a person may not hold while applying for or holding ``category``."""
    conflicting = {category}
    for group in EXCLUSIVE_GROUPS:
        if category in group:
            conflicting |= group
    for one, other in EXCLUSIVE_PAIRS:
        if category in one:
            conflicting |= other
        if category in other:
            conflicting |= one
    return frozenset(conflicting)


# --- Eligibility (SPEC §4.2, §11) -----------------------------------------------------------------------------


# The disability certificates that make a person 特困 regardless of age (特困人员认定办法): the worst grade
# qualifying for each kind (grade 1 is the most severe).
# (Kinds as the people registry's certificates name them, SPEC §2.2.)
TEKUN_SEVERE_DISABILITY = {"intellectual": 3, "mental": 3, "physical": 2, "visual": 1}
ADULT_AGE = 18
ELDERLY_AGE = 60
# The care subsidy is for severe disability: grades 1 and 2 (国发〔2015〕52号).
CARE_SUBSIDY_WORST_GRADE = 2


def age_on(birth_date: datetime.date, on: datetime.date) -> int:
    """Full years of age on a date (a 29 February birthday falls on 28 February in other years)."""
    years = on.year - birth_date.year
    return years - (on < add_months(birth_date, 12 * years))


def turns_adult_on(birth_date: datetime.date) -> datetime.date:
    """The 18th birthday."""
    return add_months(birth_date, 12 * ADULT_AGE)


def child_support_ends(birth_date: datetime.date) -> datetime.date:
    """The last day a child category is paid: the end of the month of the 18th birthday (SPEC §4.2)."""
    return month_end(turns_adult_on(birth_date))


@dataclass(frozen=True)
class Applicant:
    """What eligibility needs to know of one person covered by an application."""

    name: str
    birth_date: datetime.date
    disability_kind: str = ""
    disability_grade: int | None = None


@dataclass(frozen=True)
class Refusal:
    """A broken rule: the field it concerns, its code (the API's ``"rule"``) and its message."""

    field: str
    code: str
    message: str


def severely_disabled_for_tekun(kind: str, grade: int | None) -> bool:
    worst = TEKUN_SEVERE_DISABILITY.get(kind)
    return worst is not None and grade is not None and 1 <= grade <= worst


def eligibility_refusal(
    category: str,
    people: Sequence[Applicant],
    *,
    on: datetime.date,
    urban_division: bool,
    dibao_household: bool,
) -> Refusal | None:
    """The first eligibility rule of ``category`` the applicants break (SPEC §4.2, §11), or None.

    特困 (特困人员认定办法): 60 or over, under 18, or a certificate of severe disability; the child categories
    (国发〔2016〕14号 and the orphans' rules): under 18; the living subsidy for disabled people (国发〔2015〕52号):
    a certificate and a 低保 household; the care subsidy: grade 1–2; urban categories in an urban division and
    rural ones in a rural division.
    """
    if category in URBAN_CATEGORIES and not urban_division:
        message = _("This household lives in a rural division: apply for the rural category.")
        return Refusal("category", "urban_category_in_rural_division", str(message))
    if category in RURAL_CATEGORIES and urban_division:
        message = _("This household lives in an urban division: apply for the urban category.")
        return Refusal("category", "rural_category_in_urban_division", str(message))
    for person in people:
        refusal = _person_refusal(category, person, on)
        if refusal is not None:
            return refusal
    if category == Category.DISABILITY_LIVING and not dibao_household:
        message = _(
            "The living subsidy for disabled people is for members of a household receiving the minimum "
            "living allowance."
        )
        return Refusal("household", "not_a_dibao_household", str(message))
    return None


def _person_refusal(category: str, person: Applicant, on: datetime.date) -> Refusal | None:
    age = age_on(person.birth_date, on)
    values = {"name": person.name, "age": age, "grade": person.disability_grade or 0}
    if category in TEKUN and not (
        age >= ELDERLY_AGE
        or age < ADULT_AGE
        or severely_disabled_for_tekun(person.disability_kind, person.disability_grade)
    ):
        message = _(
            "%(name)s is %(age)d, neither 60 nor under 18, and holds no certificate of severe disability."
        )
        return Refusal("covered_members", "tekun_not_eligible", str(message) % values)
    if category in CHILD_CATEGORIES and age >= ADULT_AGE:
        message = _("%(name)s is %(age)d: child support is for children under 18.")
        return Refusal("covered_members", "child_over_18", str(message) % values)
    if category in DISABILITY_CATEGORIES and not (person.disability_kind and person.disability_grade):
        message = _("%(name)s holds no disability certificate.")
        return Refusal("covered_members", "disability_certificate_required", str(message) % values)
    if category == Category.DISABILITY_CARE and (person.disability_grade or 0) > CARE_SUBSIDY_WORST_GRADE:
        message = _("%(name)s holds a grade %(grade)d certificate: the care subsidy is for grades 1 and 2.")
        return Refusal("covered_members", "disability_grade_not_severe", str(message) % values)
    return None


# --- Amounts ----------------------------------------------------------------------------------------------------


def monthly_amount(
    *, category: str, standard: Decimal, total_income: Decimal, member_count: int, covered_count: int
) -> Decimal:
    """What an enrollment is paid per month (SPEC §4.1).

    低保 pays the gap (standard − per-capita income) × members covered, where per-capita income is the
    household's total income over all its members; computed exactly (one division, at the end) and rounded
    half-up to the fen once, never below zero. Other categories pay the standard per person covered.
    """
    if member_count <= 0 or covered_count <= 0:
        raise ValueError("a household has at least one member and covers at least one")
    if payment_kind(category) == PaymentKind.FLAT:
        return (standard * covered_count).quantize(FEN, rounding=ROUND_HALF_UP)
    # (standard − total/n) × covered = (standard·n − total)·covered / n: the one inexact step is last.
    exact = (standard * member_count - total_income) * covered_count / Decimal(member_count)
    return max(Decimal("0.00"), exact.quantize(FEN, rounding=ROUND_HALF_UP))


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(FEN, rounding=ROUND_HALF_UP):.2f}".replace("-", "−")


def explain_amount(
    *, category: str, standard: Decimal, total_income: Decimal, member_count: int, covered_count: int
) -> tuple[Decimal, str]:
    """The monthly amount and how it was reached, spelled out for the reviewer and the household (SPEC §3.1):
    ``(1010.00 − 350.00) × 2 = 1320.00`` for a gap (standard − per-capita income, per member covered; the
    per-capita income as ``total ÷ members`` when it is not a whole number of fen, the result then rounded,
    ``≈``), ``1313.00 × 1 = 1313.00`` for a flat category, and ``… = −200.00 → 0.00`` when the income is above
    the standard. The amount is :func:`monthly_amount`'s, so the two can never disagree.
    """
    amount = monthly_amount(
        category=category,
        standard=standard,
        total_income=total_income,
        member_count=member_count,
        covered_count=covered_count,
    )
    if payment_kind(category) == PaymentKind.FLAT:
        return amount, f"{_yuan(standard)} × {covered_count} = {_yuan(amount)}"
    per_capita = total_income / Decimal(member_count)
    if per_capita == per_capita.quantize(FEN):
        income_term = _yuan(per_capita)
    else:
        income_term = f"{_yuan(total_income)} ÷ {member_count}"
    exact = (standard * member_count - total_income) * covered_count / Decimal(member_count)
    relation = "=" if exact == exact.quantize(FEN) else "≈"
    text = f"({_yuan(standard)} − {income_term}) × {covered_count}"
    if exact < 0:
        return amount, f"{text} {relation} {_yuan(exact)} → {_yuan(amount)}"
    return amount, f"{text} {relation} {_yuan(amount)}"


def uplifted_standard(old: Decimal, rate: Decimal) -> Decimal:
    """The new standard: old × (1 + rate), rounded half-up to whole yuan (x.5 rounds up) (SPEC §4.4)."""
    return (old * (1 + rate)).quantize(YUAN, rounding=ROUND_HALF_UP).quantize(FEN)


def notice_ends(notice_from: datetime.date) -> datetime.date:
    """The first day approval is allowed: the public notice must run 7 full days (SPEC §4.2)."""
    return notice_from + datetime.timedelta(days=7)


def first_of_next_month(day: datetime.date) -> datetime.date:
    """Payment starts the month after approval (社会救助暂行办法, SPEC §11)."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of the month of ``day``."""
    return first_of_next_month(day) - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, candidate_day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# Re-checks: yearly for stable households, every 6 months where income is irregular (SPEC §11).
REVIEW_MONTHS_STABLE = 12
REVIEW_MONTHS_IRREGULAR = 6


def next_review(start: datetime.date, *, irregular_income: bool) -> datetime.date:
    return add_months(start, REVIEW_MONTHS_IRREGULAR if irregular_income else REVIEW_MONTHS_STABLE)


# A member's monthly income as a re-check may record it: a household's total stays within the money columns.
MAX_MONTHLY_INCOME = Decimal("9999999.99")


# --- Case dates (SPEC §4.2) -------------------------------------------------------------------------------------

# How far back the day a paper application arrived may lie, and the decision periods in working days (Shandong
# practice, SPEC §11); services read the settings of the same names (ASSISTANCE_*), these are their defaults.
RECEIVED_DAYS_BACK = 30
DECISION_WORKING_DAYS = 20
DECISION_EXTENDED_WORKING_DAYS = 30
