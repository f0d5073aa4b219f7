"""Inspections and hazards, home care, meal reports, facilities' input rules, the death event (SPEC §5)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from civil_affairs import deaths
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from eldercare.models import (
    Facility,
    FacilityKind,
    Hazard,
    HomeCareProject,
    HomeCareStatus,
    Inspection,
    MealReport,
)
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def inspection_body(facility_id: int, date: datetime.date, deadline: datetime.date) -> dict[str, object]:
    return {
        "facility": facility_id,
        "date": date.isoformat(),
        "inspector": "王检查",
        "hazards": [
            {"description": "消防通道堵塞", "severity": "critical", "deadline": deadline.isoformat()},
            {
                "description": "灭火器过期",
                "severity": "minor",
                "deadline": (deadline + datetime.timedelta(days=5)).isoformat(),
            },
        ],
    }


def test_inspection_with_deadline_on_the_inspection_day_is_recorded_with_its_hazards(
    api_as, officer, make_facility
):
    facility = make_facility()
    day = TODAY() - datetime.timedelta(days=3)
    response = api_as(officer).post(
        "/api/v1/eldercare/inspections/", inspection_body(facility.pk, day, day), format="json"
    )
    assert response.status_code == 201, response.content
    hazards = response.json()["hazards"]
    assert [h["severity"] for h in hazards] == ["critical", "minor"]
    assert all(h["id"] for h in hazards)
    assert Hazard.objects.filter(inspection_id=response.json()["id"], facility=facility).count() == 2


def test_the_same_inspection_sent_twice_is_a_409_another_inspector_that_day_is_recorded(
    api_as, officer, make_facility
):
    facility = make_facility()
    day = TODAY() - datetime.timedelta(days=3)
    client = api_as(officer)
    body = inspection_body(facility.pk, day, day)
    assert client.post("/api/v1/eldercare/inspections/", body, format="json").status_code == 201
    again = client.post("/api/v1/eldercare/inspections/", body, format="json")
    assert again.status_code == 409
    assert (Inspection.objects.count(), Hazard.objects.count()) == (1, 2)
    other = client.post("/api/v1/eldercare/inspections/", {**body, "inspector": "李检查"}, format="json")
    assert other.status_code == 201
    assert Inspection.objects.count() == 2


def test_deadline_before_the_inspection_date_is_refused(api_as, officer, make_facility):
    facility = make_facility()
    day = TODAY() - datetime.timedelta(days=3)
    response = api_as(officer).post(
        "/api/v1/eldercare/inspections/",
        inspection_body(facility.pk, day, day - datetime.timedelta(days=1)),
        format="json",
    )
    assert response.status_code == 400
    assert "hazards.0.deadline" in response.json()
    assert not Inspection.objects.exists() and not Hazard.objects.exists()


def test_overdue_lists_yesterdays_deadline_not_todays(api_as, officer, make_facility):
    facility = make_facility()
    day = TODAY() - datetime.timedelta(days=10)
    inspection = Inspection.objects.create(facility=facility, date=day, inspector="x")
    yesterday = Hazard.objects.create(
        inspection=inspection,
        facility=facility,
        description="a",
        severity="major",
        deadline=TODAY() - datetime.timedelta(days=1),
    )
    Hazard.objects.create(
        inspection=inspection, facility=facility, description="b", severity="major", deadline=TODAY()
    )
    Hazard.objects.create(
        inspection=inspection,
        facility=facility,
        description="c",
        severity="major",
        deadline=day,
        rectified_on=day,
    )
    rows = api_as(officer).get("/api/v1/eldercare/hazards/", {"overdue": "true"}).json()["results"]
    assert [r["id"] for r in rows] == [yesterday.pk]
    assert rows[0]["overdue"] is True


def test_rectifying_twice_is_a_conflict(api_as, officer, make_facility):
    facility = make_facility()
    day = TODAY() - datetime.timedelta(days=3)
    created = (
        api_as(officer)
        .post("/api/v1/eldercare/inspections/", inspection_body(facility.pk, day, day), format="json")
        .json()
    )
    hazard_id = created["hazards"][0]["id"]
    client = api_as(officer)
    url = f"/api/v1/eldercare/hazards/{hazard_id}/rectify/"
    first = client.post(url, {"rectified_on": TODAY().isoformat(), "note": "已清理"}, format="json")
    assert first.status_code == 200
    assert first.json()["rectified_on"] == TODAY().isoformat()
    second = client.post(url, {"rectified_on": TODAY().isoformat(), "note": "again"}, format="json")
    assert second.status_code == 409
    assert Hazard.objects.get(pk=hazard_id).rectification_note == "已清理"


def test_facility_input_rules(api_as, officer, divisions):
    client = api_as(officer)
    base = {
        "name": "明水敬老院",
        "kind": "nursing_home",
        "division": "370114001001",
        "ownership": "public",
        "beds": 0,
        "star_rating": 5,
    }
    assert client.post("/api/v1/eldercare/facilities/", base, format="json").status_code == 201
    for name, value in (("beds", -1), ("star_rating", 0), ("star_rating", 6)):
        response = client.post(
            "/api/v1/eldercare/facilities/", {**base, "name": f"院{name}{value}", name: value}, format="json"
        )
        assert response.status_code == 400 and name in response.json(), (name, value)
    star_one = client.post(
        "/api/v1/eldercare/facilities/", {**base, "name": "一星院", "star_rating": 1}, format="json"
    )
    assert star_one.status_code == 201 and star_one.json()["star_rating"] == 1
    assert Facility.objects.count() == 2


def test_home_care_for_someone_turning_60_today_but_not_tomorrow(api_as, officer, divisions):
    today = TODAY()
    sixty_today = PersonFactory(
        birth_date=today.replace(year=today.year - 60)
        if not (today.month == 2 and today.day == 29)
        else datetime.date(today.year - 60, 2, 28)
    )
    tomorrow = today + datetime.timedelta(days=1)
    sixty_tomorrow = PersonFactory(birth_date=tomorrow.replace(year=tomorrow.year - 60))
    client = api_as(officer)
    ok = client.post(
        "/api/v1/eldercare/home-care/",
        {"person": sixty_today.pk, "kind": "family_bed", "subsidy": "3000.00"},
        format="json",
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["status"] == "planned"
    refused = client.post(
        "/api/v1/eldercare/home-care/", {"person": sixty_tomorrow.pk, "kind": "family_bed"}, format="json"
    )
    assert refused.status_code == 400 and "person" in refused.json()
    assert HomeCareProject.objects.count() == 1


def test_home_care_refused_for_the_deceased_and_negative_subsidy(api_as, officer, divisions):
    dead = PersonFactory(
        birth_date=datetime.date(1940, 1, 1), is_deceased=True, date_of_death=datetime.date(2024, 1, 1)
    )
    alive = PersonFactory(birth_date=datetime.date(1940, 1, 2))
    client = api_as(officer)
    response = client.post(
        "/api/v1/eldercare/home-care/", {"person": dead.pk, "kind": "renovation"}, format="json"
    )
    assert response.status_code == 400 and "person" in response.json()
    response = client.post(
        "/api/v1/eldercare/home-care/",
        {"person": alive.pk, "kind": "renovation", "subsidy": "-0.01"},
        format="json",
    )
    assert response.status_code == 400 and "subsidy" in response.json()
    assert not HomeCareProject.objects.exists()


def test_death_event_ends_the_persons_home_care(api_as, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1940, 3, 3))
    other = PersonFactory(birth_date=datetime.date(1941, 3, 3))
    client = api_as(officer)
    for kind in ("family_bed", "home_service"):
        client.post("/api/v1/eldercare/home-care/", {"person": person.pk, "kind": kind}, format="json")
    client.post("/api/v1/eldercare/home-care/", {"person": other.pk, "kind": "family_bed"}, format="json")
    died = TODAY() - datetime.timedelta(days=2)
    deaths.announce(person=person, date_of_death=died, actor=officer)
    ended = HomeCareProject.objects.filter(person=person)
    assert {(p.status, p.ended_on) for p in ended} == {(HomeCareStatus.ENDED, died)}
    assert HomeCareProject.objects.get(person=other).status == HomeCareStatus.PLANNED
    assert AuditEvent.objects.filter(object_type="eldercare.homecareproject", action="end").count() == 2


def test_meal_report_subsidised_equal_to_served_is_accepted_one_more_refused(api_as, officer, make_facility):
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    client = api_as(officer)
    month = f"{TODAY():%Y-%m}"
    over = client.post(
        "/api/v1/eldercare/meal-reports/",
        {"facility": site.pk, "month": month, "meals_served": 100, "subsidised_meals": 101},
        format="json",
    )
    assert over.status_code == 400 and "subsidised_meals" in over.json()
    negative = client.post(
        "/api/v1/eldercare/meal-reports/",
        {"facility": site.pk, "month": month, "meals_served": -1, "subsidised_meals": 0},
        format="json",
    )
    assert negative.status_code == 400 and "meals_served" in negative.json()
    ok = client.post(
        "/api/v1/eldercare/meal-reports/",
        {"facility": site.pk, "month": month, "meals_served": 100, "subsidised_meals": 100},
        format="json",
    )
    assert ok.status_code == 201
    assert MealReport.objects.get().subsidised_meals == 100


def test_a_second_project_of_a_kind_under_way_is_a_conflict_another_kind_is_not(api_as, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    client = api_as(officer)
    url = "/api/v1/eldercare/home-care/"
    assert client.post(url, {"person": person.pk, "kind": "renovation"}, format="json").status_code == 201
    again = client.post(url, {"person": person.pk, "kind": "renovation"}, format="json")
    assert again.status_code == 409
    assert client.post(url, {"person": person.pk, "kind": "family_bed"}, format="json").status_code == 201
    HomeCareProject.objects.filter(kind="renovation").update(
        status=HomeCareStatus.COMPLETED, completed_on=datetime.date(2024, 5, 1)
    )
    later = client.post(url, {"person": person.pk, "kind": "renovation"}, format="json")
    assert later.status_code == 201, later.content  # the first one is done: a new renovation may follow
    assert HomeCareProject.objects.filter(person=person).count() == 3


def test_a_project_moves_along_to_completed_with_its_date_audited(api_as, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    client = api_as(officer)
    project = client.post(
        "/api/v1/eldercare/home-care/", {"person": person.pk, "kind": "renovation"}, format="json"
    ).json()
    url = f"/api/v1/eldercare/home-care/{project['id']}/"
    started = client.patch(url, {"status": "in_progress", "contractor": " 明水适老化工程队 "}, format="json")
    assert started.status_code == 200, started.content
    assert (started.json()["status"], started.json()["contractor"]) == ("in_progress", "明水适老化工程队")
    no_date = client.patch(url, {"status": "completed"}, format="json")
    assert no_date.status_code == 400 and no_date.json()["rule"] == "required"
    tomorrow = TODAY() + datetime.timedelta(days=1)
    future = client.patch(url, {"status": "completed", "completed_on": tomorrow.isoformat()}, format="json")
    assert future.status_code == 400 and future.json()["rule"] == "future"
    assert HomeCareProject.objects.get().status == HomeCareStatus.IN_PROGRESS
    done = client.patch(url, {"status": "completed", "completed_on": TODAY().isoformat()}, format="json")
    assert done.status_code == 200 and done.json()["completed_on"] == TODAY().isoformat()
    events = AuditEvent.objects.filter(object_type="eldercare.homecareproject", action="update")
    assert [e.changes["status"] for e in events.order_by("id")] == [
        ["planned", "in_progress"],
        ["in_progress", "completed"],
    ]
    for refused in ({"person": person.pk}, {"kind": "family_bed"}, {"status": "ended"}):
        assert client.patch(url, refused, format="json").status_code == 400, refused


def test_a_completed_project_goes_back_under_way_only_if_no_other_of_its_kind_is(api_as, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    client = api_as(officer)

    def create(**extra: object) -> dict:
        body = {"person": person.pk, "kind": "renovation", **extra}
        return client.post("/api/v1/eldercare/home-care/", body, format="json").json()

    done = create(status="completed", completed_on=TODAY().isoformat())
    url = f"/api/v1/eldercare/home-care/{done['id']}/"
    reopened = client.patch(url, {"status": "in_progress", "completed_on": None}, format="json")
    assert reopened.status_code == 200, reopened.content  # alone of its kind: a completion undone
    client.patch(url, {"status": "completed", "completed_on": TODAY().isoformat()}, format="json")
    create()  # a new renovation, planned
    again = client.patch(url, {"status": "in_progress", "completed_on": None}, format="json")
    assert again.status_code == 409
    assert HomeCareProject.objects.filter(person=person, status__in=["planned", "in_progress"]).count() == 1


def test_an_ended_project_no_longer_changes_and_other_towns_do_not_see_it(
    api_as, make_user, officer, divisions
):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    client = api_as(officer)
    project = client.post(
        "/api/v1/eldercare/home-care/", {"person": person.pk, "kind": "family_bed"}, format="json"
    ).json()
    url = f"/api/v1/eldercare/home-care/{project['id']}/"
    town = make_user(Role.CASEWORKER, "370114002", "shuangshan", lines=[Line.ELDERCARE])
    assert api_as(town).patch(url, {"status": "in_progress"}, format="json").status_code == 404
    deaths.announce(person=person, date_of_death=TODAY(), actor=officer)
    assert client.patch(url, {"status": "in_progress"}, format="json").status_code == 409
    assert HomeCareProject.objects.get().status == HomeCareStatus.ENDED


def test_the_caseworker_completes_a_project_on_its_page(client, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1), name="李桂兰")
    project = HomeCareProject.objects.create(
        person=person, division_id=person.division_id, kind="renovation", status=HomeCareStatus.IN_PROGRESS
    )
    client.force_login(officer)
    listed = client.get("/eldercare/home-care/").content.decode()
    assert f"/eldercare/home-care/{project.pk}/edit/" in listed
    url = f"/eldercare/home-care/{project.pk}/edit/"
    form = {"contractor": "明水适老化工程队", "subsidy": "3500.00", "status": "completed", "completed_on": ""}
    refused = client.post(url, form)
    assert refused.status_code == 200 and "completed_on" in refused.context["form"].errors
    done = client.post(url, {**form, "completed_on": TODAY().isoformat()})
    assert done.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.completed_on, str(project.subsidy)) == ("completed", TODAY(), "3500.00")
