"""Households (members, relations, incomes) and enrollment status changes, by API (SPEC §3.1, §4.3)."""

import datetime

import pytest

from assistance.models import Enrollment, Household, HouseholdMember
from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from tests.assistance.factories import EnrollmentFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

HOUSEHOLDS = "/api/v1/assistance/households/"


def household_payload(people, **overrides):
    relations = ["self", "spouse", "child", "parent"]
    payload = {
        "division": "370114001001",
        "address": "明水街道龙泉路1号",
        "members": [
            {"person": person.pk, "relation": relations[i], "monthly_income": f"{100 * i}.00"}
            for i, person in enumerate(people)
        ],
    }
    payload.update(overrides)
    return payload


def test_household_is_created_with_head_and_members(api_as, caseworker):
    people = PersonFactory.create_batch(3)

    response = api_as(caseworker).post(HOUSEHOLDS, household_payload(people), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["head"] == people[0].pk
    assert body["division"] == "370114001001"
    assert body["members"] == [
        {"person": people[0].pk, "relation": "self", "monthly_income": "0.00"},
        {"person": people[1].pk, "relation": "spouse", "monthly_income": "100.00"},
        {"person": people[2].pk, "relation": "child", "monthly_income": "200.00"},
    ]
    assert AuditEvent.objects.filter(object_type="assistance.household", action="create").exists()


def test_household_needs_exactly_one_head(api_as, caseworker):
    people = PersonFactory.create_batch(2)
    payload = household_payload(people)
    payload["members"][1]["relation"] = "self"

    response = api_as(caseworker).post(HOUSEHOLDS, payload, format="json")

    assert response.status_code == 400
    assert "head" in response.json()["members"][0]
    assert not Household.objects.exists()


def test_negative_income_is_refused(api_as, caseworker):
    payload = household_payload(PersonFactory.create_batch(1))
    payload["members"][0]["monthly_income"] = "-1.00"

    response = api_as(caseworker).post(HOUSEHOLDS, payload, format="json")

    assert response.status_code == 400
    assert "members" in response.json()


def test_a_person_belongs_to_one_household(api_as, caseworker):
    person = PersonFactory()
    client = api_as(caseworker)
    client.post(HOUSEHOLDS, household_payload([person]), format="json")

    response = client.post(HOUSEHOLDS, household_payload([person], address="另一处"), format="json")

    assert response.status_code == 400
    assert person.name in response.json()["members"][0]
    assert Household.objects.count() == 1


def test_member_from_another_town_is_not_found(api_as, caseworker):
    stranger = PersonFactory(division_id="370114002001")

    response = api_as(caseworker).post(HOUSEHOLDS, household_payload([stranger]), format="json")

    assert response.status_code == 400
    assert stranger.name not in str(response.json())
    assert not HouseholdMember.objects.exists()


def test_updating_incomes_is_audited_with_before_and_after(api_as, caseworker):
    people = PersonFactory.create_batch(2)
    client = api_as(caseworker)
    household = client.post(HOUSEHOLDS, household_payload(people), format="json").json()
    changed = household_payload(people)["members"]
    changed[1]["monthly_income"] = "850.00"

    response = client.patch(f"{HOUSEHOLDS}{household['id']}/", {"members": changed}, format="json")

    assert response.json()["members"][1]["monthly_income"] == "850.00"
    event = AuditEvent.objects.get(object_type="assistance.household", action="update")
    assert set(event.changes) == {"members"}


def test_household_list_runs_a_fixed_number_of_queries(api_as, caseworker, django_assert_max_num_queries):
    client = api_as(caseworker)
    for _ in range(15):
        client.post(HOUSEHOLDS, household_payload(PersonFactory.create_batch(3)), format="json")

    with django_assert_max_num_queries(8):
        response = client.get(HOUSEHOLDS, {"page_size": 15})
    assert len(response.json()["results"]) == 15


def test_enrollment_list_runs_a_fixed_number_of_queries(api_as, caseworker, django_assert_max_num_queries):
    EnrollmentFactory.create_batch(20)

    # + the amount histories and the standards, read once, that explain every row's amount
    with django_assert_max_num_queries(10):
        response = api_as(caseworker).get("/api/v1/assistance/enrollments/", {"page_size": 20})
    assert response.json()["count"] == 20


def test_suspend_resume_and_terminate_with_reasons(api_as, caseworker, make_user):
    reviewer = make_user(Role.DISTRICT_REVIEWER, "370114")
    enrollment = EnrollmentFactory()
    path = f"/api/v1/assistance/enrollments/{enrollment.pk}/"

    suspended = api_as(caseworker).post(path + "suspend/", {"reason": "收入发生变化，待复核"}, format="json")
    resumed = api_as(reviewer).post(path + "resume/", {"reason": "复核后恢复"}, format="json")
    terminated = api_as(reviewer).post(
        path + "terminate/", {"reason": "家庭收入超过标准", "end": "2024-12-31"}, format="json"
    )

    assert suspended.json()["status"] == "suspended"
    assert resumed.json()["status"] == "active"
    assert (terminated.json()["status"], terminated.json()["end"]) == ("terminated", "2024-12-31")
    assert terminated.json()["status_reason"] == "家庭收入超过标准"
    actions = list(
        AuditEvent.objects.filter(object_type="assistance.enrollment")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["transition:suspend", "transition:resume", "transition:terminate"]


def test_status_change_needs_a_reason(api_as, caseworker):
    enrollment = EnrollmentFactory()

    response = api_as(caseworker).post(
        f"/api/v1/assistance/enrollments/{enrollment.pk}/suspend/", {}, format="json"
    )

    assert response.status_code == 400
    assert "reason" in response.json()
    assert Enrollment.objects.get().status == EnrollmentStatus.ACTIVE


def test_terminated_enrollment_cannot_be_resumed(api_as, make_user):
    reviewer = make_user(Role.DISTRICT_REVIEWER, "370114")
    enrollment = EnrollmentFactory(status=EnrollmentStatus.TERMINATED, end=datetime.date(2024, 6, 30))

    response = api_as(reviewer).post(
        f"/api/v1/assistance/enrollments/{enrollment.pk}/resume/", {"reason": "x"}, format="json"
    )

    assert response.status_code == 409
    assert "detail" in response.json()


def test_caseworker_cannot_terminate(api_as, caseworker):
    enrollment = EnrollmentFactory()

    response = api_as(caseworker).post(
        f"/api/v1/assistance/enrollments/{enrollment.pk}/terminate/", {"reason": "x"}, format="json"
    )

    assert response.status_code == 403
    assert Enrollment.objects.get().status == EnrollmentStatus.ACTIVE


def test_overdue_review_filter(api_as, caseworker):
    EnrollmentFactory(next_review=datetime.date(2020, 1, 1))
    EnrollmentFactory(next_review=datetime.date(2999, 1, 1))

    overdue = api_as(caseworker).get("/api/v1/assistance/enrollments/", {"recheck_overdue": "true"}).json()

    assert [row["next_review"] for row in overdue["results"]] == ["2020-01-01"]


def test_categories_and_standards(api_as, make_user):
    from tests.assistance.factories import StandardFactory

    StandardFactory(category="dibao_rural", monthly_amount="824.00", effective_from=datetime.date(2025, 1, 1))
    StandardFactory(category="dibao_rural", monthly_amount="865.00", effective_from=datetime.date(2026, 1, 1))
    StandardFactory(
        category="tekun_rural", monthly_amount="1125.00", effective_from=datetime.date(2026, 1, 1)
    )
    client = api_as(make_user(Role.VIEWER, "370114"))

    categories = client.get("/api/v1/assistance/categories/").json()
    standards = client.get("/api/v1/assistance/standards/", {"category": "dibao_rural"}).json()

    assert len(categories) == 9
    assert {c["code"]: c["payment_kind"] for c in categories}["dibao_urban"] == "gap"
    assert [(s["monthly_amount"], s["effective_from"]) for s in standards["results"]] == [
        ("865.00", "2026-01-01"),
        ("824.00", "2025-01-01"),
    ]
