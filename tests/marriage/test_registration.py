"""Registering a marriage (SPEC §6): every rule of the Civil Code refuses with a 400 that names the rule and
the party, and stores nothing; an accepted registration gets a unique certificate number and an audit event."""

import datetime

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from marriage import services
from marriage.models import Registration
from tests.marriage.conftest import registration_body
from tests.marriage.factories import RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

D = datetime.date
ON = D(2024, 6, 15)


def fields_refused(response):
    """The 400's errors by field, without the ``rule`` that names the refusal (SPEC §3)."""
    body = response.json()
    assert body.pop("rule", "marriage_refused") == "marriage_refused"
    return body


def post(client, party_a, party_b, on=ON, declares=True):
    return client.post(
        "/api/v1/marriage/registrations/", registration_body(party_a, party_b, on, declares), format="json"
    )


def test_a_registration_gets_a_certificate_number_and_an_audit_event(divisions, registrar_api):
    groom, bride = man(), woman()

    response = post(registrar_api, groom, bride)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["certificate_number"] == "J370114-2024-000001"
    assert (body["party_a"], body["party_b"], body["registration_date"]) == (groom.pk, bride.pk, "2024-06-15")
    assert body["dissolved_on"] is None
    registration = Registration.objects.get()
    event = AuditEvent.objects.get(object_type="marriage.registration", object_id=str(registration.pk))
    assert event.action == "create"
    assert event.actor_username == "registrar"
    assert event.changes["certificate_number"] == [None, "J370114-2024-000001"]


def test_certificate_numbers_run_per_year_and_never_repeat(divisions, registrar_api):
    first = post(registrar_api, man(), woman(), D(2024, 6, 15)).json()
    second = post(registrar_api, man(), woman(), D(2024, 6, 18)).json()
    other_year = post(registrar_api, man(), woman(), D(2023, 12, 31)).json()

    assert first["certificate_number"] == "J370114-2024-000001"
    assert second["certificate_number"] == "J370114-2024-000002"
    assert other_year["certificate_number"] == "J370114-2023-000001"


@pytest.mark.parametrize(
    ("sex", "age", "birthday_offset", "accepted"),
    [
        ("male", 22, 1, False),  # the eve of his 22nd birthday
        ("male", 22, 0, True),  # the birthday itself counts
        ("male", 22, -1, True),
        ("female", 20, 1, False),
        ("female", 20, 0, True),
        ("female", 20, -1, True),
    ],
)
def test_legal_age_on_the_registration_date(divisions, registrar_api, sex, age, birthday_offset, accepted):
    birthday = ON.replace(year=ON.year - age) + datetime.timedelta(days=birthday_offset)
    if sex == "male":
        groom, bride = man(birthday, name="少年"), woman()
        party = "party_a"
    else:
        groom, bride = man(), woman(birthday, name="少女")
        party = "party_b"

    response = post(registrar_api, groom, bride)

    if accepted:
        assert response.status_code == 201, response.json()
        return
    assert response.status_code == 400
    errors = fields_refused(response)
    assert list(errors) == [party]
    (message,) = errors[party]
    assert "under the legal marriage age" in message
    assert f"from the age of {age}" in message
    assert "art. 1047" in message
    assert ("少年" if sex == "male" else "少女") in message
    assert str(ON + datetime.timedelta(days=birthday_offset)) in message  # the day they reach it
    assert not Registration.objects.exists()


def test_a_man_born_on_29_february_reaches_the_age_on_1_march_in_a_common_year(divisions, registrar_api):
    groom, bride = man(D(2000, 2, 29)), woman()

    refused = post(registrar_api, groom, bride, D(2022, 2, 28))
    accepted = post(registrar_api, groom, bride, D(2022, 3, 1))

    assert refused.status_code == 400
    assert "2022-03-01" in refused.json()["party_a"][0]
    assert accepted.status_code == 201


def test_a_woman_born_on_29_february_reaches_the_age_on_29_february_in_a_leap_year(divisions, registrar_api):
    response = post(registrar_api, man(), woman(D(2004, 2, 29)), D(2024, 2, 29))

    assert response.status_code == 201


@pytest.mark.parametrize(("sex", "word"), [("male", "both men"), ("female", "both women")])
def test_two_people_of_the_same_sex_are_refused(divisions, registrar_api, sex, word):
    from tests.marriage.factories import person

    first, second = person(sex, D(1990, 1, 1), name="甲"), person(sex, D(1991, 1, 1), name="乙")

    response = post(registrar_api, first, second)

    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert word in message and "art. 1049" in message and "甲" in message and "乙" in message
    assert not Registration.objects.exists()


def test_one_person_cannot_be_both_parties(divisions, registrar_api):
    groom = man()

    response = post(registrar_api, groom, groom)

    assert response.status_code == 400
    assert response.json()["party_b"] == ["Party A and party B are the same person."]


def test_someone_married_to_a_third_person_is_refused_and_named(divisions, registrar_api):
    groom, bride, wife = man(name="张三"), woman(name="李四"), woman(name="王五")
    existing = RegistrationFactory(party_a=groom, party_b=wife, registration_date=D(2018, 1, 1))

    response = post(registrar_api, groom, bride)

    assert response.status_code == 400
    errors = fields_refused(response)
    assert list(errors) == ["party_a"]
    (message,) = errors["party_a"]
    assert "张三 is married to 王五" in message
    assert existing.certificate_number in message
    assert "art. 1042" in message
    assert Registration.objects.count() == 1


