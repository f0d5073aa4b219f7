"""Nationwide registration (全国通办, 婚姻登记条例 2025, in force 2025-05-10; SPEC §2.2, §6; issue 9 #10): people
registered outside the district have no division but a `registration_area`, are visible to marriage users only,
and the registrar registers such a party inline on the registration form."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from civil_affairs.accounts.lines import TOWN_LINES
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.people import selectors as people_selectors
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person
from marriage.models import Registration
from tests.marriage.factories import woman

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2025, 6, 16)  # after 10 May 2025
BEIJING_GROOM = compose_id_number("110105", D(1995, 3, 8), 13, "male")  # 北京市朝阳区


@pytest.fixture(autouse=True)
def after_the_regulations(freeze_today):
    return freeze_today(TODAY)


@pytest.fixture
def town_caseworker(make_user):
    """明水's caseworker for assistance, elder care, funeral and community: no marriage line."""
    return make_user(Role.CASEWORKER, "370114001", "town_worker", lines=TOWN_LINES)


def register_outside(client, id_number=BEIJING_GROOM, area="110105", name="赵京生"):
    return client.post(
        "/api/v1/people/", {"id_number": id_number, "name": name, "registration_area": area}, format="json"
    )


def test_the_registrar_registers_a_person_from_outside_the_district(registrar_api, divisions):
    response = register_outside(registrar_api)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["division"], body["registration_area"], body["sex"], body["birth_date"]) == (
        None,
        "110105",
        "male",
        "1995-03-08",
    )
    person = Person.objects.get()
    assert (person.division_id, person.registration_area) == (None, "110105")
    event = AuditEvent.objects.get(object_type="people.person", action="create")
    assert event.changes["registration_area"] == [None, "110105"]


def test_a_party_registered_in_110105_marries_a_zhangqiu_resident(registrar_api, divisions):
    groom_id = register_outside(registrar_api).json()["id"]
    bride = woman(name="章丘新娘", division_id="370114001001")

    response = registrar_api.post(
        "/api/v1/marriage/registrations/",
        {
            "party_a": groom_id,
            "party_b": bride.pk,
            "registration_date": "2025-06-16",
            "declares_not_close_relatives": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json()["certificate_number"] == "J370114-2025-000001"
    status = registrar_api.get("/api/v1/marriage/status/", {"person": groom_id, "date": "2025-06-16"}).json()
    assert (status["married"], status["spouse"]) == (True, bride.pk)


def test_a_couple_both_from_outside_the_district_is_registered_and_visible(registrar_api, divisions):
    groom_id = register_outside(registrar_api).json()["id"]
    bride_id = register_outside(
        registrar_api, compose_id_number("310104", D(1997, 7, 1), 22, "female"), "310104", "沪小姐"
    ).json()["id"]

    created = registrar_api.post(
        "/api/v1/marriage/registrations/",
        {"party_a": groom_id, "party_b": bride_id, "declares_not_close_relatives": True},
        format="json",
    )

    assert created.status_code == 201, created.json()
    assert registrar_api.get(f"/api/v1/marriage/registrations/{created.json()['id']}/").status_code == 200


def test_people_from_outside_the_district_are_visible_to_marriage_users_only(
    api_as, registrar, registrar_api, town_caseworker, divisions
):
    person_id = register_outside(registrar_api).json()["id"]
    other_line = api_as(town_caseworker)

    assert [p["id"] for p in registrar_api.get("/api/v1/people/").json()["results"]] == [person_id]
    assert registrar_api.get(f"/api/v1/people/{person_id}/").status_code == 200
    assert other_line.get("/api/v1/people/").json()["count"] == 0
    assert other_line.get(f"/api/v1/people/{person_id}/").status_code == 404
    assert not people_selectors.people_visible_to(town_caseworker).filter(pk=person_id).exists()
    assert people_selectors.people_visible_to(registrar).filter(pk=person_id).exists()


def test_only_marriage_users_register_people_from_outside(api_as, town_caseworker, divisions):
    response = register_outside(api_as(town_caseworker))

    assert response.status_code == 403
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("area", "rule"),
    [
        ("370114", "registration_area_inside_district"),  # 章丘区 itself: choose the division
        ("991234", "registration_area_shape"),  # no province 99
        ("11010", "registration_area_shape"),
    ],
)
def test_an_area_code_must_be_a_real_one_outside_the_district(registrar_api, divisions, area, rule):
    response = register_outside(registrar_api, area=area)

    assert response.status_code == 400
    assert response.json()["rule"] == rule
    assert "registration_area" in response.json()
    assert not Person.objects.exists()


def test_a_person_has_a_division_or_an_area_never_both_nor_neither(registrar_api, divisions):
    both = registrar_api.post(
        "/api/v1/people/",
        {
            "id_number": BEIJING_GROOM,
            "name": "赵京生",
            "division": "370114001001",
            "registration_area": "110105",
        },
        format="json",
    )
    neither = registrar_api.post(
        "/api/v1/people/", {"id_number": BEIJING_GROOM, "name": "赵京生"}, format="json"
    )

    assert both.status_code == neither.status_code == 400
    assert "registration_area" in both.json() and "division" in neither.json()
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            id_number=BEIJING_GROOM, name="赵京生", sex="male", birth_date=D(1995, 3, 8), division_id=None
        )


