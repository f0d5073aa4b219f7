"""Schemathesis over the whole API (issue 8, SPEC §3): schema-valid and schema-breaking requests generated from
the OpenAPI schema, sent in-process as an administrator; no answer is a 5xx, and every answer's status code
and body are the ones the schema declares. Bounded: a few examples per operation, derandomized."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from civil_affairs.accounts.models import Role


def _schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(json.dumps(generated, cls=DjangoJSONEncoder))


SCHEMA = schemathesis.openapi.from_dict(_schema())
SCHEMA.app = get_wsgi_application()


@pytest.fixture
def admin_token(make_user):
    return Token.objects.create(user=make_user(Role.ADMINISTRATOR, "370114", "schemathesis-admin")).key


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """In-process WSGI calls would close the database connection after each request, as a server does; the
    test's transaction needs it open (Django's own test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=2,
    phases=[Phase.generate],
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_answer_is_a_server_error_or_outside_the_schema(case, admin_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {admin_token}", "Accept-Language": "en"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
