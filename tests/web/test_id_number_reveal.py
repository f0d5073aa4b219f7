"""A person's full ID number is shown on a click, one audit event per click, not on every page load
(issue 14 #5, SPEC §2.2)."""

import pytest

from civil_affairs.audit.models import AuditEvent
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

NUMBER = "11010519491231002X"
MASKED = "110105********002X"


def views_of(person):
    return AuditEvent.objects.filter(action="view_full_id", object_id=str(person.pk))


def test_the_record_shows_the_number_masked_and_records_nothing(client, caseworker):
    person = PersonFactory(id_number=NUMBER, division_id="370114001001")
    client.force_login(caseworker)

    html = client.get(f"/people/{person.pk}/").content.decode()

    assert MASKED in html and NUMBER not in html
    assert f'action="/people/{person.pk}/id-number/"' in html
    assert not views_of(person).exists()


def test_each_click_shows_the_full_number_and_records_one_view(client, caseworker):
    person = PersonFactory(id_number=NUMBER, division_id="370114001001")
    client.force_login(caseworker)

    first = client.post(f"/people/{person.pk}/id-number/")
    second = client.post(f"/people/{person.pk}/id-number/", REMOTE_ADDR="10.1.2.3")

    assert NUMBER in first.content.decode() and NUMBER in second.content.decode()
    assert "no-store" in first["Cache-Control"]
    assert [(event.actor_id, event.ip_address) for event in views_of(person).order_by("id")] == [
        (caseworker.pk, "127.0.0.1"),
        (caseworker.pk, "10.1.2.3"),
    ]


def test_the_number_is_not_revealed_by_a_get(client, caseworker):
    person = PersonFactory(id_number=NUMBER, division_id="370114001001")
    client.force_login(caseworker)

    response = client.get(f"/people/{person.pk}/id-number/")

    assert response.status_code == 405
    assert not views_of(person).exists()


def test_a_person_outside_the_jurisdiction_is_not_found(client, caseworker):
    stranger = PersonFactory(id_number=NUMBER, division_id="370114002001")
    client.force_login(caseworker)

    response = client.post(f"/people/{stranger.pk}/id-number/")

    assert response.status_code == 404
    assert not views_of(stranger).exists()
