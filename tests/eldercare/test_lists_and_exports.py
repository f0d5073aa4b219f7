"""Elder care's lists as a reader meets them (SPEC §3): ordering on their main columns, exports whose headers and
values read right in Chinese and in the bureau's time zone, and the few words the pages had wrong."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from eldercare.models import (
    Alert,
    AlertKind,
    FacilityKind,
    HomeCareKind,
    HomeCareProject,
    HomeCareStatus,
    MealDelivery,
    MealDeliveryEnrolment,
)
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/eldercare/"


def text_of(response: Any) -> str:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig")


@pytest.mark.parametrize(
    ("resource", "declared"),
    [
        ("inspections", "date"),
        ("meal-reports", "month"),
        ("meal-reports", "subsidised_meals"),
        ("trainings", "date"),
        ("trainings", "hours"),
        ("awards", "awarded_on"),
    ],
)
def test_every_list_orders_on_its_main_columns_and_refuses_others(api_as, officer, resource, declared):
    client = api_as(officer)
    assert client.get(f"{API}{resource}/", {"ordering": f"-{declared}"}).status_code == 200
    refused = client.get(f"{API}{resource}/", {"ordering": "created_at"})
    assert refused.status_code == 400 and "ordering" in refused.json()
    assert declared in refused.json()["ordering"][0]  # the message names what may be ordered on


def test_the_facility_export_says_name_and_opening_date_in_chinese(api_as, officer, make_facility):
    make_facility(opened_on=datetime.date(2010, 5, 1))
    client = api_as(officer)
    header = text_of(client.get(f"{API}facilities/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-hans"))
    header = header.splitlines()[0].split(",")
    assert "名称" in header and "开业日期" in header
    assert "姓名" not in header and "立案日期" not in header  # a person's name, a case's filing date


def test_the_meal_delivery_export_names_the_person_site_and_month(api_as, officer, make_facility):
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False, name="明水助餐点")
    person = PersonFactory(name="王秀英")
    enrolment = MealDeliveryEnrolment.objects.create(
        person=person,
        division_id=person.division_id,
        facility=site,
        category="dibao_urban",
        enrolled_on=datetime.date(2025, 1, 1),
    )
    MealDelivery.objects.create(enrolment=enrolment, month=datetime.date(2025, 2, 1), meals_delivered=56)
    rows = text_of(api_as(officer).get(f"{API}meal-deliveries/", {"format": "csv"})).splitlines()
    assert rows[1].split(",") == ["王秀英", "明水助餐点", "2025-02", "56"]


def test_alerts_export_their_times_in_the_bureaus_zone_from_the_page_too(
    api_as, client, officer, make_facility
):
    facility = make_facility()
    alert = Alert.objects.create(
        facility=facility, kind=AlertKind.STATEMENT_MISSING, month=datetime.date(2025, 1, 1), detail="x"
    )
    moment = datetime.datetime(2025, 2, 11, 1, 30, tzinfo=datetime.UTC)  # 09:30 in Shanghai
    Alert.objects.filter(pk=alert.pk).update(raised_at=moment)
    api_rows = text_of(api_as(officer).get(f"{API}alerts/", {"format": "csv"})).splitlines()
    assert "2025-02-11 09:30" in api_rows[1] and "01:30" not in api_rows[1]
    client.force_login(officer)
    page = client.get("/eldercare/alerts/")
    assert b"format=csv" in page.content and b"format=xlsx" in page.content
    assert "2025-02-11 09:30" in text_of(client.get("/eldercare/alerts/", {"format": "csv"}))


def test_a_note_longer_than_the_pages_allow_is_refused_in_the_api(api_as, officer, make_facility):
    alert = Alert.objects.create(
        facility=make_facility(), kind=AlertKind.STATEMENT_MISSING, month=datetime.date(2025, 1, 1)
    )
    client = api_as(officer)
    too_long = client.post(f"{API}alerts/{alert.pk}/close/", {"note": "x" * 501}, format="json")
    assert too_long.status_code == 400 and "note" in too_long.json()
    alert.refresh_from_db()
    assert alert.closed_at is None
    assert (
        client.post(f"{API}alerts/{alert.pk}/close/", {"note": "x" * 500}, format="json").status_code == 200
    )


def test_the_pages_count_enrolments_in_chinese_and_show_only_real_dates(client, officer, make_facility):
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    person = PersonFactory(birth_date=datetime.date(1950, 1, 1))
    MealDeliveryEnrolment.objects.create(
        person=person,
        division_id=person.division_id,
        facility=site,
        category="dibao_urban",
        enrolled_on=datetime.date(2025, 1, 1),
    )
    HomeCareProject.objects.create(
        person=person,
        division_id=person.division_id,
        kind=HomeCareKind.RENOVATION,
        status=HomeCareStatus.PLANNED,
    )
    HomeCareProject.objects.create(
        person=person,
        division_id=person.division_id,
        kind=HomeCareKind.FAMILY_BED,
        status=HomeCareStatus.COMPLETED,
        completed_on=datetime.date(2025, 3, 4),
    )
    client.force_login(officer)
    enrolments = client.get("/eldercare/meal-delivery/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "共1条登记" in enrolments and "enrolment" not in enrolments
    projects = client.get("/eldercare/home-care/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "（—）" not in projects  # a planned project has no date to show
    assert "已完成（2025-03-04）" in projects
    form = client.get("/eldercare/meal-delivery/new/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "请选择助餐站点" in form and "---------" not in form
