"""Community workers through the API (SPEC §8): grade ranges, contract dates, one post at a time, pay,
grade steps, jurisdiction and lines of work."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from community.models import CommunityWorker, PayScale
from tests.community.factories import WorkerFactory, days_from_today
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/community/workers/"


def body(person, **changes) -> dict:
    data = {
        "person": person.pk,
        "community": "370114001001",
        "post": "staff",
        "grade": 1,
        "contract_start": str(days_from_today(-10)),
        "contract_end": str(days_from_today(1000)),
        "certificate": "assistant",
        "recruitment_batch": "2023",
    }
    data.update(changes)
    return data


def test_recording_a_worker_stores_the_post_and_audits_it(officer_api, divisions):
    person = PersonFactory()
    PayScale.objects.create(post="staff", grade=1, monthly_pay=Decimal("3800.00"), is_demo=True)
    response = officer_api.post(URL, body(person), format="json")
    assert response.status_code == 201, response.content
    worker = CommunityWorker.objects.get()
    assert (worker.person, worker.community_id, worker.post, worker.grade) == (
        person,
        "370114001001",
        "staff",
        1,
    )
    assert worker.grade_since == worker.contract_start
    assert response.json()["monthly_pay"] == "3800.00"
    assert response.json()["is_current"] is True
    assert AuditEvent.objects.filter(
        object_type="community.communityworker", object_id=str(worker.pk)
    ).exists()


@pytest.mark.parametrize(
    ("post", "grade", "accepted"),
    [
        ("head", 7, True),
        ("head", 18, True),
        ("head", 6, False),
        ("head", 19, False),
        ("deputy", 4, True),
        ("deputy", 15, True),
        ("deputy", 3, False),
        ("deputy", 16, False),
        ("staff", 1, True),
        ("staff", 12, True),
        ("staff", 0, False),
        ("staff", 13, False),
    ],
)
def test_grade_must_lie_in_the_posts_range(officer_api, divisions, post, grade, accepted):
    response = officer_api.post(URL, body(PersonFactory(), post=post, grade=grade), format="json")
    if accepted:
        assert response.status_code == 201, response.content
        assert CommunityWorker.objects.get().grade == grade
    else:
        assert response.status_code == 400
        assert "grade" in response.json()
        assert not CommunityWorker.objects.exists()


def test_a_contract_ending_the_day_it_starts_is_refused(officer_api, divisions):
    start = str(days_from_today(0))
    response = officer_api.post(
        URL, body(PersonFactory(), contract_start=start, contract_end=start), format="json"
    )
    assert response.status_code == 400
    assert "end after it starts" in response.json()["contract_end"][0]
    assert not CommunityWorker.objects.exists()


def test_a_second_current_post_is_refused(officer_api, divisions):
    person = PersonFactory()
    WorkerFactory(person=person)
    response = officer_api.post(URL, body(person, community="370114001002"), format="json")
    assert response.status_code == 400
    assert "one post at a time" in response.json()["person"][0]
    assert CommunityWorker.objects.count() == 1


def test_a_new_post_after_leaving_is_accepted(officer_api, divisions):
    person = PersonFactory()
    WorkerFactory(person=person, left_on=days_from_today(-11))
    response = officer_api.post(URL, body(person), format="json")
    assert response.status_code == 201, response.content
    assert CommunityWorker.objects.filter(person=person).count() == 2


def test_the_database_refuses_overlapping_posts_too(divisions):
    from django.db import IntegrityError, transaction

    person = PersonFactory()
    WorkerFactory(person=person)
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerFactory(person=person, community_id="370114001002")


def test_a_town_is_not_a_community(officer_api, divisions):
    response = officer_api.post(URL, body(PersonFactory(), community="370114001"), format="json")
    assert response.status_code == 400
    assert "not a village or community" in response.json()["community"][0]


def test_grade_step_is_due_after_three_years_in_the_grade(officer_api, divisions):
    due = WorkerFactory(grade_since=days_from_today(-365 * 3 - 1), contract_start=days_from_today(-365 * 4))
    WorkerFactory(grade_since=days_from_today(-365))
    WorkerFactory(
        post="staff",
        grade=12,
        grade_since=days_from_today(-365 * 5),
        contract_start=days_from_today(-365 * 5),
    )
    results = officer_api.get(URL + "steps-due/").json()["results"]
    assert [row["id"] for row in results] == [due.pk]


def test_changing_the_grade_is_checked_and_audited(officer_api, divisions):
    worker = WorkerFactory(post="staff", grade=3)
    assert officer_api.patch(f"{URL}{worker.pk}/", {"grade": 13}, format="json").status_code == 400
    response = officer_api.patch(f"{URL}{worker.pk}/", {"grade": 4}, format="json")
    assert response.status_code == 200
    worker.refresh_from_db()
    assert (worker.grade, worker.grade_since) == (4, days_from_today(0))
    assert AuditEvent.objects.filter(action="update", object_id=str(worker.pk)).exists()


def test_another_towns_worker_answers_404(api_as, make_user, divisions):
    worker = WorkerFactory(community_id="370114002001", person=PersonFactory(division_id="370114002001"))
    caseworker = make_user(Role.CASEWORKER, "370114001", lines=["community"])
    api = api_as(caseworker)
    assert api.get(f"{URL}{worker.pk}/").status_code == 404
    assert api.patch(f"{URL}{worker.pk}/", {"grade": 4}, format="json").status_code == 404
    assert api.get(URL).json()["count"] == 0


def test_a_community_outside_the_jurisdiction_is_an_invalid_value(api_as, make_user, divisions):
    caseworker = make_user(Role.CASEWORKER, "370114001", lines=["community"])
    response = api_as(caseworker).post(URL, body(PersonFactory(), community="370114002001"), format="json")
    assert response.status_code == 400
    assert "community" in response.json()


def test_a_user_not_serving_community_work_reads_404_and_may_not_create(api_as, make_user, divisions):
    worker = WorkerFactory()
    registrar = make_user(Role.CASEWORKER, "370114", lines=["marriage"])
    api = api_as(registrar)
    assert api.get(f"{URL}{worker.pk}/").status_code == 404
    assert api.get(URL).json()["count"] == 0
    assert api.post(URL, body(PersonFactory()), format="json").status_code == 403
    assert CommunityWorker.objects.count() == 1


def test_workers_list_orders_filters_and_exports(officer_api, divisions):
    WorkerFactory(grade=5, person=PersonFactory(name="乙"))
    WorkerFactory(grade=2, person=PersonFactory(name="甲"), certificate="none")
    assert [r["grade"] for r in officer_api.get(URL + "?ordering=grade").json()["results"]] == [2, 5]
    assert [r["grade"] for r in officer_api.get(URL + "?ordering=-grade").json()["results"]] == [5, 2]
    assert officer_api.get(URL + "?ordering=bogus").status_code == 400
    assert officer_api.get(URL + "?certificate=none").json()["count"] == 1
    response = officer_api.get(URL + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_workers_list_runs_a_fixed_number_of_queries(
    officer_api, divisions, django_assert_max_num_queries
):
    for _ in range(15):
        WorkerFactory()
    with django_assert_max_num_queries(6):
        assert len(officer_api.get(URL).json()["results"]) == 15


def test_a_deceased_person_cannot_take_a_post(officer_api, divisions):
    person = PersonFactory(is_deceased=True, date_of_death=days_from_today(-30))

    response = officer_api.post(URL, body(person), format="json")

    assert response.status_code == 400 and response.json()["rule"] == "person_deceased"
    assert not CommunityWorker.objects.exists()


def test_a_child_cannot_take_a_post(officer_api, divisions):
    import datetime

    start = days_from_today(-10)
    child = PersonFactory(birth_date=start.replace(year=start.year - 17))
    adult = PersonFactory(birth_date=start.replace(year=start.year - 18) - datetime.timedelta(days=1))

    refused = officer_api.post(URL, body(child), format="json")
    accepted = officer_api.post(URL, body(adult), format="json")

    assert refused.status_code == 400 and refused.json()["rule"] == "under_working_age"
    assert accepted.status_code == 201, accepted.content
    assert list(CommunityWorker.objects.values_list("person_id", flat=True)) == [adult.pk]


def test_a_death_ends_the_workers_post_on_that_day(officer_api, divisions, make_user):
    from civil_affairs import deaths

    worker = WorkerFactory(contract_start=days_from_today(-100), contract_end=days_from_today(900))
    died = days_from_today(-3)

    deaths.announce(person=worker.person, date_of_death=died, actor=make_user(Role.ADMINISTRATOR, "370114"))

    worker.refresh_from_db()
    assert worker.left_on == died
    assert (
        AuditEvent.objects.filter(action="ended_by_death", object_type="community.communityworker").count()
        == 1
    )


# --- Dates of a post: within 2000-01-01 to 2100-12-31 (rules.EARLIEST_DAY, LATEST_DAY) ----------------------


@pytest.mark.parametrize(
    ("changes", "field", "accepted"),
    [
        ({"contract_start": "1900-01-01"}, "contract_start", False),
        ({"contract_start": "1999-12-31"}, "contract_start", False),
        ({"contract_start": "2000-01-01"}, "contract_start", True),
        ({"contract_end": "2101-01-01"}, "contract_end", False),
        ({"contract_end": "2100-12-31"}, "contract_end", True),
        ({"contract_end": "9999-12-31"}, "contract_end", False),
        ({"contract_start": "2000-01-01", "left_on": "1999-12-31"}, "left_on", False),
        ({"left_on": "2101-01-01"}, "left_on", False),
        ({"left_on": "2100-12-31"}, "left_on", True),
    ],
)
def test_a_posts_dates_lie_between_2000_and_2100(officer_api, divisions, changes, field, accepted):
    person = PersonFactory(birth_date=datetime.date(1970, 1, 1))
    response = officer_api.post(URL, body(person, **changes), format="json")
    if accepted:
        assert response.status_code == 201, response.content
        assert str(getattr(CommunityWorker.objects.get(), field)) == changes[field]
    else:
        assert response.status_code == 400
        assert response.json()["rule"] == "date_outside_span"
        assert set(response.json()) == {field, "rule"}
        assert "between 2000-01-01 and 2100-12-31" in response.json()[field][0]
        assert not CommunityWorker.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "accepted"),
    [
        ({"grade_since": "1999-12-31"}, "grade_since", False),
        ({"grade_since": "2000-01-01"}, "grade_since", True),
        ({"contract_end": "2101-01-01"}, "contract_end", False),
        ({"left_on": "2101-01-01"}, "left_on", False),
    ],
)
def test_changing_a_posts_dates_keeps_them_between_2000_and_2100(
    officer_api, divisions, changes, field, accepted
):
    worker = WorkerFactory()
    before = getattr(worker, field)
    response = officer_api.patch(f"{URL}{worker.pk}/", changes, format="json")
    worker.refresh_from_db()
    if accepted:
        assert response.status_code == 200, response.content
        assert str(getattr(worker, field)) == changes[field]
    else:
        assert response.status_code == 400
        assert response.json()["rule"] == "date_outside_span"
        assert field in response.json()
        assert getattr(worker, field) == before
        assert not AuditEvent.objects.filter(action="update", object_id=str(worker.pk)).exists()


def test_the_span_refusal_is_in_simplified_chinese_by_default(officer_api, divisions):
    response = officer_api.post(
        URL, body(PersonFactory(), contract_end="2101-01-01"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert response.json()["contract_end"] == ["日期须在 2000-01-01 至 2100-12-31 之间。"]
