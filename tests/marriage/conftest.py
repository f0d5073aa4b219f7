"""Fixtures of the marriage tests: a district-wide registrar and helpers to call the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from civil_affairs.accounts.models import Role


@pytest.fixture
def registrar(make_user):
    """A caseworker of the district's marriage registry office (jurisdiction: the whole district)."""
    return make_user(Role.CASEWORKER, "370114", "registrar")


@pytest.fixture
def registrar_api(api_as, registrar):
    return api_as(registrar)


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def registration_body(party_a: Any, party_b: Any, on: datetime.date | str, declares: bool = True) -> dict:
    return {
        "party_a": party_a.pk,
        "party_b": party_b.pk,
        "registration_date": str(on),
        "declares_not_close_relatives": declares,
    }
