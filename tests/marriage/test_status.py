"""Marital status on a date (SPEC §6), derived from the records across marriage, divorce and remarriage."""

import datetime

import pytest
from django.utils import timezone

from marriage import services
from tests.marriage.conftest import days_ago
from tests.marriage.factories import DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

D = datetime.date


def status(client, person, on):
    response = client.get("/api/v1/marriage/status/", {"person": person.pk, "date": str(on)})
    assert response.status_code == 200, response.json()
    return response.json()


def test_status_across_marriage_divorce_and_remarriage_to_the_same_person(divisions, registrar_api):
    husband, wife = man(), woman()
    first = RegistrationFactory(
        party_a=husband, party_b=wife, registration_date=D(2010, 10, 1), dissolved_on=D(2016, 3, 8)
    )
    again = RegistrationFactory(party_a=wife, party_b=husband, registration_date=D(2018, 2, 14))

    single = {"married": False, "spouse": None, "since": None, "registration": None}
    assert status(registrar_api, husband, D(2010, 9, 30)) == single
    assert status(registrar_api, husband, D(2010, 10, 1)) == {
        "married": True,
        "spouse": wife.pk,
        "since": "2010-10-01",
        "registration": first.pk,
    }
    assert status(registrar_api, wife, D(2016, 3, 7))["spouse"] == husband.pk
    assert status(registrar_api, husband, D(2016, 3, 8)) == single  # divorced that day
    assert status(registrar_api, wife, D(2017, 1, 1)) == single
    assert status(registrar_api, wife, D(2018, 2, 14)) == {
        "married": True,
        "spouse": husband.pk,
        "since": "2018-02-14",
        "registration": again.pk,
    }


def test_status_follows_the_services_through_a_divorce_and_a_remarriage(
    divisions, registrar, registrar_api, freeze_today
):
    husband, wife = man(), woman()
    first = services.registration_create(
        actor=registrar,
        party_a=husband,
        party_b=wife,
        registration_date=D(2013, 5, 1),
        declares_not_close_relatives=True,
    )
    freeze_today(D(2024, 5, 6))  # they apply in person on a Monday…
    divorce = services.divorce_apply(
        actor=registrar, registration=first, agreement="无子女；财产平分。", attended_in_person=True
    )
    today = freeze_today(D(2024, 6, 20))  # …and come for the certificate 45 days later
    services.divorce_issue(actor=registrar, divorce=divorce)

    between = status(registrar_api, wife, today)
    again = services.registration_create(
        actor=registrar,
        party_a=wife,
        party_b=husband,
        registration_date=today,
        declares_not_close_relatives=True,
    )

    assert status(registrar_api, wife, days_ago(1))["since"] == "2013-05-01"
    assert between["married"] is False
    assert status(registrar_api, husband, today) == {
        "married": True,
        "spouse": wife.pk,
        "since": str(today),
        "registration": again.pk,
    }


def test_a_withdrawn_divorce_leaves_them_married(divisions, registrar, registrar_api):
    marriage = RegistrationFactory(registration_date=D(2015, 1, 1))
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(3))
    services.divorce_withdraw(actor=registrar, divorce=divorce)

    assert status(registrar_api, marriage.party_a, timezone.localdate())["married"] is True


def test_a_spouses_death_ends_the_marriage(divisions, registrar_api):
    husband = man()
    RegistrationFactory(
        party_a=husband,
        party_b=woman(is_deceased=True, date_of_death=D(2021, 7, 1)),
        registration_date=D(2000, 1, 1),
    )

    assert status(registrar_api, husband, D(2021, 6, 30))["married"] is True
    assert status(registrar_api, husband, D(2021, 7, 1))["married"] is True  # married on the date of death
    assert status(registrar_api, husband, D(2021, 7, 2))["married"] is False


def test_the_date_defaults_to_today(divisions, registrar_api):
    marriage = RegistrationFactory(registration_date=days_ago(1))

    response = registrar_api.get("/api/v1/marriage/status/", {"person": marriage.party_b_id})

    assert response.json()["spouse"] == marriage.party_a_id


def test_the_person_is_required_and_the_date_must_be_a_date(divisions, registrar_api):
    missing = registrar_api.get("/api/v1/marriage/status/")
    bad_date = registrar_api.get("/api/v1/marriage/status/", {"person": man().pk, "date": "2024-02-30"})

    assert missing.status_code == 400 and "person" in missing.json()
    assert bad_date.status_code == 400 and "date" in bad_date.json()


def test_a_person_outside_the_jurisdiction_or_unknown_is_404(divisions, api_as, caseworker):
    stranger = man(division_id="370114002001")
    client = api_as(caseworker)

    outside = client.get("/api/v1/marriage/status/", {"person": stranger.pk})
    unknown = client.get("/api/v1/marriage/status/", {"person": 999_999_999})

    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()


def test_an_api_client_may_ask_and_a_viewer_may_not(divisions, api_as, make_user):
    from civil_affairs.accounts.models import Role

    person = man()

    assert (
        api_as(make_user(Role.API_CLIENT, "370114"))
        .get("/api/v1/marriage/status/", {"person": person.pk})
        .status_code
        == 200
    )
    assert (
        api_as(make_user(Role.VIEWER, "370114"))
        .get("/api/v1/marriage/status/", {"person": person.pk})
        .status_code
        == 403
    )
    assert api_as(None).get("/api/v1/marriage/status/", {"person": person.pk}).status_code == 401
