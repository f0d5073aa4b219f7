"""Marriage and family counselling cases (婚姻家庭辅导): parties, sessions with notes, outcome."""

import pytest
from django.utils import timezone

from civil_affairs.audit.models import AuditEvent
from marriage import selectors
from marriage.models import CounsellingCase
from tests.marriage.conftest import days_ago
from tests.marriage.factories import CounsellingCaseFactory, DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db


def test_a_case_during_a_divorce_records_sessions_and_closes_reconciled(registrar_api, divisions):
    divorce = DivorceFactory(application_date=days_ago(5))
    marriage = divorce.registration

    opened = registrar_api.post(
        "/api/v1/marriage/counselling-cases/",
        {
            "party_a": marriage.party_a_id,
            "party_b": marriage.party_b_id,
            "divorce": divorce.pk,
            "opened_on": str(days_ago(4)),
            "concern": "因家务分工争吵",
        },
        format="json",
    )
    case_id = opened.json()["id"]
    session = registrar_api.post(
        f"/api/v1/marriage/counselling-cases/{case_id}/sessions/",
        {"held_on": str(days_ago(2)), "counsellor": "刘老师", "notes": "双方表达了各自诉求。"},
        format="json",
    )
    closed = registrar_api.post(
        f"/api/v1/marriage/counselling-cases/{case_id}/close/", {"outcome": "reconciled"}, format="json"
    )

    assert opened.status_code == 201, opened.json()
    assert opened.json()["registration"] == marriage.pk  # taken from the divorce application
    assert opened.json()["outcome"] == "ongoing"
    assert session.status_code == 200, session.json()
    assert session.json()["sessions"] == [
        {
            "id": session.json()["sessions"][0]["id"],
            "held_on": str(days_ago(2)),
            "counsellor": "刘老师",
            "notes": "双方表达了各自诉求。",
        }
    ]
    assert closed.status_code == 200
    assert (closed.json()["outcome"], closed.json()["closed_on"]) == ("reconciled", str(timezone.localdate()))
    actions = set(
        AuditEvent.objects.filter(object_type="marriage.counsellingcase").values_list("action", flat=True)
    )
    assert actions == {"create", "record_session", "transition:close"}


def test_a_closed_case_takes_no_more_sessions_and_cannot_close_again(registrar_api, divisions):
    case = CounsellingCaseFactory(outcome="divorced", closed_on=days_ago(0), opened_on=days_ago(3))

    session = registrar_api.post(
        f"/api/v1/marriage/counselling-cases/{case.pk}/sessions/",
        {"counsellor": "刘", "notes": "x"},
        format="json",
    )
    again = registrar_api.post(
        f"/api/v1/marriage/counselling-cases/{case.pk}/close/", {"outcome": "reconciled"}, format="json"
    )

    assert session.status_code == again.status_code == 409
    assert "closed on" in session.json()["detail"]
    assert case.sessions.count() == 0


def test_a_session_needs_notes_and_a_counsellor(registrar_api, divisions):
    case = CounsellingCaseFactory()

    response = registrar_api.post(
        f"/api/v1/marriage/counselling-cases/{case.pk}/sessions/",
        {"counsellor": " ", "notes": " "},
        format="json",
    )

    assert response.status_code == 400
    assert {"counsellor", "notes"} <= set(response.json())


def test_ongoing_is_not_a_closing_outcome(registrar_api, divisions):
    case = CounsellingCaseFactory()

    response = registrar_api.post(
        f"/api/v1/marriage/counselling-cases/{case.pk}/close/", {"outcome": "ongoing"}, format="json"
    )

    assert response.status_code == 400
    assert "outcome" in response.json()


def test_the_parties_must_be_those_of_the_marriage_named(registrar_api, divisions):
    marriage = RegistrationFactory()

    response = registrar_api.post(
        "/api/v1/marriage/counselling-cases/",
        {"party_a": marriage.party_a_id, "party_b": woman().pk, "registration": marriage.pk},
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["registration"]
    assert not CounsellingCase.objects.exists()


def test_outcome_counts_feed_the_dashboards(registrar, divisions):
    CounsellingCaseFactory(outcome="reconciled", closed_on=days_ago(0), opened_on=days_ago(9))
    CounsellingCaseFactory(outcome="reconciled", closed_on=days_ago(0), opened_on=days_ago(9))
    CounsellingCaseFactory(outcome="divorced", closed_on=days_ago(0), opened_on=days_ago(9))
    CounsellingCaseFactory(party_a=man(division_id="370114002001"), party_b=woman(division_id="370114002001"))

    assert selectors.counselling_outcome_counts(user=registrar) == {
        "ongoing": 1,
        "reconciled": 2,
        "divorced": 1,
    }


def test_outcome_filter(registrar_api, divisions):
    reconciled = CounsellingCaseFactory(outcome="reconciled", closed_on=days_ago(0), opened_on=days_ago(9))
    CounsellingCaseFactory()

    rows = registrar_api.get("/api/v1/marriage/counselling-cases/", {"outcome": "reconciled"}).json()[
        "results"
    ]

    assert [row["id"] for row in rows] == [reconciled.pk]
