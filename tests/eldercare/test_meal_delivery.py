"""情暖夕阳 meal delivery (SPEC §4.5, §5): who may be enrolled, with which meal site, the monthly deliveries,
ending an enrolment by hand and by the death event; each rule on both sides of its boundary."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from assistance.rules import Category
from civil_affairs import deaths
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from eldercare.models import FacilityKind, FacilityStatus, MealDelivery, MealDeliveryEnrolment
from eldercare.services import meals_most
from tests.assistance.factories import EnrollmentFactory
from tests.eldercare.conftest import SHUANGSHAN_COMMUNITY
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

ENROLMENTS = "/api/v1/eldercare/meal-enrolments/"
DELIVERIES = "/api/v1/eldercare/meal-deliveries/"
ENROLLED_ON = datetime.date(2025, 3, 10)


def beneficiary(
    *,
    birth_date: datetime.date = datetime.date(1950, 5, 5),
    category: str = Category.DIBAO_URBAN,
    end: datetime.date | None = None,
    disability: bool = True,
    **person: Any,
) -> Any:
    """A person covered by an assistance enrollment since 2024-01-01 (ended on ``end`` if given)."""
    certificate = {"disability_kind": "physical", "disability_grade": 2} if disability else {}
    someone = PersonFactory(birth_date=birth_date, **certificate, **person)
    enrollment = EnrollmentFactory(category=category, end=end)
    enrollment.covered_members.set([someone])
    return someone


@pytest.fixture
def site(make_facility: Any) -> Any:
    return make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False, beds=0)


@pytest.fixture
def client(api_as: Any, officer: Any) -> Any:
    return api_as(officer)


def enrol(client: Any, person: Any, site: Any, on: datetime.date = ENROLLED_ON) -> Any:
    return client.post(
        ENROLMENTS, {"person": person.pk, "facility": site.pk, "enrolled_on": on.isoformat()}, format="json"
    )


def test_sixty_on_the_day_of_enrolment_is_enrolled_one_day_short_is_refused(client, site):
    sixty = beneficiary(birth_date=datetime.date(1965, 3, 10))
    one_day_short = beneficiary(birth_date=datetime.date(1965, 3, 11))
    response = enrol(client, sixty, site)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["person"], body["facility"], body["category"]) == (sixty.pk, site.pk, "dibao_urban")
    assert (body["enrolled_on"], body["ended_on"], body["division"]) == ("2025-03-10", None, "370114001001")
    refused = enrol(client, one_day_short, site)
    assert refused.status_code == 400
    assert refused.json()["rule"] == "under_60" and "person" in refused.json()
    assert MealDeliveryEnrolment.objects.count() == 1
    assert (
        AuditEvent.objects.filter(object_type="eldercare.mealdeliveryenrolment", action="create").count() == 1
    )


def test_without_a_disability_certificate_is_refused(client, site):
    response = enrol(client, beneficiary(disability=False), site)
    assert response.status_code == 400
    assert response.json()["rule"] == "no_disability_certificate"
    assert not MealDeliveryEnrolment.objects.exists()


@pytest.mark.parametrize(
    ("category", "end", "accepted"),
    [
        (Category.TEKUN_RURAL, None, True),
        (Category.DIBAO_RURAL, ENROLLED_ON, True),  # the assistance enrollment's last day
        (Category.DIBAO_RURAL, ENROLLED_ON - datetime.timedelta(days=1), False),  # ended the day before
        (Category.DISABILITY_LIVING, None, False),  # a beneficiary, but not of 低保 or 特困
        (Category.ORPHAN_COMMUNITY, None, False),
    ],
)
def test_only_subsistence_beneficiaries_on_the_day_are_enrolled(client, site, category, end, accepted):
    response = enrol(client, beneficiary(category=category, end=end), site)
    if accepted:
        assert response.status_code == 201, response.content
        assert response.json()["category"] == category
    else:
        assert response.status_code == 400
        assert response.json()["rule"] == "not_beneficiary"
        assert not MealDeliveryEnrolment.objects.exists()


def test_the_deceased_and_a_future_day_are_refused_today_is_accepted(client, site):
    dead = beneficiary(is_deceased=True, date_of_death=datetime.date(2025, 1, 1))
    assert enrol(client, dead, site).json()["rule"] == "person_deceased"
    alive = beneficiary()
    today = timezone.localdate()
    tomorrow = enrol(client, alive, site, today + datetime.timedelta(days=1))
    assert tomorrow.status_code == 400 and tomorrow.json()["rule"] == "future"
    assert "enrolled_on" in tomorrow.json()
    assert enrol(client, alive, site, today).status_code == 201


def test_only_an_operating_meal_site_delivers(client, make_facility):
    person = beneficiary()
    nursing_home = make_facility()
    closed_site = make_facility(kind=FacilityKind.MEAL_SITE, status=FacilityStatus.SUSPENDED)
    assert enrol(client, person, nursing_home).json()["rule"] == "not_meal_site"
    assert enrol(client, person, closed_site).json()["rule"] == "facility_not_operating"
    assert not MealDeliveryEnrolment.objects.exists()


def test_one_open_enrolment_per_person_a_new_one_after_it_ended(client, site, make_facility):
    person = beneficiary()
    first = enrol(client, person, site).json()
    other_site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    assert enrol(client, person, other_site).status_code == 409
    ended = client.post(
        f"{ENROLMENTS}{first['id']}/end/", {"ended_on": "2025-04-30", "reason": "搬迁"}, format="json"
    )
    assert ended.status_code == 200, ended.content
    assert (ended.json()["ended_on"], ended.json()["end_reason"]) == ("2025-04-30", "搬迁")
    assert enrol(client, person, other_site, datetime.date(2025, 5, 1)).status_code == 201


def test_ending_before_the_start_twice_or_before_recorded_deliveries_is_refused(client, site):
    enrolment = enrol(client, beneficiary(), site).json()
    end = f"{ENROLMENTS}{enrolment['id']}/end/"
    before = client.post(end, {"ended_on": "2025-03-09", "reason": "x"}, format="json")
    assert before.status_code == 400 and before.json()["rule"] == "before_enrolment"
    no_reason = client.post(end, {"ended_on": "2025-03-10", "reason": " "}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()
    delivered = {"enrolment": enrolment["id"], "month": "2025-05", "meals_delivered": 20}
    assert client.post(DELIVERIES, delivered, format="json").status_code == 201
    too_early = client.post(end, {"ended_on": "2025-04-30", "reason": "x"}, format="json")
    assert too_early.status_code == 400 and too_early.json()["rule"] == "deliveries_after_end"
    assert client.post(end, {"ended_on": "2025-05-01", "reason": "x"}, format="json").status_code == 200
    assert client.post(end, {"ended_on": "2025-05-02", "reason": "x"}, format="json").status_code == 409
    assert MealDeliveryEnrolment.objects.get().ended_on == datetime.date(2025, 5, 1)


def test_deliveries_within_the_enrolment_at_most_three_a_day_once_a_month(client, site):
    enrolment = enrol(client, beneficiary(), site).json()

    def deliver(month: str, meals: int) -> Any:
        return client.post(
            DELIVERIES,
            {"enrolment": enrolment["id"], "month": month, "meals_delivered": meals},
            format="json",
        )

    assert deliver("2025-02", 10).json()["rule"] == "before_enrolment"
    assert deliver("2025-03", 94).json()["rule"] == "out_of_range"  # 31 days × 3 = 93
    assert deliver("2025-03", 0).json()["rule"] == "out_of_range"
    accepted = deliver("2025-03", 93)
    assert accepted.status_code == 201, accepted.content
    assert accepted.json() == {
        "id": accepted.json()["id"],
        "enrolment": enrolment["id"],
        "month": "2025-03",
        "meals_delivered": 93,
    }
    assert deliver("2025-04", 91).json()["rule"] == "out_of_range"  # April: 30 days
    assert deliver("2025-03", 5).status_code == 409
    next_month = timezone.localdate().replace(day=1) + datetime.timedelta(days=32)
    future = deliver(f"{next_month:%Y-%m}", 5)
    assert future.status_code == 400 and future.json()["rule"] == "future_month"
    assert deliver(f"{timezone.localdate():%Y-%m}", 5).status_code == 201
    assert MealDelivery.objects.count() == 2
    listed = client.get(DELIVERIES, {"enrolment": enrolment["id"]}).json()["results"]
    assert [row["meals_delivered"] for row in listed] == [5, 93]


def test_no_delivery_after_the_month_the_enrolment_ended(client, site):
    enrolment = enrol(client, beneficiary(), site).json()
    client.post(
        f"{ENROLMENTS}{enrolment['id']}/end/", {"ended_on": "2025-06-30", "reason": "x"}, format="json"
    )
    body = {"enrolment": enrolment["id"], "meals_delivered": 30}
    assert client.post(DELIVERIES, {**body, "month": "2025-06"}, format="json").status_code == 201
    after = client.post(DELIVERIES, {**body, "month": "2025-07"}, format="json")
    assert after.status_code == 400 and after.json()["rule"] == "after_enrolment"


def test_the_death_event_ends_the_enrolment(client, officer, site):
    person = beneficiary()
    other = beneficiary()
    enrol(client, person, site)
    enrol(client, other, site)
    died = timezone.localdate() - datetime.timedelta(days=3)
    deaths.announce(person=person, date_of_death=died, actor=officer)
    assert MealDeliveryEnrolment.objects.get(person=person).ended_on == died
    assert MealDeliveryEnrolment.objects.get(person=other).ended_on is None
    assert AuditEvent.objects.filter(object_type="eldercare.mealdeliveryenrolment", action="end").count() == 1
    open_ones = client.get(ENROLMENTS, {"open": "true"}).json()["results"]
    assert [row["person"] for row in open_ones] == [other.pk]


def test_a_town_sees_and_enrols_only_its_own_and_the_registrar_sees_nothing(api_as, make_user, client, site):
    mingshui = enrol(client, beneficiary(), site).json()
    shuangshan_person = beneficiary(division_id=SHUANGSHAN_COMMUNITY)
    town = api_as(make_user(Role.CASEWORKER, "370114002", "shuangshan", lines=[Line.ELDERCARE]))
    assert town.get(ENROLMENTS).json()["results"] == []
    assert town.get(f"{ENROLMENTS}{mingshui['id']}/").status_code == 404
    refused = enrol(town, shuangshan_person, site)  # the site is in 明水: not the town's to choose
    assert refused.status_code == 400 and "facility" in refused.json()
    delivered = town.post(
        DELIVERIES, {"enrolment": mingshui["id"], "month": "2025-03", "meals_delivered": 1}, format="json"
    )
    assert delivered.status_code == 400 and "enrolment" in delivered.json()
    registrar = api_as(make_user(Role.CASEWORKER, "370114", "registrar", lines=[Line.MARRIAGE]))
    assert registrar.get(f"{ENROLMENTS}{mingshui['id']}/").status_code == 404
    assert not MealDelivery.objects.exists()


def test_a_new_enrolment_may_begin_on_the_day_the_last_ended_not_the_day_before(client, site, make_facility):
    person = beneficiary()
    first = enrol(client, person, site).json()
    client.post(
        f"{ENROLMENTS}{first['id']}/end/", {"ended_on": "2025-04-30", "reason": "换站点"}, format="json"
    )
    other_site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    overlapping = enrol(client, person, other_site, datetime.date(2025, 4, 29))
    assert overlapping.status_code == 400
    assert overlapping.json()["rule"] == "overlaps_earlier_enrolment" and "enrolled_on" in overlapping.json()
    backdated = enrol(client, person, other_site, datetime.date(2024, 6, 1))  # before the first one began
    assert backdated.status_code == 400 and backdated.json()["rule"] == "overlaps_earlier_enrolment"
    assert MealDeliveryEnrolment.objects.filter(person=person).count() == 1
    assert enrol(client, person, other_site, datetime.date(2025, 4, 30)).status_code == 201


def test_a_month_split_between_two_sites_shares_three_meals_a_day(client, site, make_facility):
    person = beneficiary()
    first = enrol(client, person, site).json()  # from 2025-03-10
    march = {"month": "2025-03"}
    delivered = client.post(
        DELIVERIES, {**march, "enrolment": first["id"], "meals_delivered": 50}, format="json"
    )
    assert delivered.status_code == 201
    client.post(
        f"{ENROLMENTS}{first['id']}/end/", {"ended_on": "2025-03-20", "reason": "搬家"}, format="json"
    )
    other_site = make_facility(kind=FacilityKind.MEAL_SITE, has_escrow_account=False)
    second = enrol(client, person, other_site, datetime.date(2025, 3, 20)).json()
    over = client.post(DELIVERIES, {**march, "enrolment": second["id"], "meals_delivered": 44}, format="json")
    assert over.status_code == 400  # 50 + 44 = 94 > 31 × 3
    assert over.json()["rule"] == "out_of_range" and "meals_delivered" in over.json()
    assert MealDelivery.objects.count() == 1
    full = client.post(DELIVERIES, {**march, "enrolment": second["id"], "meals_delivered": 43}, format="json")
    assert full.status_code == 201, full.content
    assert sum(MealDelivery.objects.values_list("meals_delivered", flat=True)) == 93


@pytest.mark.parametrize(
    ("month", "most"),
    [
        (datetime.date(2023, 2, 1), 84),  # 28 days
        (datetime.date(2024, 2, 1), 87),  # 29 days, a leap year
        (datetime.date(2100, 2, 1), 84),  # a century year that is not a leap year
        (datetime.date(2024, 4, 1), 90),  # 30 days
        (datetime.date(2024, 12, 1), 93),  # 31 days
    ],
)
def test_three_meals_for_each_day_of_the_month(month, most):
    assert meals_most(month) == most


def test_a_leap_february_takes_87_meals_not_88(client, site):
    enrolment = enrol(client, beneficiary(), site, datetime.date(2024, 2, 1)).json()
    body = {"enrolment": enrolment["id"], "month": "2024-02"}
    refused = client.post(DELIVERIES, {**body, "meals_delivered": 88}, format="json")
    assert refused.status_code == 400 and refused.json()["rule"] == "out_of_range"
    assert client.post(DELIVERIES, {**body, "meals_delivered": 87}, format="json").status_code == 201


def test_a_site_with_enrolled_people_stays_an_open_meal_site_until_they_are_ended(client, site):
    enrolment = enrol(client, beneficiary(), site).json()
    url = f"/api/v1/eldercare/facilities/{site.pk}/"
    to_nursing_home = client.patch(url, {"kind": "nursing_home"}, format="json")
    assert to_nursing_home.status_code == 400
    assert to_nursing_home.json()["rule"] == "open_meal_enrolments" and "kind" in to_nursing_home.json()
    closed = client.patch(url, {"status": "closed"}, format="json")
    assert closed.status_code == 400 and "status" in closed.json()
    site.refresh_from_db()
    assert (site.kind, site.status) == (FacilityKind.MEAL_SITE, FacilityStatus.OPERATING)
    assert client.patch(url, {"status": "suspended"}, format="json").status_code == 200  # for a while
    client.post(
        f"{ENROLMENTS}{enrolment['id']}/end/", {"ended_on": "2025-03-31", "reason": "站点关闭"}, format="json"
    )
    assert client.patch(url, {"status": "closed"}, format="json").status_code == 200


def test_a_recorded_month_is_corrected_under_the_same_cap_audited(client, site, make_user, api_as):
    enrolment = enrol(client, beneficiary(), site).json()
    recorded = client.post(
        DELIVERIES, {"enrolment": enrolment["id"], "month": "2025-04", "meals_delivered": 82}, format="json"
    ).json()
    url = f"{DELIVERIES}{recorded['id']}/"
    over = client.patch(url, {"meals_delivered": 91}, format="json")  # April: 30 × 3 = 90
    assert over.status_code == 400 and over.json()["rule"] == "out_of_range"
    moved = client.patch(url, {"meals_delivered": 28, "month": "2025-05"}, format="json")
    assert moved.status_code == 400 and "month" in moved.json()
    town = api_as(make_user(Role.CASEWORKER, "370114002", "shuangshan", lines=[Line.ELDERCARE]))
    assert town.patch(url, {"meals_delivered": 28}, format="json").status_code == 404
    assert MealDelivery.objects.get().meals_delivered == 82
    corrected = client.patch(url, {"meals_delivered": 90}, format="json")
    assert corrected.status_code == 200 and corrected.json()["meals_delivered"] == 90
    event = AuditEvent.objects.get(object_type="eldercare.mealdelivery", action="update")
    assert event.changes == {"meals_delivered": [82, 90]}


def test_the_caseworker_corrects_a_month_on_the_enrolment_page_even_after_it_ended(client, officer, site):
    api = client
    enrolment = enrol(api, beneficiary(), site).json()
    api.post(
        DELIVERIES, {"enrolment": enrolment["id"], "month": "2025-03", "meals_delivered": 82}, format="json"
    )
    api.post(
        f"{ENROLMENTS}{enrolment['id']}/end/", {"ended_on": "2025-03-31", "reason": "迁居"}, format="json"
    )
    delivery = MealDelivery.objects.get()
    browser = Client()
    browser.force_login(officer)
    page = browser.get(f"/eldercare/meal-delivery/{enrolment['id']}/")
    assert f"/eldercare/meal-delivery/deliveries/{delivery.pk}/correct/" in page.content.decode()
    browser.post(f"/eldercare/meal-delivery/deliveries/{delivery.pk}/correct/", {"meals_delivered": "94"})
    delivery.refresh_from_db()
    assert delivery.meals_delivered == 82  # March: 93 at most
    done = browser.post(
        f"/eldercare/meal-delivery/deliveries/{delivery.pk}/correct/", {"meals_delivered": "28"}
    )
    assert done.status_code == 302
    delivery.refresh_from_db()
    assert delivery.meals_delivered == 28
