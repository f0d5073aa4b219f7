"""Assistance arithmetic and category rules, without the database (SPEC §4.1, §4.4, §11)."""

import datetime
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from assistance import rules
from assistance.rules import Category


@pytest.mark.parametrize(
    ("standard", "incomes", "covered", "expected"),
    [
        ("1000.00", ["0"], 1, "1000.00"),
        ("1000.00", ["300", "0", "0"], 3, "2700.00"),  # (1000 − 100) × 3
        (
            "1000.00",
            ["100", "0", "0"],
            3,
            "2900.00",
        ),  # exact: (3000 − 100) × 3 / 3, no per-capita rounding first
        ("1000.00", ["100", "0", "0"], 2, "1933.33"),  # (1000 − 33.333…) × 2 = 1933.333…
        ("1000.00", ["200", "0", "0"], 2, "1866.67"),  # 1866.666… rounds half-up
        ("1000.00", ["2500", "0"], 2, "0.00"),  # income above the standard: never below zero
        ("1000.00", ["1000"], 1, "0.00"),
        ("865.00", ["0.01", "0", "0", "0", "0", "0", "0", "0"], 1, "865.00"),  # 864.99875 → 865.00
        ("865.00", ["0.04", "0", "0", "0", "0", "0", "0", "0"], 1, "865.00"),  # 864.995 exactly: half-up
        ("865.00", ["0.12", "0", "0", "0", "0", "0", "0", "0"], 1, "864.99"),  # 864.985 exactly: half-up
    ],
)
def test_gap_amount(standard, incomes, covered, expected):
    amount = rules.monthly_amount(
        category=Category.DIBAO_URBAN,
        standard=Decimal(standard),
        total_income=sum(Decimal(i) for i in incomes),
        member_count=len(incomes),
        covered_count=covered,
    )
    assert amount == Decimal(expected)


def test_gap_amount_rounds_an_exact_half_fen_up():
    # (1000·2 − 0.01) × 1 / 2 = 999.995 exactly → 1000.00
    amount = rules.monthly_amount(
        category=Category.DIBAO_RURAL,
        standard=Decimal("1000.00"),
        total_income=Decimal("0.01"),
        member_count=2,
        covered_count=1,
    )
    assert amount == Decimal("1000.00")


@pytest.mark.parametrize("category", [c for c in Category if c not in rules.GAP_CATEGORIES])
def test_flat_categories_pay_the_standard_per_person_covered(category):
    amount = rules.monthly_amount(
        category=category,
        standard=Decimal("1300.00"),
        total_income=Decimal("5000"),
        member_count=3,
        covered_count=2,
    )
    assert amount == Decimal("2600.00")


@given(
    standard=st.decimals(min_value=1, max_value=5000, places=2),
    incomes=st.lists(st.decimals(min_value=0, max_value=3000, places=2), min_size=1, max_size=8),
    data=st.data(),
)
def test_gap_amount_is_never_negative_and_has_two_places(standard, incomes, data):
    covered = data.draw(st.integers(min_value=1, max_value=len(incomes)))
    amount = rules.monthly_amount(
        category=Category.DIBAO_URBAN,
        standard=standard,
        total_income=sum(incomes, Decimal(0)),
        member_count=len(incomes),
        covered_count=covered,
    )
    assert amount >= 0
    assert amount == amount.quantize(Decimal("0.01"))
    exact = (standard - sum(incomes, Decimal(0)) / len(incomes)) * covered
    assert abs(amount - max(exact, Decimal(0))) <= Decimal("0.005")


@pytest.mark.parametrize(
    ("old", "rate", "new"),
    [
        ("1000.00", "0.05", "1050.00"),
        ("1010.00", "0.05", "1061.00"),  # 1060.5 rounds up
        ("1030.00", "0.05", "1082.00"),  # 1081.5 rounds up
        ("1029.00", "0.05", "1080.00"),  # 1080.45 rounds down
        ("865.00", "0.05", "908.00"),  # 908.25
        ("1125.00", "0.05", "1181.00"),  # 1181.25
        ("1170.00", "0.05", "1229.00"),  # 1228.5 rounds up
    ],
)
def test_uplifted_standard_rounds_half_up_to_whole_yuan(old, rate, new):
    assert rules.uplifted_standard(Decimal(old), Decimal(rate)) == Decimal(new)


