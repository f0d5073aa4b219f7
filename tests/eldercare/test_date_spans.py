"""Dates from a careless keyboard (year 1, year 9999): each recorded day lies in the records' span, a month
reported on is not before the facility opened, and a rectification deadline is at most a year off. Both sides
of every boundary; a refusal is a 400 naming the field and its rule, and stores nothing."""

from __future__ import annotations

import datetime

import pytest

from eldercare.models import (
    CaregiverAward,
    CaregiverTraining,
    EscrowStatement,
    Facility,
    FacilityKind,
    HomeCareProject,
    Inspection,
    MealReport,
)
from eldercare.services import a_year_after
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/eldercare/"


def refused(response, field: str, rule: str) -> bool:
    return response.status_code == 400 and field in response.json() and response.json()["rule"] == rule


def test_a_facility_opened_from_1900_on(api_as, officer, divisions):
    client = api_as(officer)
    body = {"name": "老院", "kind": "nursing_home", "division": "370114001", "ownership": "public"}
    assert refused(
        client.post(f"{API}facilities/", {**body, "opened_on": "1899-12-31"}), "opened_on", "too_early"
    )
    assert not Facility.objects.exists()
    created = client.post(f"{API}facilities/", {**body, "opened_on": "1900-01-01"}, format="json")
    assert created.status_code == 201, created.content
    patched = client.patch(
        f"{API}facilities/{created.json()['id']}/", {"opened_on": "0001-01-01"}, format="json"
    )
    assert refused(patched, "opened_on", "too_early")
    assert Facility.objects.get().opened_on == datetime.date(1900, 1, 1)


def test_a_statement_from_2000_01_and_the_opening_month_on(api_as, officer, make_facility):
    client = api_as(officer)
    figures = {"residents": 10, "monthly_fee": "1000.00", "prepaid_fees_held": "0", "deposits_held": "0"}
    undated = make_facility()
    early = client.post(f"{API}escrow-statements/", {**figures, "facility": undated.pk, "month": "1999-12"})
    assert refused(early, "month", "too_early")
    ok = client.post(f"{API}escrow-statements/", {**figures, "facility": undated.pk, "month": "2000-01"})
    assert ok.status_code == 201, ok.content
    opened = make_facility(opened_on=datetime.date(2024, 3, 15))
    before = client.post(f"{API}escrow-statements/", {**figures, "facility": opened.pk, "month": "2024-02"})
    assert refused(before, "month", "before_opening")
    assert not EscrowStatement.objects.filter(facility=opened).exists()
    same = client.post(f"{API}escrow-statements/", {**figures, "facility": opened.pk, "month": "2024-03"})
    assert same.status_code == 201, same.content


def test_a_meal_report_not_before_the_site_opened(api_as, officer, make_facility):
    site = make_facility(
        kind=FacilityKind.MEAL_SITE, has_escrow_account=False, opened_on=datetime.date(2023, 7, 1)
    )
    client = api_as(officer)
    body = {"facility": site.pk, "meals_served": 10, "subsidised_meals": 5}
    assert refused(
        client.post(f"{API}meal-reports/", {**body, "month": "2023-06"}), "month", "before_opening"
    )
    assert not MealReport.objects.exists()
    assert client.post(f"{API}meal-reports/", {**body, "month": "2023-07"}).status_code == 201


def test_an_inspection_from_2000_on(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    body = {"facility": facility.pk, "inspector": "王检查", "hazards": []}
    early = client.post(f"{API}inspections/", {**body, "date": "1999-12-31"}, format="json")
    assert refused(early, "date", "too_early")
    assert not Inspection.objects.exists()
    assert client.post(f"{API}inspections/", {**body, "date": "2000-01-01"}, format="json").status_code == 201


@pytest.mark.parametrize(
    ("date", "last_deadline"),
    [
        (datetime.date(2024, 5, 10), datetime.date(2025, 5, 10)),
        (datetime.date(2024, 2, 29), datetime.date(2025, 2, 28)),  # no 29 February in 2025
    ],
)
def test_a_rectification_deadline_at_most_a_year_after_the_inspection(
    api_as, officer, make_facility, date, last_deadline
):
    assert a_year_after(date) == last_deadline
    facility = make_facility()
    client = api_as(officer)

    def inspect(deadline: datetime.date):
        hazard = {"description": "消防通道堵塞", "severity": "major", "deadline": deadline.isoformat()}
        body = {"facility": facility.pk, "date": date.isoformat(), "inspector": "王检查", "hazards": [hazard]}
        return client.post(f"{API}inspections/", body, format="json")

    too_far = inspect(last_deadline + datetime.timedelta(days=1))
    assert refused(too_far, "hazards.0.deadline", "deadline_too_far")
    assert refused(inspect(datetime.date(9999, 12, 31)), "hazards.0.deadline", "deadline_too_far")
    assert not Inspection.objects.exists()
    recorded = inspect(last_deadline)
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["hazards"][0]["deadline"] == last_deadline.isoformat()


def test_a_completion_date_from_2000_on(api_as, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    client = api_as(officer)
    body = {"person": person.pk, "kind": "renovation", "status": "completed"}
    early = client.post(f"{API}home-care/", {**body, "completed_on": "1999-12-31"}, format="json")
    assert refused(early, "completed_on", "too_early")
    assert not HomeCareProject.objects.exists()
    assert (
        client.post(f"{API}home-care/", {**body, "completed_on": "2000-01-01"}, format="json").status_code
        == 201
    )


def test_an_enrolment_is_not_dated_before_2000(api_as, officer, make_facility):
    person = PersonFactory(birth_date=datetime.date(1930, 1, 1))
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    body = {"person": person.pk, "facility": site.pk}
    early = api_as(officer).post(
        f"{API}meal-enrolments/", {**body, "enrolled_on": "1999-12-31"}, format="json"
    )
    assert refused(early, "enrolled_on", "too_early")
    in_span = api_as(officer).post(
        f"{API}meal-enrolments/", {**body, "enrolled_on": "2000-01-01"}, format="json"
    )
    assert (
        in_span.json().get("rule") != "too_early"
    )  # refused for other reasons (no certificate), not the date


def test_trainings_and_awards_from_2000_on(api_as, officer, divisions):
    caregiver = PersonFactory(birth_date=datetime.date(1980, 1, 1))
    client = api_as(officer)
    training = {"person": caregiver.pk, "course": "养老护理员初级培训", "hours": "40.0"}
    assert refused(client.post(f"{API}trainings/", {**training, "date": "1999-12-31"}), "date", "too_early")
    assert client.post(f"{API}trainings/", {**training, "date": "2000-01-01"}).status_code == 201
    award = {"person": caregiver.pk, "title": "市级优秀护理员", "level": "municipal"}
    assert refused(
        client.post(f"{API}awards/", {**award, "awarded_on": "0001-01-01"}), "awarded_on", "too_early"
    )
    assert client.post(f"{API}awards/", {**award, "awarded_on": "2000-01-01"}).status_code == 201
    assert CaregiverTraining.objects.count() == 1 and CaregiverAward.objects.count() == 1