def test_moving_into_the_district_replaces_the_area_with_the_division(registrar_api, divisions):
    person_id = register_outside(registrar_api).json()["id"]

    response = registrar_api.patch(
        f"/api/v1/people/{person_id}/", {"division": "370114001001"}, format="json"
    )

    assert response.status_code == 200, response.json()
    person = Person.objects.get()
    assert (person.division_id, person.registration_area) == ("370114001001", "")


# --- The registration form: a party from outside registered inline ---------------------------------------------


@pytest.fixture
def english(client, registrar):
    client.force_login(registrar)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def form(bride, step, **extra):
    return {
        "party_a": BEIJING_GROOM,
        "party_a_name": "赵京生",
        "party_b": bride.id_number,
        "registration_date": str(TODAY),
        "declares_not_close_relatives": "on",
        "step": step,
        **extra,
    }


def test_an_unknown_id_number_asks_for_the_party_from_outside(english, divisions):
    bride = woman(division_id="370114001001")

    html = english.post(
        "/marriage/registrations/new/", {**form(bride, "check"), "party_a_name": ""}
    ).content.decode()

    assert 'id="id_party_a_error"' in html and "registered outside the district is registered here" in html
    assert '<details class="outside-party" open>' in html
    assert not Registration.objects.exists()


def test_checking_shows_the_party_from_outside_and_saves_nothing(english, divisions):
    bride = woman(name="章丘新娘", division_id="370114001001")

    html = english.post("/marriage/registrations/new/", form(bride, "check")).content.decode()

    assert "Both parties meet every condition" in html
    assert 'aria-label="Male party 赵京生"' in html
    assert "Outside the district (area code 110105)" in html  # the first 6 digits of the number
    assert "Registered in the registry with this marriage" in html
    assert not Person.objects.filter(id_number=BEIJING_GROOM).exists()


def test_registering_registers_the_party_from_outside_with_the_marriage(english, divisions):
    bride = woman(name="章丘新娘", division_id="370114001001")

    english.post("/marriage/registrations/new/", form(bride, "register"), follow=True)

    groom = Person.objects.get(id_number=BEIJING_GROOM)
    assert (groom.name, groom.division_id, groom.registration_area) == ("赵京生", None, "110105")
    registration = Registration.objects.get()
    assert {registration.party_a_id, registration.party_b_id} == {groom.pk, bride.pk}
    assert registration.husband == groom and registration.wife == bride


def test_a_refused_marriage_registers_no_one(english, divisions):
    young_bride = woman(D(2006, 1, 1), name="少女", division_id="370114001001")  # 19 on the day

    html = english.post("/marriage/registrations/new/", form(young_bride, "register")).content.decode()

    assert "少女 is under the legal marriage age" in html
    assert not Registration.objects.exists()
    assert not Person.objects.filter(id_number=BEIJING_GROOM).exists()


def test_a_number_registered_in_another_town_is_said_to_be_registered(client, make_user, divisions):
    """Issue 8 #12's exception: the registrar must learn that the number is taken, without town or name."""
    town_registrar = make_user(Role.CASEWORKER, "370114001", "town_registrar", lines=["marriage"])
    elsewhere = woman(name="双山居民", division_id="370114002001")
    client.force_login(town_registrar)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    html = client.post(
        "/marriage/registrations/new/",
        {
            "party_a": BEIJING_GROOM,
            "party_a_name": "赵京生",
            "party_b": elsewhere.id_number,
            "party_b_name": "冒名",
            "registration_date": str(TODAY),
            "declares_not_close_relatives": "on",
            "step": "register",
        },
    ).content.decode()

    assert "A person with this ID number is already registered." in html
    assert "双山" not in html
    assert not Registration.objects.exists()
    assert not Person.objects.filter(id_number=BEIJING_GROOM).exists()


def test_the_form_reads_the_party_from_outside_in_chinese(client, registrar, divisions, compiled_catalogue):
    bride = woman(name="章丘新娘", division_id="370114001001")
    client.force_login(registrar)

    html = client.post("/marriage/registrations/new/", form(bride, "check")).content.decode()

    assert "区外户籍（行政区划代码110105）" in html
    assert "随本次结婚登记录入人员信息" in html and "男方" in html and "女方" in html
    assert "婚姻登记实行全国通办" in html
