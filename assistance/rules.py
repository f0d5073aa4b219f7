"""The arithmetic and category rules of social assistance (SPEC §4.1, §11). Pure functions, no database."""

from __future__ import annotations

import datetime
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

# A person may hold only one category of each group at a time: 低保 and 特困 exclude each other (SPEC §4.2),
# and the child-support categories are alternatives to one another.
EXCLUSIVE_GROUPS = (
    frozenset({Category.DIBAO_URBAN, Category.DIBAO_RURAL, Category.TEKUN_URBAN, Category.TEKUN_RURAL}),
    frozenset({Category.ORPHAN_INSTITUTION, Category.ORPHAN_COMMUNITY, Category.UNSUPPORTED_CHILD}),
)


def payment_kind(category: str) -> str:
    return PaymentKind.GAP if category in GAP_CATEGORIES else PaymentKind.FLAT


def conflicting_categories(category: str) -> frozenset[str]:
    """The categories a person may not hold while applying for or holding ``category``."""
    conflicting = {category}
    for group in EXCLUSIVE_GROUPS:
        if category in group:
            conflicting |= group
    return frozenset(conflicting)


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


def uplifted_standard(old: Decimal, rate: Decimal) -> Decimal:
    """The new standard: old × (1 + rate), rounded half-up to whole yuan (x.5 rounds up) (SPEC §4.4)."""
    return (old * (1 + rate)).quantize(YUAN, rounding=ROUND_HALF_UP).quantize(FEN)


def notice_ends(notice_from: datetime.date) -> datetime.date:
    """The first day approval is allowed: the public notice must run 7 full days (SPEC §4.2)."""
    return notice_from + datetime.timedelta(days=7)


def first_of_next_month(day: datetime.date) -> datetime.date:
    """Payment starts the month after approval (社会救助暂行办法, SPEC §11)."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


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
