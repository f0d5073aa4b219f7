"""Re-checks (动态管理, SPEC §4.2, issue 9 #5): the visit and the incomes found recompute the amount from the
next month (amount history), set the next re-check 12 months after the visit (6 for irregular income), and a
低保 gap of 0 terminates the enrollment from the next month; through the API and the enrollment page."""

import datetime
from decimal import Decimal

import pytest

from assistance.models import Enrollment, EnrollmentAmount, HouseholdMember, Recheck, Standard
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.workflow.models import StateChange
from tests.assistance.factories import EnrollmentFactory, StandardFactory, household_with

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture(autouse=True)
def today(freeze):
    return freeze(D(2024, 9, 20))


@pytest.fixture
def dibao(db):
    """低保 (urban) 1010.00 from 1 January 2024."""
    return StandardFactory(
        category=Category.DIBAO_URBAN, monthly_amount=Decimal("1010.00"), effective_from=D(2024, 1, 1)
    )


def enrollment_of_two(**extra):
    """Two members without income: (1010 − 0) × 2 = 2020.00 a month since 1 January 2024."""
    return EnrollmentFactory(
        household=household_with(["0", "0"]),
        member_count=2,
        covered_count=2,
        standard=Decimal("1010.00"),
        start=D(2024, 1, 1),
        next_review=D(2024, 12, 1),
        **extra,
    )


def members_with(enrollment, *incomes):
    people = enrollment.household.members.order_by("id").values_list("person_id", flat=True)
    return [{"person": pid, "monthly_income": income} for pid, income in zip(people, incomes, strict=True)]


def recheck(client, enrollment, incomes, visited_on="2024-09-18", **extra):
    return client.post(
        f"/api/v1/assistance/enrollments/{enrollment.pk}/recheck/",
        {
            "visited_on": visited_on,
            "members": members_with(enrollment, *incomes),
            "report": "复核入户",
            **extra,
        },
        format="json",
    )


def test_a_recheck_recomputes_the_amount_from_the_next_month_and_sets_the_next_recheck(
    api_as, caseworker, dibao
):
    enrollment = enrollment_of_two()

    response = recheck(api_as(caseworker), enrollment, ["300.00", "100.00"])

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["monthly_amount"] == "1620.00"  # (1010 − 400 / 2) × 2
    assert body["amount_explanation"] == "(1010.00 − 200.00) × 2 = 1620.00"
    assert body["next_review"] == "2025-09-18" and body["status"] == "active"
    history = EnrollmentAmount.objects.filter(enrollment=enrollment).order_by("effective_from")
    assert [(row.effective_from, row.monthly_amount) for row in history] == [
        (D(2024, 1, 1), Decimal("2020.00")),
        (D(2024, 10, 1), Decimal("1620.00")),
    ]
    record = Recheck.objects.get(enrollment=enrollment)
    assert (record.visited_on, record.amount_before, record.amount_after, record.effective_from) == (
        D(2024, 9, 18),
        Decimal("2020.00"),
        Decimal("1620.00"),
        D(2024, 10, 1),
    )
    assert record.total_income == Decimal("400.00") and record.recorded_by == caseworker
    assert sorted(
        HouseholdMember.objects.filter(household=enrollment.household).values_list(
            "monthly_income", flat=True
        )
    ) == [Decimal("100.00"), Decimal("300.00")]
    assert StateChange.objects.filter(object_id=enrollment.pk, action="recheck").count() == 1
    event = AuditEvent.objects.get(action="transition:recheck")
    assert event.changes["monthly_amount"] == ["2020.00", "1620.00"]
    assert event.changes["next_review"] == ["2024-12-01", "2025-09-18"]