def test_tekun_and_dibao_exclude_each_other():
    assert Category.TEKUN_RURAL in rules.conflicting_categories(Category.DIBAO_URBAN)
    assert Category.DIBAO_RURAL in rules.conflicting_categories(Category.TEKUN_URBAN)
    assert Category.DISABILITY_LIVING not in rules.conflicting_categories(Category.DIBAO_URBAN)
    assert rules.conflicting_categories(Category.DISABILITY_CARE) == {Category.DISABILITY_CARE}


def test_notice_ends_after_seven_full_days():
    assert rules.notice_ends(datetime.date(2024, 3, 1)) == datetime.date(2024, 3, 8)


@pytest.mark.parametrize(
    ("day", "first"),
    [
        (datetime.date(2024, 1, 31), datetime.date(2024, 2, 1)),
        (datetime.date(2024, 12, 15), datetime.date(2025, 1, 1)),
    ],
)
def test_payment_starts_the_month_after(day, first):
    assert rules.first_of_next_month(day) == first


def test_review_every_year_or_six_months_for_irregular_income():
    start = datetime.date(2024, 8, 31)
    assert rules.next_review(start, irregular_income=False) == datetime.date(2025, 8, 31)
    assert rules.next_review(start, irregular_income=True) == datetime.date(2025, 2, 28)


# --- Explained amounts (SPEC §3.1) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "standard", "income", "members", "covered", "text"),
    [
        (Category.DIBAO_URBAN, "1010.00", "700.00", 2, 2, "(1010.00 − 350.00) × 2 = 1320.00"),
        (Category.DIBAO_URBAN, "1000.00", "100.00", 3, 2, "(1000.00 − 100.00 ÷ 3) × 2 ≈ 1933.33"),
        (Category.DIBAO_RURAL, "865.00", "0.00", 1, 1, "(865.00 − 0.00) × 1 = 865.00"),
        (Category.DIBAO_URBAN, "1010.00", "2020.00", 2, 2, "(1010.00 − 1010.00) × 2 = 0.00"),
        (Category.DIBAO_URBAN, "1000.00", "1200.00", 1, 1, "(1000.00 − 1200.00) × 1 = −200.00 → 0.00"),
        (Category.TEKUN_URBAN, "1313.00", "500.00", 1, 1, "1313.00 × 1 = 1313.00"),
        (Category.ORPHAN_COMMUNITY, "1500.00", "0.00", 3, 2, "1500.00 × 2 = 3000.00"),
    ],
)
def test_an_amount_is_spelled_out(category, standard, income, members, covered, text):
    amount, explanation = rules.explain_amount(
        category=category,
        standard=Decimal(standard),
        total_income=Decimal(income),
        member_count=members,
        covered_count=covered,
    )

    assert explanation == text
    assert explanation.endswith(f"{amount:.2f}")


def _evaluate(expression: str) -> Fraction:
    """The left side of an explanation, computed exactly (− × ÷ as Python operators, on fractions)."""
    python = expression.replace("−", "-").replace("×", "*").replace("÷", "/")
    tokens = python.replace("(", " ( ").replace(")", " ) ").split()
    source = " ".join(f"Fraction('{t}')" if t[0].isdigit() else t for t in tokens)
    return eval(source, {"Fraction": Fraction})  # noqa: S307 (digits and operators only, built above)


@given(
    category=st.sampled_from(list(Category)),
    standard=st.decimals(min_value=1, max_value=5000, places=2),
    incomes=st.lists(st.decimals(min_value=0, max_value=8000, places=2), min_size=1, max_size=8),
    data=st.data(),
)
def test_the_explanation_computes_to_the_amount_it_shows(category, standard, incomes, data):
    covered = data.draw(st.integers(min_value=1, max_value=len(incomes)))
    total = sum(incomes, Decimal("0.00"))

    amount, explanation = rules.explain_amount(
        category=category,
        standard=standard,
        total_income=total,
        member_count=len(incomes),
        covered_count=covered,
    )

    assert amount == rules.monthly_amount(
        category=category,
        standard=standard,
        total_income=total,
        member_count=len(incomes),
        covered_count=covered,
    )
    left = explanation.split(" = ")[0].split(" ≈ ")[0]
    exact = _evaluate(left)
    fen = math.floor(exact * 100 + Fraction(1, 2))  # rounded half-up to the fen
    assert Decimal(max(0, fen)) / 100 == amount
    assert explanation.endswith(f" {amount:.2f}")
    assert (" ≈ " in explanation) == ((exact * 100).denominator != 1)


