"""Escrow statements and their alerts (SPEC §5): caps at both sides of the boundary, one per month, future
months, facilities without an account, corrections closing alerts, manual closing."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from civil_affairs.audit.models import AuditEvent
from eldercare.models import Alert, AlertKind, EscrowStatement

pytestmark = pytest.mark.django_db

URL = "/api/v1/eldercare/escrow-statements/"


def last_month() -> str:
    today = timezone.localdate()
    return f"{(today.replace(day=1) - datetime.timedelta(days=1)):%Y-%m}"


def body(facility_id: int, **overrides: object) -> dict[str, object]:
    # 10 residents × 3000.00 = 30000.00 a month: prepaid cap 180000.00 (6 months), deposit cap 360000.00.
    data: dict[str, object] = {
        "facility": facility_id,
        "month": last_month(),
        "residents": 10,
        "monthly_fee": "3000.00",
        "prepaid_fees_held": "180000.00",
        "deposits_held": "360000.00",
    }
    data.update(overrides)
    return data


def test_statement_exactly_at_both_caps_raises_no_alert(api_as, officer, make_facility):
    facility = make_facility()
    response = api_as(officer).post(URL, body(facility.pk), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["month"] == last_month()
    assert response.json()["prepaid_fees_held"] == "180000.00"
    assert not Alert.objects.filter(facility=facility).exists()
    assert AuditEvent.objects.filter(object_type="eldercare.escrowstatement", action="create").count() == 1


def test_one_cent_over_the_prepaid_cap_raises_prepaid_alert(api_as, officer, make_facility):
    facility = make_facility()
    response = api_as(officer).post(URL, body(facility.pk, prepaid_fees_held="180000.01"), format="json")
    assert response.status_code == 201
    alert = Alert.objects.get(facility=facility)
    assert alert.kind == AlertKind.PREPAID_OVER_CAP
    assert alert.closed_at is None
    assert "180000.00" in alert.detail


def test_one_cent_over_the_deposit_cap_raises_deposit_alert(api_as, officer, make_facility):
    facility = make_facility()
    api_as(officer).post(URL, body(facility.pk, deposits_held="360000.01"), format="json")
    assert list(Alert.objects.filter(facility=facility).values_list("kind", flat=True)) == [
        AlertKind.DEPOSIT_OVER_CAP
    ]


def test_the_prepaid_cap_follows_the_setting(api_as, officer, make_facility, settings):
    settings.ELDERCARE_PREPAID_MONTHS_CAP = 3
    facility = make_facility()
    api_as(officer).post(URL, body(facility.pk, prepaid_fees_held="90000.01"), format="json")
    assert Alert.objects.filter(facility=facility, kind=AlertKind.PREPAID_OVER_CAP).exists()


def test_second_statement_for_the_same_month_is_a_conflict(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    assert client.post(URL, body(facility.pk), format="json").status_code == 201
    response = client.post(URL, body(facility.pk, residents=11), format="json")
    assert response.status_code == 409
    assert EscrowStatement.objects.get(facility=facility).residents == 10


def test_future_month_is_refused_and_current_month_accepted(api_as, officer, make_facility):
    facility = make_facility()
    today = timezone.localdate()
    next_month = (today.replace(day=28) + datetime.timedelta(days=5)).strftime("%Y-%m")
    client = api_as(officer)
    response = client.post(URL, body(facility.pk, month=next_month), format="json")
    assert response.status_code == 400
    assert "month" in response.json()
    assert client.post(URL, body(facility.pk, month=f"{today:%Y-%m}"), format="json").status_code == 201
    assert EscrowStatement.objects.filter(facility=facility).count() == 1


def test_facility_without_escrow_account_files_no_statement(api_as, officer, make_facility):
    facility = make_facility(has_escrow_account=False)
    response = api_as(officer).post(URL, body(facility.pk), format="json")
    assert response.status_code == 400
    assert "facility" in response.json()
    assert not EscrowStatement.objects.exists()


@pytest.mark.parametrize("name", ["residents", "monthly_fee", "prepaid_fees_held", "deposits_held"])
def test_negative_figures_are_refused_naming_the_field(api_as, officer, make_facility, name):
    facility = make_facility()
    response = api_as(officer).post(URL, body(facility.pk, **{name: -1}), format="json")
    assert response.status_code == 400
    assert name in response.json()
    assert not EscrowStatement.objects.exists()


def test_non_numeric_money_and_bad_month_are_refused(api_as, officer, make_facility):
    facility = make_facility()
    response = api_as(officer).post(
        URL, body(facility.pk, monthly_fee="lots", month="2024-13"), format="json"
    )
    assert response.status_code == 400
    assert {"monthly_fee", "month"} <= set(response.json())


def test_a_corrected_statement_closes_its_alert_and_a_new_excess_reopens_it(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    statement = client.post(URL, body(facility.pk, prepaid_fees_held="200000.00"), format="json").json()
    alert = Alert.objects.get(facility=facility)
    response = client.patch(f"{URL}{statement['id']}/", {"prepaid_fees_held": "150000.00"}, format="json")
    assert response.status_code == 200
    assert response.json()["prepaid_fees_held"] == "150000.00"
    alert.refresh_from_db()
    assert alert.closed_at is not None
    client.patch(f"{URL}{statement['id']}/", {"prepaid_fees_held": "190000.00"}, format="json")
    alert.refresh_from_db()
    assert alert.closed_at is None
    assert Alert.objects.filter(facility=facility).count() == 1


def test_a_manually_closed_alert_stays_closed_for_the_same_cause(api_as, officer, make_facility):
    facility = make_facility()
    client = api_as(officer)
    statement = client.post(URL, body(facility.pk, prepaid_fees_held="200000.00"), format="json").json()
    alert = Alert.objects.get(facility=facility)
    response = client.post(
        f"/api/v1/eldercare/alerts/{alert.pk}/close/", {"note": "已约谈机构"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["closed_at"] is not None
    assert (
        client.post(
            f"/api/v1/eldercare/alerts/{alert.pk}/close/", {"note": "again"}, format="json"
        ).status_code
        == 409
    )
    client.patch(f"{URL}{statement['id']}/", {"prepaid_fees_held": "210000.00"}, format="json")
    alert.refresh_from_db()
    assert alert.closed_at is not None and alert.close_note == "已约谈机构"
    assert Alert.objects.filter(facility=facility).count() == 1


def test_closing_an_alert_needs_a_note(api_as, officer, make_facility):
    facility = make_facility()
    api_as(officer).post(URL, body(facility.pk, prepaid_fees_held="200000.00"), format="json")
    alert = Alert.objects.get(facility=facility)
    response = api_as(officer).post(
        f"/api/v1/eldercare/alerts/{alert.pk}/close/", {"note": " "}, format="json"
    )
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.closed_at is None


def test_alert_list_filters_open_kind_and_facility(api_as, officer, make_facility):
    first, second = make_facility(), make_facility()
    client = api_as(officer)
    client.post(URL, body(first.pk, prepaid_fees_held="200000.00"), format="json")
    client.post(URL, body(second.pk, deposits_held="400000.00"), format="json")
    Alert.objects.filter(facility=second).update(closed_at=timezone.now())
    rows = client.get("/api/v1/eldercare/alerts/", {"open": "true"}).json()["results"]
    assert [(r["facility"], r["kind"], r["month"]) for r in rows] == [
        (first.pk, "prepaid_over_cap", last_month())
    ]
    rows = client.get(
        "/api/v1/eldercare/alerts/", {"kind": "deposit_over_cap", "facility": second.pk}
    ).json()["results"]
    assert len(rows) == 1 and rows[0]["closed_at"] is not None


def test_statement_figures_are_decimal_strings(api_as, officer, make_facility):
    facility = make_facility()
    created = api_as(officer).post(URL, body(facility.pk, monthly_fee="2999.5"), format="json").json()
    assert created["monthly_fee"] == "2999.50"
    assert EscrowStatement.objects.get().monthly_fee == Decimal("2999.50")


def test_residents_up_to_the_beds_one_more_is_refused_on_record_and_correction(
    api_as, officer, make_facility
):
    """More residents than beds would raise the caps and hide fees held beyond them."""
    facility = make_facility(beds=100)
    client = api_as(officer)
    over = client.post(URL, body(facility.pk, residents=101), format="json")
    assert over.status_code == 400
    assert over.json()["rule"] == "residents_above_beds" and "residents" in over.json()
    assert not EscrowStatement.objects.exists()
    recorded = client.post(URL, body(facility.pk, residents=100), format="json")
    assert recorded.status_code == 201, recorded.content
    corrected = client.patch(f"{URL}{recorded.json()['id']}/", {"residents": 101}, format="json")
    assert corrected.status_code == 400 and corrected.json()["rule"] == "residents_above_beds"
    assert EscrowStatement.objects.get().residents == 100


def test_a_facility_without_a_bed_count_takes_any_residents(api_as, officer, make_facility):
    facility = make_facility(beds=0)
    response = api_as(officer).post(URL, body(facility.pk, residents=250), format="json")
    assert response.status_code == 201, response.content