def test_irregular_income_brings_the_next_recheck_to_six_months(api_as, caseworker, dibao):
    enrollment = enrollment_of_two()

    body = recheck(api_as(caseworker), enrollment, ["0", "0"], irregular_income=True).json()

    assert body["next_review"] == "2025-03-18"
    assert Recheck.objects.get().irregular_income is True
    # The next re-check keeps the finding unless told otherwise.
    again = recheck(api_as(caseworker), enrollment, ["0", "0"], visited_on="2024-09-20").json()
    assert again["next_review"] == "2025-03-20"


def test_a_recheck_that_raises_income_to_the_standard_terminates_from_the_next_month(
    api_as, caseworker, dibao
):
    enrollment = enrollment_of_two()

    response = recheck(api_as(caseworker), enrollment, ["1500.00", "520.00"])

    assert response.status_code == 200
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED
    assert enrollment.end == D(2024, 9, 30)  # September is still paid
    assert "(1010.00 − 1010.00) × 2 = 0.00" in enrollment.status_reason
    assert enrollment.monthly_amount == Decimal("2020.00")  # what was paid until the end
    assert EnrollmentAmount.objects.filter(enrollment=enrollment).count() == 1
    record = Recheck.objects.get()
    assert record.terminated and record.amount_after == Decimal("0.00")
    assert StateChange.objects.get(action="recheck").to_state == EnrollmentStatus.TERMINATED


def test_a_flat_category_keeps_its_amount_and_gets_its_next_recheck(api_as, caseworker, db):
    StandardFactory(
        category=Category.TEKUN_URBAN, monthly_amount=Decimal("1313.00"), effective_from=D(2024, 1, 1)
    )
    enrollment = EnrollmentFactory(category=Category.TEKUN_URBAN, standard=Decimal("1313.00"))

    body = recheck(api_as(caseworker), enrollment, ["800.00"]).json()

    assert (body["monthly_amount"], body["status"], body["next_review"]) == (
        "1313.00",
        "active",
        "2025-09-18",
    )


def test_a_suspended_enrollment_is_rechecked_and_stays_suspended(api_as, caseworker, dibao):
    enrollment = enrollment_of_two(status=EnrollmentStatus.SUSPENDED)

    body = recheck(api_as(caseworker), enrollment, ["0", "0"]).json()

    assert body["status"] == "suspended" and body["next_review"] == "2025-09-18"


def test_a_later_row_of_the_history_follows_the_new_incomes(api_as, caseworker, dibao):
    enrollment = enrollment_of_two()
    StandardFactory(
        category=Category.DIBAO_URBAN, monthly_amount=Decimal("1061.00"), effective_from=D(2025, 1, 1)
    )
    EnrollmentAmount.objects.create(
        enrollment=enrollment, monthly_amount=Decimal("2122.00"), effective_from=D(2025, 1, 1)
    )

    body = recheck(api_as(caseworker), enrollment, ["200.00", "0"]).json()

    rows = EnrollmentAmount.objects.filter(enrollment=enrollment).order_by("effective_from")
    assert [row.monthly_amount for row in rows] == [
        Decimal("2020.00"),
        Decimal("1820.00"),
        Decimal("1922.00"),
    ]
    assert body["monthly_amount"] == "1922.00"  # the newest row, as an uplift leaves it


@pytest.mark.parametrize(
    ("visited_on", "incomes", "field", "rule"),
    [
        ("2024-09-21", ["0", "0"], "visited_on", "date_in_future"),
        ("2024-09-18", ["0"], "members", "members_not_household"),
    ],
)
def test_a_refused_recheck_changes_nothing(api_as, caseworker, dibao, visited_on, incomes, field, rule):
    enrollment = enrollment_of_two()
    people = list(enrollment.household.members.order_by("id").values_list("person_id", flat=True))
    payload = {
        "visited_on": visited_on,
        "members": [
            {"person": pid, "monthly_income": income} for pid, income in zip(people, incomes, strict=False)
        ],
        "report": "复核",
    }

    response = api_as(caseworker).post(
        f"/api/v1/assistance/enrollments/{enrollment.pk}/recheck/", payload, format="json"
    )

    assert response.status_code == 400
    assert field in response.json() and response.json()["rule"] == rule
    assert not Recheck.objects.exists()
    assert Enrollment.objects.get(pk=enrollment.pk).next_review == D(2024, 12, 1)
    assert EnrollmentAmount.objects.filter(enrollment=enrollment).count() == 1


