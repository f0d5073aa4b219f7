"""/api/v1/people/: registration rules, masking, audited full views, jurisdiction (SPEC §2.2, §2.3, §3)."""

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person
from tests.conftest import MINGSHUI
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

VALID = "11010519491231002X"


def register(client, **overrides):
    payload = {"id_number": VALID, "name": "张三", "division": "370114001001", "phone": "13900000000"}
    payload.update(overrides)
    return client.post("/api/v1/people/", payload, format="json")


def test_caseworker_registers_person_with_derived_birth_date_and_sex(api_as, caseworker):
    response = register(api_as(caseworker), id_number="11010519491231002x")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"] == "110105********002X"  # write answers mask (SPEC §2.2)
    assert (body["birth_date"], body["sex"], body["division"]) == ("1949-12-31", "female", "370114001001")
    person = Person.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(
        object_type="people.person", object_id=str(person.pk), action="create"
    ).exists()


def test_birth_date_and_sex_in_the_request_are_refused_by_name(api_as, caseworker):
    """They come from the ID number; sending them is a 400 naming each (SPEC §3), not silently ignored."""
    response = register(api_as(caseworker), birth_date="2000-01-01", sex="male")

    assert response.status_code == 400
    assert set(response.json()) == {"birth_date", "sex"}
    assert not Person.objects.exists()


def test_second_registration_of_a_number_is_refused_and_changes_nothing(api_as, caseworker):
    client = api_as(caseworker)
    register(client)
    events_before = AuditEvent.objects.count()

    response = register(client, name="李四")

    assert response.status_code == 400
    assert "already registered" in response.json()["id_number"][0]
    assert Person.objects.filter(id_number=VALID).get().name == "张三"
    assert AuditEvent.objects.count() == events_before


def test_invalid_checksum_is_refused_naming_the_field(api_as, caseworker):
    response = register(api_as(caseworker), id_number="110105194912310021")

    assert response.status_code == 400
    assert list(response.json()) == ["id_number"]
    assert "check character" in response.json()["id_number"][0]
    assert not Person.objects.exists()


def test_error_messages_follow_the_callers_language(api_as, caseworker):
    client = api_as(caseworker)
    response = client.post(
        "/api/v1/people/",
        {"id_number": "123", "name": "张三", "division": "370114001001"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "18" in response.json()["id_number"][0]
    assert "characters" not in response.json()["id_number"][0]


def test_missing_fields_are_named(api_as, caseworker):
    response = api_as(caseworker).post("/api/v1/people/", {}, format="json")

    assert response.status_code == 400
    assert {"id_number", "name", "division"} <= set(response.json())


def test_caseworker_cannot_register_outside_jurisdiction(api_as, caseworker):
    response = register(api_as(caseworker), division="370114002001")

    assert response.status_code == 400
    assert "jurisdiction" in response.json()["division"][0]
    assert not Person.objects.exists()


def test_list_masks_id_numbers_and_is_scoped(api_as, caseworker):
    PersonFactory(division_id="370114001001", id_number=VALID)
    PersonFactory(division_id="370114002001")

    response = api_as(caseworker).get("/api/v1/people/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"][0]["id_number"] == "110105********002X"


def test_full_view_shows_number_and_is_audited(api_as, caseworker):
    person = PersonFactory(id_number=VALID)

    response = api_as(caseworker).get(f"/api/v1/people/{person.pk}/")

    assert response.json()["id_number"] == VALID
    event = AuditEvent.objects.get(action="view_full_id")
    assert (event.object_id, event.actor_id) == (str(person.pk), caseworker.pk)


def test_person_of_another_town_is_not_found(api_as, caseworker):
    stranger = PersonFactory(division_id="370114002001")
    client = api_as(caseworker)

    assert client.get(f"/api/v1/people/{stranger.pk}/").status_code == 404
    assert client.patch(f"/api/v1/people/{stranger.pk}/", {"phone": "1"}, format="json").status_code == 404
    assert not AuditEvent.objects.filter(action="view_full_id").exists()


def test_update_records_changed_fields_before_and_after(api_as, caseworker):
    person = PersonFactory(phone="13800000000")

    response = api_as(caseworker).patch(
        f"/api/v1/people/{person.pk}/", {"phone": "13911112222"}, format="json"
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="update")
    assert event.changes == {"phone": ["13800000000", "13911112222"]}


def test_correcting_the_id_number_rederives_birth_date(api_as, caseworker):
    person = PersonFactory()
    new_number = compose_id_number("370114", person.birth_date.replace(year=1960), 5, "male")

    response = api_as(caseworker).patch(
        f"/api/v1/people/{person.pk}/", {"id_number": new_number}, format="json"
    )

    person.refresh_from_db()
    assert response.status_code == 200
    assert (person.birth_date.year, person.sex) == (1960, "male")


@pytest.mark.parametrize("role", [Role.DISTRICT_REVIEWER, Role.API_CLIENT])
def test_read_only_roles_cannot_register(api_as, make_user, role):
    response = register(api_as(make_user(role, "370114")))

    assert response.status_code == 403
    assert not Person.objects.exists()


def test_viewer_reads_dashboards_not_people(api_as, make_user):
    assert api_as(make_user(Role.VIEWER, "370114")).get("/api/v1/people/").status_code == 403


def test_district_users_see_every_town(api_as, make_user):
    PersonFactory(division_id="370114001001")
    PersonFactory(division_id="370114018001")

    response = api_as(make_user(Role.API_CLIENT, "370114")).get("/api/v1/people/")

    assert response.json()["count"] == 2


def test_search_matches_name(api_as, caseworker):
    PersonFactory(name="王小明")
    PersonFactory(name="李大华")

    response = api_as(caseworker).get("/api/v1/people/", {"search": "小明"})

    assert [row["name"] for row in response.json()["results"]] == ["王小明"]


def test_list_runs_a_fixed_number_of_queries(api_as, caseworker, django_assert_max_num_queries):
    PersonFactory.create_batch(30, division_id=MINGSHUI + "001")
    client = api_as(caseworker)

    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/people/", {"page_size": 30})
    assert len(response.json()["results"]) == 30
