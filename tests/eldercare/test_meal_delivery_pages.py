"""情暖夕阳 pages: the caseworker enrols a beneficiary by ID number, records a month's deliveries, ends the
enrolment, and finds it again by ID number; refusals show beside their field, in Chinese."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from eldercare.models import FacilityKind, MealDelivery, MealDeliveryEnrolment
from tests.eldercare.test_meal_delivery import beneficiary

pytestmark = pytest.mark.django_db


def test_the_caseworker_enrols_records_a_month_and_ends_it(client, officer, make_facility):
    site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False, name="明水助餐点")
    make_facility(name="某养老院")  # not a meal site: not offered
    person = beneficiary()
    without_certificate = beneficiary(disability=False)
    client.force_login(officer)
    form = client.get("/eldercare/meal-delivery/new/").content.decode()
    assert "明水助餐点" in form and "某养老院" not in form
    today = timezone.localdate()
    data = {"facility": site.pk, "enrolled_on": today.isoformat()}
    refused = client.post(
        "/eldercare/meal-delivery/new/", {**data, "id_number": without_certificate.id_number}
    )
    assert refused.status_code == 200
    assert "送餐服务对象须持有残疾人证" in refused.content.decode()
    assert not MealDeliveryEnrolment.objects.exists()

    created = client.post("/eldercare/meal-delivery/new/", {**data, "id_number": person.id_number})
    enrolment = MealDeliveryEnrolment.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/eldercare/meal-delivery/{enrolment.pk}/"

    detail = f"/eldercare/meal-delivery/{enrolment.pk}/"
    month = f"{today:%Y-%m}"
    too_many = client.post(f"{detail}deliveries/", {"delivery-month": month, "delivery-meals_delivered": 200})
    assert too_many.status_code == 200 and "每天最多三餐" in too_many.content.decode()
    recorded = client.post(f"{detail}deliveries/", {"delivery-month": month, "delivery-meals_delivered": 22})
    assert recorded.status_code == 302 and MealDelivery.objects.get().meals_delivered == 22
    page = client.get(detail).content.decode()
    assert "22" in page and "终止送餐服务" in page
    assert "城市最低生活保障" in page  # the category that made the person eligible, by its name

    before_start = (today - datetime.timedelta(days=1)).isoformat()
    refused_end = client.post(f"{detail}end/", {"end-ended_on": before_start, "end-reason": "迁出"})
    assert refused_end.status_code == 200 and "终止日期不能早于登记日期" in refused_end.content.decode()
    ended = client.post(f"{detail}end/", {"end-ended_on": today.isoformat(), "end-reason": "迁出"})
    assert ended.status_code == 302
    page = client.get(detail).content.decode()
    assert "已终止" in page and "迁出" in page and "登记当月送餐" not in page

    found = client.get("/eldercare/meal-delivery/", {"search": person.id_number}).content.decode()
    assert person.name in found and without_certificate.name not in found
    open_only = client.get("/eldercare/meal-delivery/", {"open": "true"}).content.decode()
    assert person.name not in open_only
    export = client.get("/eldercare/meal-delivery/", {"format": "csv"})
    assert person.name in b"".join(export.streaming_content).decode("utf-8-sig")
