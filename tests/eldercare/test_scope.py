"""Jurisdiction and lines of work (SPEC §2.3) on the elder-care API and pages."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from eldercare import services
from eldercare.models import Facility
from tests.eldercare.conftest import SHUANGSHAN_COMMUNITY

pytestmark = pytest.mark.django_db


def test_town_caseworker_sees_only_the_towns_facilities(api_as, make_user, make_facility):
    mingshui = make_facility()
    shuangshan = make_facility(division_id=SHUANGSHAN_COMMUNITY)
    user = make_user(
        Role.CASEWORKER, "370114002", "shuangshan_caseworker", lines=[Line.ELDERCARE, Line.ASSISTANCE]
    )
    client = api_as(user)
    rows = client.get("/api/v1/eldercare/facilities/").json()["results"]
    assert [r["id"] for r in rows] == [shuangshan.pk]
    assert client.get(f"/api/v1/eldercare/facilities/{mingshui.pk}/").status_code == 404
    statement = {
        "facility": mingshui.pk,
        "month": "2024-01",
        "residents": 1,
        "monthly_fee": "1.00",
        "prepaid_fees_held": "0",
        "deposits_held": "0",
    }
    response = client.post("/api/v1/eldercare/escrow-statements/", statement, format="json")
    assert response.status_code == 400 and "facility" in response.json()


def test_division_filter_matches_the_subtree(api_as, officer, make_facility):
    mingshui = make_facility()
    make_facility(division_id=SHUANGSHAN_COMMUNITY)
    rows = api_as(officer).get("/api/v1/eldercare/facilities/", {"division": "370114001"}).json()["results"]
    assert [r["id"] for r in rows] == [mingshui.pk]


def test_marriage_registrar_gets_404_and_403(api_as, make_user, make_facility):
    facility = make_facility()
    registrar = make_user(Role.CASEWORKER, "370114", "marriage_registrar", lines=[Line.MARRIAGE])
    client = api_as(registrar)
    assert client.get("/api/v1/eldercare/facilities/").json()["count"] == 0
    assert client.get(f"/api/v1/eldercare/facilities/{facility.pk}/").status_code == 404
    response = client.post(
        "/api/v1/eldercare/facilities/",
        {"name": "x", "kind": "meal_site", "division": "370114001", "ownership": "public"},
        format="json",
    )
    assert response.status_code == 403


def test_facility_list_exports_csv_and_orders(api_as, officer, make_facility):
    make_facility(name="=乙院", beds=10)
    make_facility(name="甲院", beds=50)
    client = api_as(officer)
    rows = client.get("/api/v1/eldercare/facilities/", {"ordering": "-beds"}).json()["results"]
    assert [r["beds"] for r in rows] == [50, 10]
    assert client.get("/api/v1/eldercare/facilities/", {"ordering": "operatorx"}).status_code == 400
    response = client.get("/api/v1/eldercare/facilities/", {"format": "csv"})
    content = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    assert "'=乙院" in content and "甲院" in content
    assert client.get("/api/v1/eldercare/facilities/", {"format": "xlsx"}).status_code == 200


def test_town_caseworker_pages_hide_other_towns(client, make_user, make_facility):
    mingshui = make_facility()
    user = make_user(Role.CASEWORKER, "370114002", "sc", lines=[Line.ELDERCARE])
    client.force_login(user)
    assert client.get(f"/eldercare/facilities/{mingshui.pk}/").status_code == 404


def test_the_marriage_registrar_cannot_register_a_facility_on_the_pages(client, make_user, divisions):
    """The district's jurisdiction is not the elder-care line: the register page and its POST are 403, and
    nothing is stored (the page used to check the role only, and saved the registrar's facility)."""
    registrar = make_user(Role.CASEWORKER, "370114", "marriage_registrar", lines=[Line.MARRIAGE])
    client.force_login(registrar)
    for page in (
        "/eldercare/",
        "/eldercare/facilities/",
        "/eldercare/facilities/new/",
        "/eldercare/home-care/new/",
    ):
        assert client.get(page).status_code == 403, page
    posted = client.post(
        "/eldercare/facilities/new/",
        {
            "name": "婚登处的院",
            "kind": "nursing_home",
            "division": "370114001",
            "ownership": "private",
            "beds": "10",
            "status": "operating",
        },
    )
    assert posted.status_code == 403
    assert not Facility.objects.exists()


def test_the_services_refuse_a_writer_outside_the_line(make_user, divisions):
    registrar = make_user(Role.CASEWORKER, "370114", "registrar", lines=[Line.MARRIAGE])
    officer = make_user(Role.CASEWORKER, "370114", "officer", lines=[Line.ELDERCARE])
    values = {"name": "明水颐养院", "kind": "nursing_home", "ownership": "private"}
    with pytest.raises(PermissionDenied):
        services.facility_create(actor=registrar, division=divisions["370114001"], **values)
    assert not Facility.objects.exists()
    services.facility_create(actor=officer, division=divisions["370114001"], **values)
    assert Facility.objects.get().name == "明水颐养院"
