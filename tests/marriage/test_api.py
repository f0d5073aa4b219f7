"""The marriage API's conventions: jurisdiction scoping (either party), fixed query counts, the schema."""

import pytest
import yaml
from django.core.management import call_command

from civil_affairs.accounts.models import Role
from tests.marriage.conftest import days_ago
from tests.marriage.factories import CounsellingCaseFactory, DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

MINGSHUI_VILLAGE = "370114001001"
SHUANGSHAN_VILLAGE = "370114002001"
ZAOYUAN_VILLAGE = "370114003001"


@pytest.fixture
def mixed_couple(divisions):
    """A man of 明水街道 married to a woman of 双山街道."""
    return RegistrationFactory(
        party_a=man(division_id=MINGSHUI_VILLAGE), party_b=woman(division_id=SHUANGSHAN_VILLAGE)
    )


@pytest.mark.parametrize("town", ["370114001", "370114002"])
def test_a_registration_is_visible_where_either_party_is_registered(api_as, make_user, mixed_couple, town):
    client = api_as(make_user(Role.CASEWORKER, town))

    listed = client.get("/api/v1/marriage/registrations/").json()
    detail = client.get(f"/api/v1/marriage/registrations/{mixed_couple.pk}/")

    assert [row["id"] for row in listed["results"]] == [mixed_couple.pk]
    assert detail.status_code == 200
    assert detail.json()["certificate_number"] == mixed_couple.certificate_number


def test_records_of_a_couple_outside_the_jurisdiction_are_404(api_as, make_user, mixed_couple):
    divorce = DivorceFactory(registration=mixed_couple, application_date=days_ago(40))
    case = CounsellingCaseFactory(party_a=mixed_couple.party_a, party_b=mixed_couple.party_b)
    client = api_as(make_user(Role.CASEWORKER, "370114003"))  # 枣园街道

    for url in (
        f"/api/v1/marriage/registrations/{mixed_couple.pk}/",
        f"/api/v1/marriage/divorces/{divorce.pk}/",
        f"/api/v1/marriage/counselling-cases/{case.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/marriage/divorces/{divorce.pk}/issue/").status_code == 404
    assert client.get("/api/v1/marriage/registrations/").json()["count"] == 0
    assert client.get("/api/v1/marriage/divorces/").json()["count"] == 0
    unknown = client.get("/api/v1/marriage/registrations/999999999/")
    assert client.get(f"/api/v1/marriage/registrations/{mixed_couple.pk}/").json() == unknown.json()
    divorce.refresh_from_db()
    assert divorce.state == "open"


def test_a_divorce_of_a_marriage_outside_the_jurisdiction_cannot_be_filed(api_as, make_user, mixed_couple):
    response = api_as(make_user(Role.CASEWORKER, "370114003")).post(
        "/api/v1/marriage/divorces/", {"registration": mixed_couple.pk}, format="json"
    )

    assert response.status_code == 400
    assert "does not exist" in response.json()["registration"][0]


def test_registration_filters(registrar_api, divisions):
    husband = man()
    mine = RegistrationFactory(party_a=husband, registration_date=days_ago(0))
    RegistrationFactory(registration_date=days_ago(1), dissolved_on=days_ago(0))

    by_person = registrar_api.get("/api/v1/marriage/registrations/", {"person": husband.pk}).json()
    by_date = registrar_api.get(
        "/api/v1/marriage/registrations/", {"registration_date": str(days_ago(0))}
    ).json()
    dissolved = registrar_api.get("/api/v1/marriage/registrations/", {"dissolved": "true"}).json()
    by_number = registrar_api.get(
        "/api/v1/marriage/registrations/", {"search": mine.certificate_number}
    ).json()

    assert [r["id"] for r in by_person["results"]] == [mine.pk]
    assert [r["id"] for r in by_date["results"]] == [mine.pk]
    assert [r["dissolved_on"] for r in dissolved["results"]] == [str(days_ago(0))]
    assert [r["id"] for r in by_number["results"]] == [mine.pk]


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/api/v1/marriage/registrations/", lambda n: [RegistrationFactory() for _ in range(n)]),
        (
            "/api/v1/marriage/divorces/",
            lambda n: [DivorceFactory(application_date=days_ago(i)) for i in range(n)],
        ),
        (
            "/api/v1/marriage/counselling-cases/",
            lambda n: [
                CounsellingCaseFactory().sessions.create(held_on=days_ago(0), counsellor="王", notes="谈话")
                for _ in range(n)
            ],
        ),
    ],
)
def test_lists_run_a_fixed_number_of_queries(registrar_api, divisions, queries_stay_fixed, url, make):
    make(3)

    small, large = queries_stay_fixed(
        6,
        lambda: registrar_api.get(url, {"page_size": 3}),
        lambda: make(12),
        lambda: registrar_api.get(url, {"page_size": 15}),
    )

    assert len(small.json()["results"]) == 3
    assert len(large.json()["results"]) == 15


def _schema(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_every_marriage_endpoint_is_in_the_schema_with_its_shapes(tmp_path):
    schema = _schema(tmp_path)
    paths, components = schema["paths"], schema["components"]["schemas"]

    assert {
        "/api/v1/marriage/registrations/",
        "/api/v1/marriage/registrations/{id}/",
        "/api/v1/marriage/divorces/",
        "/api/v1/marriage/divorces/{id}/",
        "/api/v1/marriage/divorces/{id}/withdraw/",
        "/api/v1/marriage/divorces/{id}/issue/",
        "/api/v1/marriage/status/",
        "/api/v1/marriage/counselling-cases/",
        "/api/v1/marriage/counselling-cases/{id}/",
        "/api/v1/marriage/counselling-cases/{id}/sessions/",
        "/api/v1/marriage/counselling-cases/{id}/close/",
    } <= set(paths)
    create = paths["/api/v1/marriage/registrations/"]["post"]
    request_ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(components[request_ref]["properties"]) == {
        "party_a",
        "party_b",
        "registration_date",
        "declares_not_close_relatives",
    }
    assert "certificate_number" in components["Registration"]["properties"]
    status = paths["/api/v1/marriage/status/"]["get"]
    assert {p["name"] for p in status["parameters"]} == {"person", "date"}
    assert set(components["MaritalStatus"]["properties"]) >= {"married", "spouse", "since"}
    phase = components["Divorce"]["properties"]["phase"]
    phase_ref = phase["allOf"][0]["$ref"] if "allOf" in phase else phase["$ref"]
    phase_enum = components[phase_ref.rsplit("/", 1)[-1]]
    assert set(phase_enum["enum"]) == {"cooling_off", "awaiting_certificate", "issued", "withdrawn"}
