"""People carry an optional disability certificate: kind and grade 1–4, both or neither (SPEC §2.2), through
the API and the pages, audited."""

import pytest

from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.models import Person
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

VALID = "11010519491231002X"


def register(client, **fields):
    payload = {"id_number": VALID, "name": "张三", "division": "370114001001", **fields}
    return client.post("/api/v1/people/", payload, format="json")


def test_a_person_is_registered_with_a_certificate_and_reads_it_back(api_as, caseworker):
    response = register(api_as(caseworker), disability_kind="intellectual", disability_grade=2)

    assert response.status_code == 201, response.json()
    assert (response.json()["disability_kind"], response.json()["disability_grade"]) == ("intellectual", 2)
    person = Person.objects.get()
    assert (person.disability_kind, person.disability_grade) == ("intellectual", 2)
    event = AuditEvent.objects.get(object_type="people.person", action="create")
    assert event.changes["disability_grade"] == [None, 2]


def test_without_a_certificate_both_fields_are_empty(api_as, caseworker):
    body = register(api_as(caseworker)).json()

    assert (body["disability_kind"], body["disability_grade"]) == ("", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"disability_kind": "physical"}, "disability_grade"),
        ({"disability_grade": 2}, "disability_kind"),
        ({"disability_kind": "physical", "disability_grade": 5}, "disability_grade"),
        ({"disability_kind": "nerves", "disability_grade": 1}, "disability_kind"),
    ],
)
def test_half_a_certificate_or_a_grade_out_of_range_is_refused_and_nothing_stored(
    api_as, caseworker, fields, field
):
    response = register(api_as(caseworker), **fields)

    assert response.status_code == 400
    assert field in response.json()
    assert not Person.objects.exists()


def test_a_certificate_is_added_and_removed_by_patch_with_an_audit_event(api_as, caseworker):
    person = PersonFactory()
    client = api_as(caseworker)

    added = client.patch(
        f"/api/v1/people/{person.pk}/", {"disability_kind": "visual", "disability_grade": 1}, format="json"
    )
    removed = client.patch(
        f"/api/v1/people/{person.pk}/", {"disability_kind": "", "disability_grade": None}, format="json"
    )

    assert added.status_code == 200 and added.json()["disability_grade"] == 1
    assert removed.status_code == 200 and removed.json()["disability_kind"] == ""
    person.refresh_from_db()
    assert (person.disability_kind, person.disability_grade) == ("", None)
    changes = [
        e.changes["disability_kind"]
        for e in AuditEvent.objects.filter(object_id=str(person.pk), action="update").order_by("id")
    ]
    assert changes == [["", "visual"], ["visual", ""]]


def test_changing_only_the_grade_keeps_the_kind(api_as, caseworker):
    person = PersonFactory(disability_kind="mental", disability_grade=3)

    response = api_as(caseworker).patch(
        f"/api/v1/people/{person.pk}/", {"disability_grade": 2}, format="json"
    )

    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.disability_kind, person.disability_grade) == ("mental", 2)


def test_the_page_form_records_a_certificate_and_the_detail_shows_it(client, caseworker):
    person = PersonFactory(name="李残")
    client.force_login(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "id_number": person.id_number,
            "name": person.name,
            "division": person.division_id,
            "phone": "",
            "disability_kind": "physical",
            "disability_grade": "2",
        },
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.disability_kind, person.disability_grade) == ("physical", 2)
    assert "Physical disability, grade 2" in client.get(f"/people/{person.pk}/").content.decode()


def test_the_page_shows_half_a_certificate_beside_the_grade(client, caseworker):
    person = PersonFactory()
    client.force_login(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(
        f"/people/{person.pk}/edit/",
        {
            "id_number": person.id_number,
            "name": person.name,
            "division": person.division_id,
            "disability_kind": "physical",
        },
    )

    assert response.status_code == 200
    assert "A disability certificate has both a kind and a grade." in str(
        response.context["form"].errors["disability_grade"]
    )
    person.refresh_from_db()
    assert person.disability_kind == ""
