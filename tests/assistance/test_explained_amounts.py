"""Explainable amounts (SPEC §3.1, §4.2, issue 9 #7): the amount an approval would set and how it is computed,
shown to the reviewer before deciding; every enrollment's amount explained, and one paid below its category's
current standard flagged. Rejection needs no public notice (issue 9 #8)."""

import datetime
from decimal import Decimal

import pytest

from assistance import services
from assistance.models import Application, Enrollment
from assistance.rules import Category
from assistance.workflow import State
from tests.assistance.factories import EnrollmentFactory, StandardFactory, household_with

pytestmark = pytest.mark.django_db

D = datetime.date
CONFIRMED = {"confirmed": "1"}


@pytest.fixture(autouse=True)
def today(freeze):
    return freeze(D(2024, 9, 20))


@pytest.fixture
def dibao(db):
    """低保 (urban): 962.00 in 2023, 1010.00 from 2024."""
    StandardFactory(
        category=Category.DIBAO_URBAN, monthly_amount=Decimal("962.00"), effective_from=D(2023, 1, 1)
    )
    StandardFactory(
        category=Category.DIBAO_URBAN, monthly_amount=Decimal("1010.00"), effective_from=D(2024, 1, 1)
    )


def case(caseworker, incomes, *, until):
    """A 低保 case of a household earning ``incomes``, taken up to ``until`` (investigated or publicised)."""
    application = services.application_submit(
        actor=caseworker,
        household=household_with(incomes),
        category=Category.DIBAO_URBAN,
        received_on=D(2024, 9, 2),
    )
    application = services.application_accept(actor=caseworker, application=application, date=D(2024, 9, 3))
    application = services.application_investigate(
        actor=caseworker, application=application, report="入户核实", date=D(2024, 9, 4)
    )
    if until == State.PUBLICISED:
        application = services.application_publicise(
            actor=caseworker, application=application, notice_from=D(2024, 9, 5)
        )
    return application


def test_an_application_about_to_be_decided_shows_its_proposed_amount_and_explanation(
    api_as, caseworker, dibao
):
    investigated = case(caseworker, ["700.00", "0"], until=State.INVESTIGATED)
    publicised = case(caseworker, ["100.00", "0", "0"], until=State.PUBLICISED)
    submitted = services.application_submit(
        actor=caseworker, household=household_with(["0"]), category=Category.DIBAO_URBAN
    )
    client = api_as(caseworker)

    rows = {row["id"]: row for row in client.get("/api/v1/assistance/applications/").json()["results"]}

    assert (rows[investigated.pk]["proposed_amount"], rows[investigated.pk]["amount_explanation"]) == (
        "1320.00",
        "(1010.00 − 350.00) × 2 = 1320.00",
    )
    assert (rows[publicised.pk]["proposed_amount"], rows[publicised.pk]["amount_explanation"]) == (
        "2930.00",
        "(1010.00 − 100.00 ÷ 3) × 3 = 2930.00",
    )
    assert (rows[submitted.pk]["proposed_amount"], rows[submitted.pk]["amount_explanation"]) == (None, None)


def test_the_application_list_computes_amounts_in_a_fixed_number_of_queries(
    api_as, caseworker, dibao, queries_stay_fixed
):
    client = api_as(caseworker)
    case(caseworker, ["0"], until=State.PUBLICISED)

    queries_stay_fixed(
        14,
        lambda: client.get("/api/v1/assistance/applications/"),
        lambda: [case(caseworker, ["100", "0"], until=State.PUBLICISED) for _ in range(5)],
    )


def test_the_reviewer_sees_the_amount_and_its_explanation_before_confirming(
    client, caseworker, reviewer, dibao
):
    application = case(caseworker, ["700.00", "0"], until=State.PUBLICISED)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(reviewer)
    path = f"/assistance/applications/{application.pk}/approve/"

    detail = client.get(f"/assistance/applications/{application.pk}/").content.decode()
    asked = client.post(path)
    confirmed = client.post(path, CONFIRMED)

    assert "(1010.00 − 350.00) × 2 = 1320.00" in detail
    html = asked.content.decode()
    assert asked.status_code == 200 and "Confirm: Approve" in html
    assert "¥1,320.00 from 2024-10-01" in html and "(1010.00 − 350.00) × 2 = 1320.00" in html
    assert confirmed.status_code == 302
    assert Enrollment.objects.get().monthly_amount == Decimal("1320.00")


