"""Every list where people appear finds them by name or whole ID number, on the page and in the API, and never by
part of a number (issue 14 #1, SPEC §2.2): elder care's home-care projects, funeral's death records, community
workers; and the people list itself."""

import datetime

import pytest
from django.utils import timezone

from eldercare.models import HomeCareKind, HomeCareProject
from funeral.models import DeathRecord
from tests.community.factories import WorkerFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def home_care_for(person):
    return HomeCareProject.objects.create(
        person=person, division_id=person.division_id, kind=HomeCareKind.FAMILY_BED, contractor="明水家政"
    )


def death_of(person):
    return DeathRecord.objects.create(
        person=person,
        division_id=person.division_id,
        date_of_death=timezone.localdate() - datetime.timedelta(days=3),
    )


def worker_as(person):
    return WorkerFactory(person=person)


LISTS = [
    pytest.param(home_care_for, "/eldercare/home-care/", "/api/v1/eldercare/home-care/", id="home care"),
    pytest.param(death_of, "/funeral/deaths/", "/api/v1/funeral/deaths/", id="deaths"),
    pytest.param(worker_as, "/community/workers/", "/api/v1/community/workers/", id="community workers"),
]


def on_page(client, url, search):
    response = client.get(url, {"search": search})
    assert response.status_code == 200
    return [row.pk for row in response.context["page"]]


def in_api(client, url, search):
    response = client.get(url, {"search": search})
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(("make", "page_url", "api_url"), LISTS)
def test_a_whole_id_number_finds_the_one_record(client, api_as, caseworker, make, page_url, api_url):
    wanted = make(PersonFactory(birth_date=datetime.date(1950, 3, 1)))
    make(PersonFactory(birth_date=datetime.date(1951, 4, 2)))
    number = wanted.person.id_number
    client.force_login(caseworker)

    assert on_page(client, page_url, number) == [wanted.pk]
    assert on_page(client, page_url, wanted.person.name) == [wanted.pk]
    assert in_api(api_as(caseworker), api_url, number) == [wanted.pk]


@pytest.mark.parametrize(("make", "page_url", "api_url"), LISTS)
def test_part_of_an_id_number_finds_nothing(client, api_as, caseworker, make, page_url, api_url):
    record = make(PersonFactory(birth_date=datetime.date(1950, 3, 1)))
    number = record.person.id_number
    client.force_login(caseworker)

    for part in (number[:6], number[:14], number[:17], number[1:]):
        assert on_page(client, page_url, part) == []
        assert in_api(api_as(caseworker), api_url, part) == []


def test_the_people_list_finds_a_whole_number_only(client, api_as, caseworker):
    person = PersonFactory()
    PersonFactory()
    client.force_login(caseworker)

    assert on_page(client, "/people/", person.id_number) == [person.pk]
    assert on_page(client, "/people/", person.id_number[:17]) == []
    assert in_api(api_as(caseworker), "/api/v1/people/", person.id_number.lower()) == [person.pk]
    assert in_api(api_as(caseworker), "/api/v1/people/", person.id_number[:12]) == []


def test_the_people_api_still_refuses_an_invalid_filter(api_as, caseworker):
    response = api_as(caseworker).get("/api/v1/people/", {"is_deceased": "maybe"})

    assert response.status_code == 400 and list(response.json()) == ["is_deceased"]


def test_the_people_page_keeps_its_filters_in_the_url(client, caseworker):
    wanted = PersonFactory(sex="female", division_id="370114001002")
    PersonFactory(sex="male", division_id="370114001002")
    PersonFactory(sex="female", division_id="370114001001")
    client.force_login(caseworker)
    query = {"sex": "female", "division": "370114001002", "ordering": "name", "page_size": "10"}

    response = client.get("/people/", query)

    assert [p.pk for p in response.context["page"]] == [wanted.pk]
    html = response.content.decode()
    assert '<option value="female" selected>' in html
    assert '<option value="370114001002" selected>明水街道 / 明水村（370114001002）</option>' in html
    assert '<input type="hidden" name="ordering" value="name">' in html
