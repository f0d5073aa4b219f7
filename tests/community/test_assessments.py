"""Village-affairs transparency assessments (SPEC §8): a score 0–100, one per village per quarter."""

from __future__ import annotations

import pytest

from civil_affairs.accounts.models import Role
from community.models import VillageAssessment
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