def test_the_review_queue_shows_each_proposed_amount(client, caseworker, reviewer, dibao):
    case(caseworker, ["700.00", "0"], until=State.PUBLICISED)
    client.force_login(reviewer)

    html = client.get("/assistance/review/").content.decode()

    assert "1320.00" in html and "(1010.00 − 350.00) × 2 = 1320.00" in html


def test_an_enrollment_explains_its_amount(api_as, caseworker, dibao):
    enrollment = EnrollmentFactory(
        household=household_with(["700.00", "0"]),
        total_income=Decimal("700.00"),
        member_count=2,
        covered_count=2,
        standard=Decimal("1010.00"),
        start=D(2024, 2, 1),
    )

    body = api_as(caseworker).get(f"/api/v1/assistance/enrollments/{enrollment.pk}/").json()

    assert body["monthly_amount"] == "1320.00"
    assert body["amount_explanation"] == "(1010.00 − 350.00) × 2 = 1320.00"
    assert body["below_current_standard"] is False


def test_an_enrollment_still_paid_at_last_years_standard_is_flagged(api_as, client, caseworker, dibao):
    """Issue 9 #3/#7: one the uplift missed keeps 962.00 although 1010.00 is in force."""
    missed = EnrollmentFactory(standard=Decimal("962.00"), start=D(2023, 6, 1))
    current = EnrollmentFactory(standard=Decimal("1010.00"), start=D(2024, 2, 1))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(caseworker)

    rows = {r["id"]: r for r in api_as(caseworker).get("/api/v1/assistance/enrollments/").json()["results"]}
    listed = client.get("/assistance/enrollments/").content.decode()
    detail = client.get(f"/assistance/enrollments/{missed.pk}/").content.decode()

    assert rows[missed.pk]["below_current_standard"] is True
    assert rows[missed.pk]["amount_explanation"] == "(962.00 − 0.00) × 1 = 962.00"
    assert rows[current.pk]["below_current_standard"] is False
    assert listed.count("Below the current standard") == 1
    assert "Below the current standard" in detail and "¥1,010.00" in detail


def test_a_recheck_brings_a_flagged_enrollment_to_the_current_standard(api_as, caseworker, dibao):
    missed = EnrollmentFactory(standard=Decimal("962.00"), start=D(2023, 6, 1))
    person = missed.household.members.get().person_id
    client = api_as(caseworker)

    client.post(
        f"/api/v1/assistance/enrollments/{missed.pk}/recheck/",
        {
            "visited_on": "2024-09-19",
            "members": [{"person": person, "monthly_income": "0"}],
            "report": "复核",
        },
        format="json",
    )
    body = client.get(f"/api/v1/assistance/enrollments/{missed.pk}/").json()

    # Recomputed at the standard in force from 1 October (the newest row of its history, which it shows).
    assert body["monthly_amount"] == "1010.00" and body["below_current_standard"] is False


# --- Rejection without notice (issue 9 #8) -------------------------------------------------------------------


def test_the_reviewer_rejects_after_the_home_visit_without_a_notice(api_as, caseworker, reviewer, dibao):
    application = case(caseworker, ["2000.00"], until=State.INVESTIGATED)

    missing = api_as(reviewer).post(
        f"/api/v1/assistance/applications/{application.pk}/reject/", {}, format="json"
    )
    response = api_as(reviewer).post(
        f"/api/v1/assistance/applications/{application.pk}/reject/",
        {"reason": "家庭人均收入高于当地低保标准"},
        format="json",
    )

    assert missing.status_code == 400 and "reason" in missing.json()
    assert response.status_code == 200
    stored = Application.objects.get(pk=application.pk)
    assert stored.state == State.REJECTED and stored.notice_from is None
    assert stored.decision_reason == "家庭人均收入高于当地低保标准"


def test_approval_still_needs_the_notice(api_as, caseworker, reviewer, dibao):
    application = case(caseworker, ["0"], until=State.INVESTIGATED)

    response = api_as(reviewer).post(f"/api/v1/assistance/applications/{application.pk}/approve/")

    assert response.status_code == 409
    assert Application.objects.get(pk=application.pk).state == State.INVESTIGATED


def test_the_application_page_offers_the_reviewer_a_rejection_after_the_visit(
    client, caseworker, reviewer, dibao
):
    application = case(caseworker, ["0"], until=State.INVESTIGATED)
    client.force_login(reviewer)

    response = client.get(f"/assistance/applications/{application.pk}/")

    assert [row["transition"].action for row in response.context["action_forms"]] == ["reject", "withdraw"]
