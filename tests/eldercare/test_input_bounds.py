"""What a careless or hostile client sends (issue #10, "Bad input"): counts beyond the database's integer, months
in other scripts' digits. Each answers 400 naming the field, never a 500, and stores nothing."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from eldercare.models import EscrowStatement, Facility, FacilityKind, MealReport
from eldercare.services import LARGEST_COUNT

pytestmark = pytest.mark.django_db

FACILITIES = "/api/v1/eldercare/facilities/"
STATEMENTS = "/api/v1/eldercare/escrow-statements/"
MEAL_REPORTS = "/api/v1/eldercare/meal-reports/"


def last_month() -> str:
    return f"{timezone.localdate().replace(day=1) - datetime.timedelta(days=1):%Y-%m}"


def new_facility(**overrides: object) -> dict[str, object]:
    return {
        "name": "明水颐养院",
        "kind": "nursing_home",
        "division": "370114001",
        "ownership": "private",
    } | overrides


def statement(facility: Facility, **overrides: object) -> dict[str, object]:
    return {
        "facility": facility.pk,
        "month": last_month(),
        "residents": 10,
        "monthly_fee": "3000.00",
        "prepaid_fees_held": "0.00",
        "deposits_held": "0.00",
    } | overrides


def test_beds_up_to_the_columns_largest_are_accepted_one_more_is_refused(api_as, officer, divisions):
    client = api_as(officer)
    refused = client.post(FACILITIES, new_facility(beds=LARGEST_COUNT + 1), format="json")
    assert refused.status_code == 400
    assert refused.json()["rule"] == "too_large" and "beds" in refused.json()
    assert not Facility.objects.exists()
    created = client.post(FACILITIES, new_facility(beds=LARGEST_COUNT), format="json")
    assert created.status_code == 201, created.content
    url = f"{FACILITIES}{created.json()['id']}/"
    patched = client.patch(url, {"beds": LARGEST_COUNT + 1}, format="json")
    assert patched.status_code == 400 and patched.json()["rule"] == "too_large"
    assert Facility.objects.get().beds == LARGEST_COUNT


def test_the_facility_pages_refuse_too_many_beds_beside_the_field(client, officer, make_facility):
    facility = make_facility()
    client.force_login(officer)
    form = {"name": "页面院", "kind": "nursing_home", "ownership": "private", "status": "operating"}
    response = client.post(
        "/eldercare/facilities/new/", {**form, "division": "370114001", "beds": "2147483648"}
    )
    assert response.status_code == 200
    assert "beds" in response.context["form"].errors
    edit = client.post(f"/eldercare/facilities/{facility.pk}/edit/", {**form, "beds": "99999999999"})
    assert edit.status_code == 200 and "beds" in edit.context["form"].errors
    facility.refresh_from_db()
    assert facility.beds == 100 and Facility.objects.count() == 1


def test_residents_beyond_the_column_are_refused_on_record_and_correction(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    refused = client.post(STATEMENTS, statement(facility, residents=LARGEST_COUNT + 1), format="json")
    assert refused.status_code == 400 and refused.json()["rule"] == "too_large"
    assert "residents" in refused.json() and not EscrowStatement.objects.exists()
    recorded = client.post(STATEMENTS, statement(facility), format="json").json()
    corrected = client.patch(
        f"{STATEMENTS}{recorded['id']}/", {"residents": LARGEST_COUNT + 1}, format="json"
    )
    assert corrected.status_code == 400 and corrected.json()["rule"] == "too_large"
    assert EscrowStatement.objects.get().residents == 10


def test_the_statement_pages_refuse_too_many_residents(client, officer, make_facility):
    facility = make_facility()
    client.force_login(officer)
    page = client.post(
        f"/eldercare/facilities/{facility.pk}/statements/",
        {
            "statement-month": last_month(),
            "statement-residents": "2147483648",
            "statement-monthly_fee": "1",
            "statement-prepaid_fees_held": "0",
            "statement-deposits_held": "0",
        },
    )
    assert page.status_code == 200 and "residents" in page.context["statement_form"].errors
    assert not EscrowStatement.objects.exists()


def test_meals_served_beyond_the_column_are_refused(api_as, officer, make_facility):
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    client = api_as(officer)
    body = {"facility": site.pk, "month": last_month(), "subsidised_meals": 0}
    refused = client.post(MEAL_REPORTS, {**body, "meals_served": LARGEST_COUNT + 1}, format="json")
    assert refused.status_code == 400 and refused.json()["rule"] == "too_large"
    assert not MealReport.objects.exists()
    assert (
        client.post(MEAL_REPORTS, {**body, "meals_served": LARGEST_COUNT}, format="json").status_code == 201
    )


@pytest.mark.parametrize("month", ["2024-²", "٢٠٢٤-٠١", "２０２４-０１", "2024-13", "2024-00"])
def test_a_month_in_other_digits_or_out_of_range_is_refused(api_as, client, officer, make_facility, month):
    facility = make_facility()
    api = api_as(officer)
    assert api.get(STATEMENTS, {"month": month}).status_code == 400
    posted = api.post(STATEMENTS, statement(facility, month=month), format="json")
    assert posted.status_code == 400 and "month" in posted.json()
    client.force_login(officer)
    page = client.post(
        f"/eldercare/facilities/{facility.pk}/statements/",
        {
            "statement-month": month,
            "statement-residents": "1",
            "statement-monthly_fee": "1",
            "statement-prepaid_fees_held": "0",
            "statement-deposits_held": "0",
        },
    )
    assert page.status_code == 200 and "month" in page.context["statement_form"].errors
    assert not EscrowStatement.objects.exists()


def test_the_api_holds_a_month_to_its_pattern_without_a_trailing_newline(api_as, officer, make_facility):
    posted = api_as(officer).post(
        STATEMENTS, statement(make_facility(), month=last_month() + "\n"), format="json"
    )
    assert posted.status_code == 400 and "month" in posted.json()
    assert not EscrowStatement.objects.exists()


def test_a_month_of_ascii_digits_is_read_in_the_filter_and_the_form(api_as, client, officer, make_facility):
    facility = make_facility()
    assert api_as(officer).get(STATEMENTS, {"month": last_month()}).status_code == 200
    client.force_login(officer)
    client.post(
        f"/eldercare/facilities/{facility.pk}/statements/",
        {
            "statement-month": last_month(),
            "statement-residents": "1",
            "statement-monthly_fee": "1",
            "statement-prepaid_fees_held": "0",
            "statement-deposits_held": "0",
        },
    )
    assert f"{EscrowStatement.objects.get().month:%Y-%m}" == last_month()


def test_a_write_naming_a_read_only_or_unknown_field_is_refused_and_changes_nothing(
    api_as, officer, make_facility
):
    """PATCH {"id": 1} or {"bed": 5} answered 200 and changed nothing, so a careless client believed it had."""
    facility = make_facility()
    client = api_as(officer)
    url = f"{FACILITIES}{facility.pk}/"
    read_only = client.patch(url, {"id": 1, "beds": 5}, format="json")
    assert read_only.status_code == 400 and "id" in read_only.json()
    unknown = client.patch(url, {"bed": 5}, format="json")
    assert unknown.status_code == 400 and "bed" in unknown.json()
    moved = client.patch(url, {"division": "370114002"}, format="json")
    assert moved.status_code == 400 and "division" in moved.json()
    facility.refresh_from_db()
    assert facility.beds == 100
    assert client.patch(url, {"beds": 5}, format="json").json()["beds"] == 5


def test_a_statement_correction_cannot_name_its_month_or_facility(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    recorded = client.post(STATEMENTS, statement(facility), format="json").json()
    url = f"{STATEMENTS}{recorded['id']}/"
    for field, value in (("month", "2000-01"), ("facility", make_facility().pk), ("residnets", 3)):
        response = client.patch(url, {field: value, "residents": 3}, format="json")
        assert response.status_code == 400 and field in response.json(), field
    assert EscrowStatement.objects.get().residents == 10


def test_creates_and_actions_refuse_fields_they_do_not_take(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    inspection = {
        "facility": facility.pk,
        "date": f"{timezone.localdate():%Y-%m-%d}",
        "inspector": "王检查",
        "hazards": [
            {
                "description": "x",
                "severity": "minor",
                "deadline": f"{timezone.localdate():%Y-%m-%d}",
                "rectified_on": "2024-01-01",
            }
        ],
    }
    response = client.post("/api/v1/eldercare/inspections/", inspection, format="json")
    assert response.status_code == 400 and "rectified_on" in str(response.json())
    inspection["hazards"][0].pop("rectified_on")
    hazard = client.post("/api/v1/eldercare/inspections/", inspection, format="json").json()["hazards"][0]
    rectify = f"/api/v1/eldercare/hazards/{hazard['id']}/rectify/"
    extra = client.post(rectify, {"rectified_on": inspection["date"], "overdue": False}, format="json")
    assert extra.status_code == 400 and "overdue" in extra.json()
    assert client.post(rectify, {"rectified_on": inspection["date"]}, format="json").status_code == 200
