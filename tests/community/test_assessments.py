"""Village-affairs transparency assessments (SPEC §8): a score 0–100, one per village per quarter."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from civil_affairs.accounts.models import Role
from community.models import VillageAssessment
from community.rules import quarter_of
from tests.assistance.clock import freeze_today
from tests.community.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/community/assessments/"


def test_recording_a_score(officer_api, divisions):
    response = officer_api.post(
        URL, {"village": "370114001001", "quarter": "2026Q3", "score": 100}, format="json"
    )
    assert response.status_code == 201, response.content
    assessment = VillageAssessment.objects.get()
    assert (assessment.village_id, assessment.quarter, assessment.score) == ("370114001001", "2026Q3", 100)


@pytest.mark.parametrize("score", [101, -1])
def test_a_score_outside_0_to_100_is_refused(officer_api, divisions, score):
    response = officer_api.post(
        URL, {"village": "370114001001", "quarter": "2026Q3", "score": score}, format="json"
    )
    assert response.status_code == 400
    assert "0 to 100" in response.json()["score"][0]
    assert not VillageAssessment.objects.exists()


def test_a_malformed_quarter_is_refused(officer_api, divisions):
    response = officer_api.post(
        URL, {"village": "370114001001", "quarter": "2026Q5", "score": 80}, format="json"
    )
    assert response.status_code == 400
    assert "quarter" in response.json()


def test_a_second_score_for_the_quarter_answers_409(officer_api, divisions):
    AssessmentFactory(village_id="370114001001", quarter="2026Q3", score=80)
    response = officer_api.post(
        URL, {"village": "370114001001", "quarter": "2026Q3", "score": 90}, format="json"
    )
    assert response.status_code == 409
    assert VillageAssessment.objects.get().score == 80


def test_another_towns_assessment_answers_404(api_as, make_user, divisions):
    assessment = AssessmentFactory(village_id="370114002001")
    caseworker = make_user(Role.CASEWORKER, "370114001", lines=["community"])
    assert api_as(caseworker).get(f"{URL}{assessment.pk}/").status_code == 404


def test_a_user_not_serving_community_work_reads_404_and_may_not_create(api_as, make_user, divisions):
    assessment = AssessmentFactory()
    registrar = make_user(Role.CASEWORKER, "370114", lines=["marriage"])
    api = api_as(registrar)
    assert api.get(f"{URL}{assessment.pk}/").status_code == 404
    response = api.post(URL, {"village": "370114001002", "quarter": "2026Q3", "score": 90}, format="json")
    assert response.status_code == 403
    assert VillageAssessment.objects.count() == 1


# --- Which quarters may be scored: 2000Q1 up to the current quarter -----------------------------------------


def _next_quarter(quarter: str) -> str:
    year, number = int(quarter[:4]), int(quarter[5])
    return f"{year + 1}Q1" if number == 4 else f"{year}Q{number + 1}"


def test_the_current_quarter_is_accepted_and_the_next_refused(officer_api, divisions):
    current = quarter_of(timezone.localdate())
    accepted = officer_api.post(
        URL, {"village": "370114001001", "quarter": current, "score": 90}, format="json"
    )
    refused = officer_api.post(
        URL, {"village": "370114001002", "quarter": _next_quarter(current), "score": 90}, format="json"
    )
    assert accepted.status_code == 201, accepted.content
    assert refused.status_code == 400
    assert refused.json()["rule"] == "quarter_in_future"
    assert current in refused.json()["quarter"][0]
    assert list(VillageAssessment.objects.values_list("village_id", "quarter")) == [("370114001001", current)]


@pytest.mark.parametrize(
    ("today", "quarter", "accepted"),
    [
        (datetime.date(2026, 12, 31), "2027Q1", False),
        (datetime.date(2027, 1, 1), "2027Q1", True),
        (datetime.date(2027, 3, 31), "2027Q2", False),
        (datetime.date(2027, 4, 1), "2027Q2", True),
    ],
)
def test_a_quarter_may_be_scored_from_its_first_day(
    officer_api, divisions, monkeypatch, today, quarter, accepted
):
    freeze_today(monkeypatch, today)
    response = officer_api.post(
        URL, {"village": "370114001001", "quarter": quarter, "score": 90}, format="json"
    )
    assert response.status_code == (201 if accepted else 400), response.content
    assert VillageAssessment.objects.filter(quarter=quarter).exists() is accepted


@pytest.mark.parametrize(("quarter", "accepted"), [("0001Q1", False), ("1999Q4", False), ("2000Q1", True)])
def test_no_quarter_before_2000_is_scored(officer_api, divisions, quarter, accepted):
    response = officer_api.post(
        URL, {"village": "370114001001", "quarter": quarter, "score": 90}, format="json"
    )
    if accepted:
        assert response.status_code == 201, response.content
        assert VillageAssessment.objects.get().quarter == quarter
    else:
        assert response.status_code == 400
        assert response.json()["rule"] == "quarter_too_early"
        assert "2000Q1" in response.json()["quarter"][0]
        assert not VillageAssessment.objects.exists()


def test_the_future_quarter_refusal_is_in_simplified_chinese_by_default(officer_api, divisions):
    current = quarter_of(timezone.localdate())
    response = officer_api.post(
        URL,
        {"village": "370114001001", "quarter": _next_quarter(current), "score": 90},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["quarter"] == [f"考核只能针对本季度（{current}）或以前的季度。"]