def test_a_recheck_cannot_be_dated_before_the_previous_visit(api_as, caseworker, dibao):
    enrollment = enrollment_of_two()
    client = api_as(caseworker)
    recheck(client, enrollment, ["0", "0"], visited_on="2024-09-10")

    response = recheck(client, enrollment, ["0", "0"], visited_on="2024-09-09")

    assert response.status_code == 400 and response.json()["rule"] == "date_before_previous_step"
    assert Recheck.objects.count() == 1


def test_a_recheck_needs_its_report_and_a_writer_in_the_jurisdiction(api_as, caseworker, make_user, dibao):
    enrollment = enrollment_of_two()
    other_town = make_user(Role.CASEWORKER, "370114002")
    viewer = make_user(Role.VIEWER, "370114")

    no_report = recheck(api_as(caseworker), enrollment, ["0", "0"], report=" ")
    outside = recheck(api_as(other_town), enrollment, ["0", "0"])
    reader = recheck(api_as(viewer), enrollment, ["0", "0"])

    assert no_report.status_code == 400 and "report" in no_report.json()
    assert outside.status_code == 404
    assert reader.status_code == 403
    assert not Recheck.objects.exists()


def test_rechecks_are_listed_newest_first(api_as, caseworker, dibao):
    enrollment = enrollment_of_two()
    client = api_as(caseworker)
    recheck(client, enrollment, ["0", "0"], visited_on="2024-03-01")
    recheck(client, enrollment, ["100.00", "0"], visited_on="2024-09-18")

    rows = client.get(f"/api/v1/assistance/enrollments/{enrollment.pk}/rechecks/").json()

    assert [(r["visited_on"], r["amount_after"]) for r in rows] == [
        ("2024-09-18", "1920.00"),
        ("2024-03-01", "2020.00"),
    ]


def test_the_enrollment_page_records_a_recheck_with_each_members_income(client, caseworker, dibao):
    enrollment = enrollment_of_two()
    people = list(enrollment.household.members.order_by("id").values_list("person_id", flat=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(caseworker)
    url = f"/assistance/enrollments/{enrollment.pk}/"

    page = client.get(url)
    response = client.post(
        f"{url}recheck/",
        {
            "recheck-visited_on": "2024-09-18",
            "recheck-report": "复核入户，收入有变化",
            f"recheck-income_{people[0]}": "300.00",
            f"recheck-income_{people[1]}": "100.00",
        },
    )

    assert "recheck" in [row["transition"].action for row in page.context["action_forms"]]
    assert response.status_code == 302
    assert Enrollment.objects.get(pk=enrollment.pk).monthly_amount == Decimal("1620.00")
    html = client.get(url).content.decode()
    assert (
        "2025-09-18" in html and "复核入户，收入有变化" in html and "(1010.00 − 200.00) × 2 = 1620.00" in html
    )


def test_the_enrollment_page_shows_a_future_visit_beside_its_date(client, caseworker, dibao):
    enrollment = enrollment_of_two()
    people = list(enrollment.household.members.order_by("id").values_list("person_id", flat=True))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(caseworker)

    response = client.post(
        f"/assistance/enrollments/{enrollment.pk}/recheck/",
        {
            "recheck-visited_on": "2024-09-21",
            "recheck-report": "复核",
            f"recheck-income_{people[0]}": "0",
            f"recheck-income_{people[1]}": "0",
        },
    )

    assert response.status_code == 200
    assert (
        '<p class="field-error" id="id_recheck-visited_on_error" role="alert">This date cannot be in the future.</p>'
        in response.content.decode()
    )
    assert not Recheck.objects.exists()
    assert Standard.objects.count() == 1