def test_party_b_married_to_a_third_person_is_named_under_party_b(divisions, registrar_api):
    groom, bride = man(), woman(name="李四")
    RegistrationFactory(party_a=man(name="前夫"), party_b=bride, registration_date=D(2019, 3, 3))

    response = post(registrar_api, groom, bride)

    assert response.status_code == 400
    assert list(fields_refused(response)) == ["party_b"]
    assert "李四 is married to 前夫" in response.json()["party_b"][0]


def test_two_people_already_married_to_each_other_are_refused(divisions, registrar_api):
    groom, bride = man(), woman()
    RegistrationFactory(party_a=groom, party_b=bride, registration_date=D(2020, 5, 20))

    response = post(registrar_api, bride, groom)

    assert response.status_code == 400
    errors = fields_refused(response)
    assert set(errors) == {"party_a", "party_b"}
    assert all("already married to each other" in errors[key][0] for key in errors)
    assert Registration.objects.count() == 1


def test_a_back_dated_registration_cannot_overlap_a_later_marriage(divisions, registrar_api):
    groom, bride = man(), woman()
    RegistrationFactory(
        party_a=groom, party_b=woman(), registration_date=D(2024, 9, 1), dissolved_on=D(2025, 1, 1)
    )

    response = post(registrar_api, groom, bride, D(2024, 6, 15))

    assert response.status_code == 400
    assert "would overlap it" in response.json()["party_a"][0]


def test_after_a_divorce_the_two_may_marry_each_other_again(divisions, registrar_api):
    groom, bride = man(), woman()
    RegistrationFactory(
        party_a=groom, party_b=bride, registration_date=D(2015, 1, 1), dissolved_on=D(2020, 1, 1)
    )

    response = post(registrar_api, groom, bride, D(2024, 6, 15))

    assert response.status_code == 201
    assert Registration.objects.filter(party_a=groom, party_b=bride).count() == 2


def test_a_widower_may_marry_again_after_his_wifes_death(divisions, registrar_api):
    groom = man()
    late_wife = woman(is_deceased=True, date_of_death=D(2022, 3, 1))
    RegistrationFactory(party_a=groom, party_b=late_wife, registration_date=D(2015, 1, 1))

    response = post(registrar_api, groom, woman())

    assert response.status_code == 201


def test_a_deceased_party_is_refused(divisions, registrar_api):
    bride = woman(name="故人", is_deceased=True, date_of_death=D(2024, 6, 15))

    response = post(registrar_api, man(), bride)

    assert response.status_code == 400
    assert response.json()["party_b"] == ["故人 died on 2024-06-15."]
    assert not Registration.objects.exists()


def test_a_party_who_died_after_the_registration_date_was_alive_then(divisions, registrar_api):
    bride = woman(is_deceased=True, date_of_death=D(2024, 7, 1))

    response = post(registrar_api, man(), bride, D(2024, 6, 15))

    assert response.status_code == 201


@pytest.mark.parametrize("body_change", [{"declares_not_close_relatives": False}, "omit"])
def test_the_declaration_of_not_being_close_relatives_is_required(divisions, registrar_api, body_change):
    body = registration_body(man(), woman(), ON)
    if body_change == "omit":
        del body["declares_not_close_relatives"]
    else:
        body.update(body_change)

    response = registrar_api.post("/api/v1/marriage/registrations/", body, format="json")

    assert response.status_code == 400
    (message,) = response.json()["declares_not_close_relatives"]
    assert "art. 1048" in message
    assert not Registration.objects.exists()


def test_a_registration_date_in_the_future_is_refused(divisions, registrar_api):
    from django.utils import timezone

    response = post(registrar_api, man(), woman(), timezone.localdate() + datetime.timedelta(days=1))

    assert response.status_code == 400
    assert list(fields_refused(response)) == ["registration_date"]


def test_every_broken_rule_is_reported_at_once_beside_its_party(divisions, registrar_api):
    groom = man(D(2010, 1, 1), name="小明")
    bride = woman(name="故人", is_deceased=True, date_of_death=D(2023, 1, 1))

    response = post(registrar_api, groom, bride, declares=False)

    assert response.status_code == 400
    errors = fields_refused(response)
    assert set(errors) == {"party_a", "party_b", "declares_not_close_relatives"}
    assert "小明 is under the legal marriage age" in errors["party_a"][0]
    assert errors["party_b"] == ["故人 died on 2023-01-01."]


def test_the_registration_date_defaults_to_today(divisions, registrar_api):
    from django.utils import timezone

    body = registration_body(man(), woman(), ON)
    del body["registration_date"]

    response = registrar_api.post("/api/v1/marriage/registrations/", body, format="json")

    assert response.status_code == 201
    assert response.json()["registration_date"] == str(timezone.localdate())


@pytest.mark.parametrize("role", [Role.VIEWER, Role.API_CLIENT, Role.DISTRICT_REVIEWER])
def test_only_caseworkers_and_administrators_register(divisions, api_as, make_user, role):
    response = post(api_as(make_user(role, "370114")), man(), woman())

    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_a_person_outside_the_jurisdiction_reads_as_unknown(divisions, api_as, caseworker):
    stranger = woman(division_id="370114002001")

    response = post(api_as(caseworker), man(), stranger)

    assert response.status_code == 400
    assert "does not exist" in response.json()["party_b"][0]


def test_the_service_refuses_a_person_outside_the_jurisdiction(divisions, caseworker):
    from civil_affairs.errors import RuleViolation

    with pytest.raises(RuleViolation) as refused:
        services.registration_create(
            actor=caseworker,
            party_a=man(),
            party_b=woman(division_id="370114002001"),
            registration_date=ON,
            declares_not_close_relatives=True,
        )

    assert list(refused.value.errors) == ["party_b"]
