"""Finding 2 of issue 8: full ID numbers must not leak through write answers or prefix searches (SPEC §2.2)."""

import pytest

from civil_affairs.audit.models import AuditEvent
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"
MASKED = "110105********002X"


def test_an_empty_patch_answers_the_masked_number_and_writes_no_full_view(api_as, caseworker):
    person = PersonFactory(id_number=NUMBER)

    response = api_as(caseworker).patch(f"/api/v1/people/{person.pk}/", {}, format="json")

    assert response.status_code == 200
    assert response.json()["id_number"] == MASKED
    assert NUMBER not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view_full_id").exists()


def test_registration_answers_the_masked_number(api_as, caseworker):
    response = api_as(caseworker).post(
        "/api/v1/people/",
        {"id_number": NUMBER, "name": "张三", "division": "370114001001"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["id_number"] == MASKED
    assert NUMBER not in response.content.decode()


def test_a_put_answers_the_masked_number(api_as, caseworker):
    person = PersonFactory(id_number=NUMBER)

    response = api_as(caseworker).put(
        f"/api/v1/people/{person.pk}/",
        {"id_number": NUMBER, "name": "张三", "division": "370114001001", "phone": ""},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["id_number"] == MASKED


def test_the_detail_view_shows_the_full_number_and_audits_it(api_as, caseworker):
    person = PersonFactory(id_number=NUMBER)

    response = api_as(caseworker).get(f"/api/v1/people/{person.pk}/")

    assert response.json()["id_number"] == NUMBER
    assert AuditEvent.objects.filter(action="view_full_id", object_id=str(person.pk)).count() == 1


@pytest.mark.parametrize("prefix", ["1", "110105", "1101051949", "11010519491231002"])
def test_api_search_by_a_prefix_of_the_number_finds_nobody(api_as, caseworker, prefix):
    PersonFactory(id_number=NUMBER)

    response = api_as(caseworker).get("/api/v1/people/", {"search": prefix})

    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize("prefix", ["1", "110105", "1101051949", "11010519491231002"])
def test_page_search_by_a_prefix_of_the_number_finds_nobody(client, caseworker, prefix):
    person = PersonFactory(id_number=NUMBER, name="王小明")
    client.force_login(caseworker)

    page = client.get("/people/", {"search": prefix})

    assert page.status_code == 200
    assert f"/people/{person.pk}/" not in page.content.decode()


def test_recovering_a_number_digit_by_digit_gets_nowhere(client, caseworker):
    """The attack: extend a known prefix one digit at a time while the person stays on the page."""
    person = PersonFactory(id_number=NUMBER, name="王小明")
    client.force_login(caseworker)

    found = [
        f"/people/{person.pk}/" in client.get("/people/", {"search": NUMBER[:length]}).content.decode()
        for length in range(1, 18)
    ]

    assert found == [False] * 17


def test_search_by_the_whole_number_finds_the_person_masked(api_as, client, caseworker):
    person = PersonFactory(id_number=NUMBER, name="王小明")
    PersonFactory(name="李大华")

    found = api_as(caseworker).get("/api/v1/people/", {"search": NUMBER.lower()}).json()
    client.force_login(caseworker)
    page = client.get("/people/", {"search": NUMBER}).content.decode()

    assert [row["id"] for row in found["results"]] == [person.pk]
    assert found["results"][0]["id_number"] == MASKED
    assert f"/people/{person.pk}/" in page
    assert MASKED in page


def test_a_name_with_the_last_four_narrows_a_name_search(api_as, caseworker):
    wanted = PersonFactory(id_number=NUMBER, name="王小明")
    PersonFactory(name="王小明")

    response = api_as(caseworker).get("/api/v1/people/", {"search": "王小明 002x"})

    assert [row["id"] for row in response.json()["results"]] == [wanted.pk]


def test_the_last_four_alone_find_nobody(api_as, caseworker):
    PersonFactory(id_number=NUMBER, name="王小明")

    assert api_as(caseworker).get("/api/v1/people/", {"search": "002X"}).json()["count"] == 0
