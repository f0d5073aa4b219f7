"""The REST API's conventions (SPEC §3): tokens, error shapes, pagination, the OpenAPI schema."""

import re

import pytest
import yaml
from django.core.management import call_command
from rest_framework.test import APIClient

from civil_affairs.accounts.models import Role
from civil_affairs.api.urls import router
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_token_flow(make_user):
    make_user(Role.CASEWORKER, username="worker")
    client = APIClient()

    response = client.post(
        "/api/v1/auth/token/", {"username": "worker", "password": "a-long-test-password"}, format="json"
    )

    assert response.status_code == 200
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/people/").status_code == 200


def test_wrong_password_gets_no_token(make_user):
    make_user(Role.CASEWORKER, username="worker")

    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "worker", "password": "wrong"}, format="json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert "token" not in response.json()


def test_repeated_failures_lock_the_login_out(make_user, settings):
    make_user(Role.CASEWORKER, username="worker")
    client = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/api/v1/auth/token/", {"username": "worker", "password": "guess"}, format="json")

    response = client.post(
        "/api/v1/auth/token/", {"username": "worker", "password": "a-long-test-password"}, format="json"
    )

    assert response.status_code == 429
    assert "detail" in response.json()


def test_no_credentials_is_401():
    response = APIClient().get("/api/v1/people/")

    assert response.status_code == 401
    assert "detail" in response.json()


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert client.get("/api/v1/divisions/").status_code == 401


def test_role_not_allowed_is_403(api_as, make_user):
    response = api_as(make_user(Role.VIEWER, "370114")).get("/api/v1/people/")

    assert response.status_code == 403
    assert "detail" in response.json()


def test_outside_jurisdiction_is_404_same_as_unknown(api_as, caseworker):
    stranger = PersonFactory(division_id="370114002001")
    client = api_as(caseworker)

    outside = client.get(f"/api/v1/people/{stranger.pk}/")
    unknown = client.get("/api/v1/people/999999999/")

    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()


def test_invalid_input_is_400_by_field(api_as, caseworker):
    response = api_as(caseworker).post(
        "/api/v1/people/", {"id_number": "x", "name": "", "division": "9"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"name", "division"} or "id_number" in response.json()
    assert all(isinstance(messages, list) for messages in response.json().values())


def test_pagination_shape_and_page_size_cap(api_as, make_user, divisions):
    client = api_as(make_user(Role.API_CLIENT, "370114"))

    first = client.get("/api/v1/divisions/", {"page_size": 5}).json()
    capped = client.get("/api/v1/divisions/", {"page_size": 1000}).json()

    assert set(first) == {"count", "next", "previous", "results"}
    assert len(first["results"]) == 5
    assert "page=2" in first["next"]
    assert first["count"] == len(divisions)
    assert len(capped["results"]) == min(200, len(divisions))


def test_division_shape_and_filters(api_as, make_user, divisions):
    client = api_as(make_user(Role.API_CLIENT, "370114"))

    towns = client.get("/api/v1/divisions/", {"level": "town", "page_size": 100}).json()
    mingshui = client.get("/api/v1/divisions/370114001/").json()
    under = client.get("/api/v1/divisions/", {"parent": "370114002"}).json()
    found = client.get("/api/v1/divisions/", {"search": "白云湖"}).json()

    assert towns["count"] == 18
    assert mingshui == {
        "code": "370114001",
        "name": "明水街道",
        "level": "town",
        "parent": "370114",
        "is_urban": True,
        "population": mingshui["population"],
        "urban_population": mingshui["urban_population"],
    }
    assert {row["name"] for row in under["results"]} >= {"马安村", "三涧溪村"}
    assert "370114013" in [row["code"] for row in found["results"]]
    assert all("白云湖" in row["name"] for row in found["results"])


def test_schema_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(target))

    assert yaml.safe_load(target.read_text())["openapi"].startswith("3.")


def _openapi_path(pattern: str) -> str:
    path = pattern.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<(\w+)>[^)]+\)", r"{\1}", path).replace("{pk}", "{id}")  # spectacular names pk "id"
    return "/api/v1/" + path


def test_every_endpoint_is_in_the_schema(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    paths = set(yaml.safe_load(target.read_text())["paths"])

    expected = {"/api/v1/auth/token/"}
    for url in router.urls:
        pattern = str(url.pattern)
        if url.name == "api-root" or "format" in pattern:
            continue
        expected.add(_openapi_path(pattern))

    assert expected - paths == set()
    assert {"/api/v1/people/{id}/", "/api/v1/divisions/{code}/", "/api/v1/audit-events/"} <= paths


def test_the_schema_and_the_docs_need_a_login(client, api_as, make_user):
    assert client.get("/api/v1/schema/").status_code in (401, 403)
    assert client.get("/api/v1/docs/").status_code in (401, 403)
    assert api_as(make_user(Role.API_CLIENT, "370114")).get("/api/v1/schema/").status_code == 200


def test_the_schema_declares_error_answers_and_the_patterns_of_id_numbers_and_months(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = yaml.safe_load(target.read_text())

    person = schema["paths"]["/api/v1/people/{id}/"]
    assert {"200", "401", "403", "404"} <= set(person["get"]["responses"])
    assert {"400", "409", "413"} <= set(person["patch"]["responses"])
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert {"400", "429"} <= set(token)
    components = schema["components"]["schemas"]
    written = components["PersonWriteRequest"]["properties"]["id_number"]["pattern"]
    assert re.fullmatch(written, "37011419900517123X") and not re.fullmatch(written, "3701141990051712")
    shown = components["Person"]["properties"]["id_number"]["pattern"]
    assert re.fullmatch(shown, "370114********123X")
    batch = components["PaymentBatchCreateRequest"]["properties"]["month"]["pattern"]
    assert re.fullmatch(batch, "2024-07") and not re.fullmatch(batch, "2024-13")


def test_docs_are_served_without_any_external_asset(client, make_user):
    client.force_login(make_user(Role.API_CLIENT, "370114"))
    html = client.get("/api/v1/docs/").content.decode()

    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    assert all(asset.startswith("/") for asset in assets), assets
    assert client.get(next(a for a in assets if a.endswith(".js"))).status_code == 200
