"""Finding 10 of issue 8: input the probe got accepted that SPEC §2.2 and §3 refuse."""

import pytest

from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.models import Person
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def register(client, **overrides):
    payload = {"id_number": "11010519491231002X", "name": "张三", "division": "370114001001", "phone": ""}
    payload.update(overrides)
    return client.post("/api/v1/people/", payload, format="json")


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("370114000101011233", "1900"),  # born in the year 1
        ("370114189912311231", "1900"),  # born in 1899
        ("990105194912310023", "province"),  # no province 99
        ("720105194912310023", "province"),  # 72 is not a province code
    ],
)
def test_an_id_number_with_an_impossible_year_or_province_is_refused(api_as, caseworker, number, words):
    response = register(api_as(caseworker), id_number=number)

    assert response.status_code == 400
    assert words in response.json()["id_number"][0]
    assert not Person.objects.exists()


def test_a_15_digit_number_is_refused_with_its_18_digit_form(api_as, caseworker):
    response = register(api_as(caseworker), id_number="110105491231002")

    assert response.status_code == 400
    assert "11010519491231002X" in response.json()["id_number"][0]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200b\u200b",  # zero-width spaces
        "\u202e",  # right-to-left override
        "\u202e\u200d\u2066",  # override, joiner, isolate
        "\x00\x07\x1b",  # control characters
        " \u3000 ",  # blanks only
        "张\u202e三",  # a visible name carrying an override
        "张" * 51,
    ],
)
def test_a_name_without_visible_text_or_with_hidden_characters_is_refused(api_as, caseworker, name):
    response = register(api_as(caseworker), name=name)

    assert response.status_code == 400
    assert "name" in response.json()
    assert not Person.objects.exists()


@pytest.mark.parametrize("name", ["张三", "阿卜杜·热合曼", "Zhang San", "欧阳 娜娜"])
def test_ordinary_names_are_accepted(api_as, caseworker, name):
    response = register(api_as(caseworker), name=name)

    assert response.status_code == 201, response.json()
    assert Person.objects.get().name == name


@pytest.mark.parametrize(
    "phone", ["<b>x</b>", "javascript:alert(1)", "138-0000-0000#", "１３８００００００００"]
)
def test_a_phone_with_anything_but_digits_spaces_plus_dashes_and_brackets_is_refused(
    api_as, caseworker, phone
):
    response = register(api_as(caseworker), phone=phone)

    assert response.status_code == 400
    assert "phone" in response.json()
    assert not Person.objects.exists()


def test_a_phone_in_a_usual_shape_is_accepted(api_as, caseworker):
    response = register(api_as(caseworker), phone="+86 (531) 8321-0000")

    assert response.status_code == 201
    assert Person.objects.get().phone == "+86 (531) 8321-0000"


def test_the_registration_page_refuses_a_phone_with_markup(client, caseworker):
    client.force_login(caseworker)

    response = client.post(
        "/people/new/",
        {"id_number": "11010519491231002X", "name": "张三", "division": "370114001001", "phone": "<b>x</b>"},
    )

    assert response.status_code == 200  # the form again, with the error beside the field
    assert not Person.objects.exists()


def test_correcting_a_name_to_invisible_characters_is_refused(api_as, caseworker):
    person = PersonFactory(name="王小明")

    response = api_as(caseworker).patch(f"/api/v1/people/{person.pk}/", {"name": "\u200b"}, format="json")

    assert response.status_code == 400
    assert "name" in response.json()
    person.refresh_from_db()
    assert person.name == "王小明"


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("is_deceased", "maybe"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "abc"),
        ("page_size", "0"),
        ("page_size", "many"),
        ("sex", "unknown"),
    ],
)
def test_a_known_query_parameter_with_an_invalid_value_is_a_400_naming_it(
    api_as, caseworker, parameter, value
):
    PersonFactory()

    response = api_as(caseworker).get("/api/v1/people/", {parameter: value})

    assert response.status_code == 400
    assert parameter in response.json()


def test_valid_values_and_unknown_parameters_still_list(api_as, caseworker):
    PersonFactory(is_deceased=True, date_of_death="2024-01-01")
    PersonFactory()
    client = api_as(caseworker)

    assert client.get("/api/v1/people/", {"is_deceased": "true"}).json()["count"] == 1
    assert client.get("/api/v1/people/", {"is_deceased": "false", "page": "1"}).json()["count"] == 1
    assert client.get("/api/v1/people/", {"whatever": "x", "page_size": "500"}).json()["count"] == 2


@pytest.mark.parametrize(
    "body",
    [{"is_deceased": True}, {"date_of_death": "2024-01-01"}, {"sex": "male"}, {"birth_date": "2000-01-01"}],
)
def test_a_read_only_field_in_a_write_is_a_400_naming_it(api_as, caseworker, body):
    person = PersonFactory(name="王小明")
    events = AuditEvent.objects.count()

    response = api_as(caseworker).patch(f"/api/v1/people/{person.pk}/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == list(body)
    assert "read-only" in response.json()[next(iter(body))][0]
    person.refresh_from_db()
    assert (person.is_deceased, person.date_of_death) == (False, None)
    assert AuditEvent.objects.count() == events


def test_an_unknown_field_in_a_registration_is_a_400_naming_it(api_as, caseworker):
    response = register(api_as(caseworker), nickname="小三")

    assert response.status_code == 400
    assert "nickname" in response.json()
    assert not Person.objects.exists()
