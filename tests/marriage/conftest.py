"""Fixtures of the marriage tests: a district-wide registrar and helpers to call the API."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from civil_affairs.accounts.models import Role

# A Thursday with no holiday in the 31 days before it: the 30th and 31st day before it and the day before it
# are working days, so day-counting tests read as plain days (2024-05-20 Mon, 05-21 Tue, 06-19 Wed).
TODAY = datetime.date(2024, 6, 20)


@pytest.fixture
def freeze_today(monkeypatch):
    """``freeze_today(day)`` makes ``timezone.localdate()`` answer ``day`` everywhere in the process (the
    services, the live server's thread and the Celery worker thread alike)."""
    real = timezone.localdate

    def freeze(day: datetime.date) -> datetime.date:
        def localdate(value=None, tz=None):
            return day if value is None else real(value, tz)

        monkeypatch.setattr(timezone, "localdate", localdate)
        return day

    return freeze


@pytest.fixture(autouse=True)
def frozen_today(freeze_today):
    """Every marriage test runs on :data:`TODAY` (a test may freeze another day with ``freeze_today``)."""
    return freeze_today(TODAY)


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
