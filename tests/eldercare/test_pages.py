"""The elder-care pages: every page renders for the officer, the forms record through the services, exports."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from eldercare.models import (
    Alert,
    AlertKind,
    EscrowStatement,
    Facility,
    FacilityKind,
    Hazard,
    Inspection,
    MealReport,
)
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_every_page_renders(client, officer, make_facility):
    facility = make_facility()
    inspection = Inspection.objects.create(facility=facility, date=datetime.date(2024, 1, 1), inspector="x")
    Hazard.objects.create(
        inspection=inspection,
        facility=facility,
        description="消防",
        severity="critical",
        deadline=datetime.date(2024, 1, 2),
    )
    client.force_login(officer)
    for url in (
        "/eldercare/",
        "/eldercare/facilities/",
        f"/eldercare/facilities/{facility.pk}/",
        "/eldercare/alerts/",
        "/eldercare/home-care/",
        "/eldercare/home-care/new/",
        "/eldercare/facilities/?kind=nursing_home&ordering=-beds",
    ):
        assert client.get(url).status_code == 200, url
    response = client.get("/eldercare/facilities/?format=csv")
    assert (
        facility.name in b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode()
    )
    assert client.get("/eldercare/facilities/?format=xlsx").status_code == 200


def test_statement_form_records_and_refuses_a_future_month(client, officer, make_facility):
    facility = make_facility()
    client.force_login(officer)
    today = timezone.localdate()
    data = {
        "statement-residents": 10,
        "statement-monthly_fee": "3000.00",
        "statement-prepaid_fees_held": "180000.01",
        "statement-deposits_held": "0",
    }
    future = (today.replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    response = client.post(
        f"/eldercare/facilities/{facility.pk}/statements/", {**data, "statement-month": future}
    )
    assert response.status_code == 200 and not EscrowStatement.objects.exists()
    response = client.post(
        f"/eldercare/facilities/{facility.pk}/statements/", {**data, "statement-month": f"{today:%Y-%m}"}
    )
    assert response.status_code == 302
    assert Alert.objects.get(facility=facility).kind == AlertKind.PREPAID_OVER_CAP


def test_inspection_form_refuses_an_early_deadline_beside_its_row(client, officer, make_facility):
    facility = make_facility()
    client.force_login(officer)
    today = timezone.localdate()
    data = {
        "inspection-date": today.isoformat(),
        "inspection-inspector": "李",
        "hazard-0-description": "电线老化",
        "hazard-0-severity": "major",
        "hazard-0-deadline": (today - datetime.timedelta(days=1)).isoformat(),
    }
    response = client.post(f"/eldercare/facilities/{facility.pk}/inspections/", data)
    assert response.status_code == 200 and not Inspection.objects.exists()
    data["hazard-0-deadline"] = today.isoformat()
    assert client.post(f"/eldercare/facilities/{facility.pk}/inspections/", data).status_code == 302
    assert Hazard.objects.get().deadline == today


def test_home_care_form_finds_the_person_by_id_number(client, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1950, 5, 5))
    young = PersonFactory(birth_date=datetime.date(1990, 5, 5))
    client.force_login(officer)
    base = {"kind": "home_service", "subsidy": "1200.00", "status": "in_progress"}
    assert client.post("/eldercare/home-care/new/", {**base, "id_number": young.id_number}).status_code == 200
    assert (
        client.post("/eldercare/home-care/new/", {**base, "id_number": person.id_number}).status_code == 302
    )
    page = client.get("/eldercare/home-care/").content.decode()
    assert person.name in page and young.name not in page


def test_facility_list_filters_orders_and_refuses_a_bad_value_through_the_one_filterset(
    client, officer, make_facility
):
    escrow = make_facility(name="甲养老院", beds=50)
    bigger = make_facility(name="乙养老院", beds=90)
    make_facility(name="丙养老院", has_escrow_account=False)
    Facility.objects.filter(pk=bigger.pk).update(has_escrow_account=True)
    client.force_login(officer)
    page = client.get("/eldercare/facilities/", {"has_escrow_account": "on", "ordering": "-beds"})
    html = page.content.decode()
    assert "丙养老院" not in html and html.index("乙养老院") < html.index("甲养老院") and escrow.name in html
    refused = client.get("/eldercare/facilities/", {"has_escrow_account": "maybe"}).content.decode()
    assert "请更正筛选条件" in refused and "甲养老院</a>" not in refused
    assert "---------" not in refused and ">全部<" in refused


def test_a_meal_sites_page_records_its_monthly_report_and_refuses_subsidised_above_served(
    client, officer, make_facility
):
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    nursing_home = make_facility()
    client.force_login(officer)
    assert b"record-meal-report" not in client.get(f"/eldercare/facilities/{nursing_home.pk}/").content
    page = client.get(f"/eldercare/facilities/{site.pk}/")
    assert b"record-meal-report" in page.content and page.context["enrolled"] == 0
    assert b'id="statements"' not in page.content  # no escrow account: no escrow section to read
    url = f"/eldercare/facilities/{site.pk}/meal-reports/"
    month = f"{timezone.localdate().replace(day=1) - datetime.timedelta(days=1):%Y-%m}"
    over = client.post(
        url, {"report-month": month, "report-meals_served": "300", "report-subsidised_meals": "301"}
    )
    assert over.status_code == 200 and "subsidised_meals" in over.context["meal_report_form"].errors
    assert not MealReport.objects.exists()
    done = client.post(
        url, {"report-month": month, "report-meals_served": "300", "report-subsidised_meals": "300"}
    )
    assert done.status_code == 302
    report = MealReport.objects.get()
    assert (report.facility, report.meals_served, report.subsidised_meals) == (site, 300, 300)
    assert client.post(f"/eldercare/facilities/{nursing_home.pk}/meal-reports/", {}).status_code == 200
    assert MealReport.objects.count() == 1
