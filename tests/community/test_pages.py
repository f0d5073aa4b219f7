"""Community pages: the same selectors, services and jurisdiction as the API; refusals beside their field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from civil_affairs.accounts.models import Role
from community.models import CommunityWorker, FundMovement, VillageAssessment
from tests.community.factories import AssessmentFactory, FundFactory, WorkerFactory, days_from_today
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_every_page_opens_for_the_officer(english, officer, divisions):
    english.force_login(officer)
    fund = FundFactory()
    WorkerFactory()
    AssessmentFactory()
    for url in [
        "/community/",
        "/community/workers/",
        "/community/workers/new/",
        "/community/workers/steps-due/",
        "/community/staffing/",
        "/community/funds/",
        f"/community/funds/{fund.pk}/",
        "/community/assessments/",
    ]:
        assert english.get(url).status_code == 200, url


def test_the_officer_records_a_worker_by_id_number(english, officer, divisions):
    english.force_login(officer)
    person = PersonFactory()
    data = {
        "id_number": person.id_number,
        "community": "370114001001",
        "post": "deputy",
        "grade": "4",
        "contract_start": str(days_from_today(0)),
        "contract_end": str(days_from_today(1095)),
        "certificate": "senior",
        "recruitment_batch": "2023",
    }
    response = english.post("/community/workers/new/", data)
    assert response.status_code == 302
    worker = CommunityWorker.objects.get()
    assert (worker.person, worker.post, worker.grade, worker.certificate) == (person, "deputy", 4, "senior")


def test_a_grade_outside_the_range_is_shown_beside_the_grade(english, officer, divisions):
    english.force_login(officer)
    person = PersonFactory()
    data = {
        "id_number": person.id_number,
        "community": "370114001001",
        "post": "head",
        "grade": "6",
        "contract_start": str(days_from_today(0)),
        "contract_end": str(days_from_today(1095)),
        "certificate": "none",
    }
    response = english.post("/community/workers/new/", data)
    assert response.status_code == 200
    assert "grades 7–18" in response.content.decode()
    assert not CommunityWorker.objects.exists()


def test_staffing_page_shows_the_figures_and_exports(english, officer, divisions):
    english.force_login(officer)
    page = english.get("/community/staffing/").content.decode()
    assert "明水街道" in page and "Below target" in page
    export = english.get("/community/staffing/?format=csv")
    assert b"".join(export.streaming_content).decode("utf-8-sig").startswith("Code,Town or street")


def test_a_disbursement_beyond_the_balance_is_refused_on_the_fund_page(english, officer, divisions):
    english.force_login(officer)
    fund = FundFactory(balance=Decimal("10.00"))
    data = {
        "disbursement-amount": "10.01",
        "disbursement-date": str(days_from_today(0)),
        "disbursement-party": "张三",
        "disbursement-purpose": "救助",
    }
    response = english.post(f"/community/funds/{fund.pk}/disbursement/", data)
    assert response.status_code == 400
    assert "exceeds the fund&#x27;s balance" in response.content.decode()
    assert not FundMovement.objects.exists()


def test_another_towns_fund_page_answers_404(client, make_user, divisions):
    fund = FundFactory(village_id="370114002001")
    client.force_login(make_user(Role.CASEWORKER, "370114001", lines=["community"]))
    assert client.get(f"/community/funds/{fund.pk}/").status_code == 404


def test_a_second_score_for_the_quarter_is_shown_and_not_stored(english, officer, divisions):
    english.force_login(officer)
    AssessmentFactory(quarter="2026Q1", score=70)
    response = english.post(
        "/community/assessments/", {"village": "370114001001", "quarter": "2026Q1", "score": "90"}
    )
    assert response.status_code == 200
    assert "already has a score for 2026Q1" in response.content.decode()
    assert VillageAssessment.objects.get().score == 70


def test_an_administrator_edits_a_towns_urban_population(english, make_user, divisions):
    english.force_login(make_user(Role.ADMINISTRATOR, "370114"))
    response = english.post("/community/staffing/370114001/urban-population/", {"urban_population": "61000"})
    assert response.status_code == 302
    divisions["370114001"].refresh_from_db()
    assert divisions["370114001"].urban_population == 61000


def test_a_donation_dated_before_2000_is_refused_beside_its_date_on_the_fund_page(
    english, officer, divisions
):
    english.force_login(officer)
    fund = FundFactory(balance=Decimal("10.00"))
    data = {
        "donation-amount": "5.00",
        "donation-date": "1999-12-31",
        "donation-party": "张三",
        "donation-purpose": "捐赠",
    }
    response = english.post(f"/community/funds/{fund.pk}/donation/", data)
    assert response.status_code == 400
    assert "The date cannot be before 2000-01-01." in response.content.decode()
    assert not FundMovement.objects.exists()


def test_a_score_for_a_future_quarter_is_refused_on_the_page(english, officer, divisions):
    english.force_login(officer)
    today = days_from_today(0)
    next_quarter = (
        f"{today.year + 1}Q1" if today.month >= 10 else f"{today.year}Q{(today.month - 1) // 3 + 2}"
    )
    response = english.post(
        "/community/assessments/", {"village": "370114001001", "quarter": next_quarter, "score": "90"}
    )
    assert response.status_code == 200
    assert "or an earlier one" in response.content.decode()
    assert not VillageAssessment.objects.exists()