# --- Eligibility (SPEC §4.2) --------------------------------------------------------------------------------


def applicant(birth, kind="", grade=None):
    return rules.Applicant("某人", birth, kind, grade)


ON = datetime.date(2024, 9, 20)


@pytest.mark.parametrize(
    ("category", "person", "urban", "dibao_household", "code"),
    [
        (Category.TEKUN_URBAN, applicant(datetime.date(1964, 9, 20)), True, False, None),
        (Category.TEKUN_URBAN, applicant(datetime.date(1964, 9, 21)), True, False, "tekun_not_eligible"),
        (Category.TEKUN_RURAL, applicant(datetime.date(1990, 1, 1), "mental", 3), False, False, None),
        (
            Category.TEKUN_RURAL,
            applicant(datetime.date(1990, 1, 1), "multiple", 1),
            False,
            False,
            "tekun_not_eligible",
        ),
        (
            Category.TEKUN_RURAL,
            applicant(datetime.date(1950, 1, 1)),
            True,
            False,
            "rural_category_in_urban_division",
        ),
        (Category.UNSUPPORTED_CHILD, applicant(datetime.date(2006, 9, 21)), True, False, None),
        (Category.UNSUPPORTED_CHILD, applicant(datetime.date(2006, 9, 20)), True, False, "child_over_18"),
        (Category.DISABILITY_LIVING, applicant(datetime.date(1980, 1, 1), "speech", 4), True, True, None),
        (
            Category.DISABILITY_LIVING,
            applicant(datetime.date(1980, 1, 1), "speech", 4),
            True,
            False,
            "not_a_dibao_household",
        ),
        (
            Category.DISABILITY_LIVING,
            applicant(datetime.date(1980, 1, 1)),
            True,
            True,
            "disability_certificate_required",
        ),
        (Category.DISABILITY_CARE, applicant(datetime.date(1980, 1, 1), "physical", 2), False, False, None),
        (
            Category.DISABILITY_CARE,
            applicant(datetime.date(1980, 1, 1), "physical", 3),
            False,
            False,
            "disability_grade_not_severe",
        ),
        (
            Category.DIBAO_URBAN,
            applicant(datetime.date(1980, 1, 1)),
            False,
            False,
            "urban_category_in_rural_division",
        ),
    ],
)
def test_eligibility_rules(category, person, urban, dibao_household, code):
    refusal = rules.eligibility_refusal(
        category, [person], on=ON, urban_division=urban, dibao_household=dibao_household
    )

    assert (refusal.code if refusal else None) == code


def test_the_exclusions_between_categories():
    assert rules.conflicting_categories(Category.TEKUN_URBAN) >= rules.CHILD_CATEGORIES
    assert Category.DISABILITY_LIVING in rules.conflicting_categories(Category.ORPHAN_COMMUNITY)
    assert Category.DISABILITY_CARE not in rules.conflicting_categories(Category.ORPHAN_COMMUNITY)
    assert rules.conflicting_categories(Category.DISABILITY_LIVING) >= rules.CHILD_CATEGORIES
    assert not rules.conflicting_categories(Category.DISABILITY_LIVING) & (rules.DIBAO | rules.TEKUN)


@pytest.mark.parametrize(
    ("birth", "ends"),
    [
        (datetime.date(2006, 9, 15), datetime.date(2024, 9, 30)),
        (datetime.date(2006, 2, 28), datetime.date(2024, 2, 29)),
        (datetime.date(2008, 2, 29), datetime.date(2026, 2, 28)),
        (datetime.date(2006, 12, 31), datetime.date(2024, 12, 31)),
    ],
)
def test_child_support_ends_with_the_month_of_the_18th_birthday(birth, ends):
    assert rules.child_support_ends(birth) == ends


@given(birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2030, 12, 31)))
@example(birth=datetime.date(2008, 2, 29))
def test_one_is_18_from_the_18th_birthday_on(birth):
    adult_on = rules.turns_adult_on(birth)

    assert rules.age_on(birth, adult_on) == 18
    assert rules.age_on(birth, adult_on - datetime.timedelta(days=1)) == 17
