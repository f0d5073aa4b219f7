"""Administrators correct a town's urban population, which the staffing targets count against (audited)."""

from __future__ import annotations

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.divisions.models import Division

pytestmark = pytest.mark.django_db

URL = "/api/v1/community/towns/370114001/"


def test_an_administrator_edits_the_urban_population_and_it_is_audited(api_as, make_user, divisions):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    response = api_as(admin).patch(URL, {"urban_population": 61_000}, format="json")
    assert response.status_code == 200, response.content
    assert Division.objects.get(code="370114001").urban_population == 61_000
    event = AuditEvent.objects.get(object_type="divisions.division", object_id="370114001")
    assert event.changes == {"urban_population": [60_000, 61_000]}


def test_the_urban_population_cannot_exceed_the_population(api_as, make_user, divisions):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    response = api_as(admin).patch(URL, {"urban_population": 160_001}, format="json")
    assert response.status_code == 400
    assert Division.objects.get(code="370114001").urban_population == 60_000


def test_a_caseworker_may_not_edit_the_urban_population(officer_api, divisions):
    assert officer_api.patch(URL, {"urban_population": 1}, format="json").status_code == 403
    assert Division.objects.get(code="370114001").urban_population == 60_000
