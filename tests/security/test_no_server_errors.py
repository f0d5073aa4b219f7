"""Finding 9 of issue 8: answers the probe got as 500 are client errors (SPEC §3: a 5xx is always a bug)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.models import Person

DEEP = "[" * 5000 + "]" * 5000


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["occurred_after", "occurred_before"])
@pytest.mark.parametrize("offset", ["+16:00", "-23:59", "+99:00"])
def test_an_impossible_time_zone_offset_is_a_400_naming_the_parameter(api_as, make_user, parameter, offset):
    admin = make_user(Role.ADMINISTRATOR, "370114")

    response = api_as(admin).get("/api/v1/audit-events/", {parameter: f"2024-01-01T00:00:00{offset}"})

    assert response.status_code == 400
    assert parameter in response.json()


@pytest.mark.django_db
def test_a_real_time_zone_offset_still_filters(api_as, make_user):
    admin = make_user(Role.ADMINISTRATOR, "370114")

    response = api_as(admin).get("/api/v1/audit-events/", {"occurred_after": "2024-01-01T00:00:00+14:00"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_5000_deep_body_on_the_anonymous_token_endpoint_is_a_400():
    response = APIClient().post("/api/v1/auth/token/", DEEP, content_type="application/json")

    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.django_db
def test_a_5000_deep_body_on_people_is_a_client_error_for_anyone(api_as, caseworker):
    anonymous = APIClient().post("/api/v1/people/", DEEP, content_type="application/json")
    signed_in = api_as(caseworker).post("/api/v1/people/", DEEP, content_type="application/json")

    assert anonymous.status_code in (400, 401)
    assert signed_in.status_code == 400
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_nesting_is_allowed_up_to_64_levels_and_refused_beyond(api_as, caseworker):
    client = api_as(caseworker)

    at_limit = client.post("/api/v1/people/", nested(64), content_type="application/json")
    beyond = client.post("/api/v1/people/", nested(65), content_type="application/json")

    assert at_limit.status_code == 400 and "64" not in str(at_limit.json())  # shape error, not depth
    assert beyond.status_code == 400 and "64" in str(beyond.json())


@pytest.mark.django_db
def test_brackets_inside_strings_do_not_count_as_nesting(make_user):
    make_user(Role.CASEWORKER, username="worker")
    body = '{"username": "worker", "password": "[\\"' + "[{" * 100 + '"}'

    response = APIClient().post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()  # a wrong password, not a refused body


@pytest.mark.django_db
def test_a_body_over_one_megabyte_is_a_413(api_as, caseworker):
    body = '{"id_number": "11010519491231002X", "name": "张三", "division": "370114001001", "x": "%s"}' % (
        "a" * (1024 * 1024)
    )

    response = api_as(caseworker).post("/api/v1/people/", body, content_type="application/json")

    assert response.status_code == 413
    assert not Person.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_registrations_of_one_number_answer_one_201_and_client_errors(api_as, caseworker):
    clients = [api_as(caseworker) for _ in range(8)]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []

    def register(client: APIClient) -> None:
        try:
            start.wait()
            response = client.post(
                "/api/v1/people/",
                {"id_number": "11010519491231002X", "name": "张三", "division": "370114001001"},
                format="json",
            )
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] + [400] * 7
    assert Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", object_type="people.person").count() == 1
