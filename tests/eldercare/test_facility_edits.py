"""Changing a facility (PATCH and the edit page), registering one on the page, and a home-care project's
completion date only when it is completed."""

from __future__ import annotations

import datetime

import pytest

from civil_affairs.audit.models import AuditEvent
from eldercare.models import Facility, FacilityStatus, HomeCareProject
from tests.eldercare.conftest import SHUANGSHAN_COMMUNITY
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_patch_changes_the_particulars_audited_and_refuses_bad_values(api_as, officer, make_facility):
    facility = make_facility(star_rating=3)
    client = api_as(officer)
    url = f"/api/v1/eldercare/facilities/{facility.pk}/"
    changed = client.patch(url, {"status": "suspended", "star_rating": 5, "beds": 120}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["status"], changed.json()["star_rating"], changed.json()["beds"]) == (
        "suspended",
        5,
        120,
    )
    event = AuditEvent.objects.get(object_type="eldercare.facility", action="update")
    assert event.changes["status"] == ["operating", "suspended"]
    for body, field, rule in (
        ({"star_rating": 6}, "star_rating", "star_rating_range"),
        ({"beds": -1}, "beds", "not_negative"),
        ({"opened_on": "2999-01-01"}, "opened_on", "future"),
    ):
        refused = client.patch(url, body, format="json")
        assert refused.status_code == 400 and field in refused.json(), body
        assert refused.json()["rule"] == rule
    moved = client.patch(url, {"division": SHUANGSHAN_COMMUNITY}, format="json")
    assert moved.status_code == 400 and "division" in moved.json()
    facility.refresh_from_db()
    assert (facility.status, facility.star_rating, facility.beds, facility.division_id) == (
        FacilityStatus.SUSPENDED,
        5,
        120,
        "370114001001",
    )
    assert AuditEvent.objects.filter(object_type="eldercare.facility", action="update").count() == 1


def test_a_town_cannot_patch_another_towns_facility(api_as, make_user, make_facility):
    from civil_affairs.accounts.lines import Line
    from civil_affairs.accounts.models import Role

    facility = make_facility()
    town = api_as(make_user(Role.CASEWORKER, "370114002", "shuangshan", lines=[Line.ELDERCARE]))
    response = town.patch(f"/api/v1/eldercare/facilities/{facility.pk}/", {"beds": 1}, format="json")
    assert response.status_code == 404
    facility.refresh_from_db()
    assert facility.beds == 100


def test_the_officer_registers_and_edits_a_facility_on_the_pages(client, officer):
    client.force_login(officer)
    assert client.get("/eldercare/facilities/new/").status_code == 200
    data = {
        "name": "明水颐养院",
        "kind": "nursing_home",
        "division": "370114001001",
        "ownership": "private",
        "beds": "80",
        "star_rating": "7",
        "status": "operating",
    }
    refused = client.post("/eldercare/facilities/new/", data)
    assert refused.status_code == 200 and "星级应为1至5星" in refused.content.decode()
    assert not Facility.objects.exists()
    created = client.post("/eldercare/facilities/new/", {**data, "star_rating": "4"})
    facility = Facility.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/eldercare/facilities/{facility.pk}/"
    edit = f"/eldercare/facilities/{facility.pk}/edit/"
    assert "明水颐养院" in client.get(edit).content.decode()
    saved = client.post(edit, {**data, "star_rating": "5", "status": "closed", "division": "370114002001"})
    assert saved.status_code == 302
    facility.refresh_from_db()
    assert (facility.star_rating, facility.status, facility.division_id) == (5, "closed", "370114001001")


def test_a_completion_date_only_for_a_completed_project(api_as, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    client = api_as(officer)
    body = {"person": person.pk, "kind": "renovation", "completed_on": "2025-05-01"}
    for status in ("planned", "in_progress"):
        refused = client.post("/api/v1/eldercare/home-care/", {**body, "status": status}, format="json")
        assert refused.status_code == 400 and refused.json()["rule"] == "not_completed"
    assert not HomeCareProject.objects.exists()
    done = client.post("/api/v1/eldercare/home-care/", {**body, "status": "completed"}, format="json")
    assert done.status_code == 201 and done.json()["completed_on"] == "2025-05-01"
