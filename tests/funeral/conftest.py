"""Fixtures of the funeral tests: the funeral officer, a reviewer, 低保 standards and helpers."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from assistance.rules import Category
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from tests.assistance.factories import StandardFactory

# The deaths of these tests happen on 10 March 2024: the month of death is paid, April on is not.
DIED = datetime.date(2024, 3, 10)
MARCH, APRIL, MAY = datetime.date(2024, 3, 1), datetime.date(2024, 4, 1), datetime.date(2024, 5, 1)


@pytest.fixture
def officer(make_user):
    """The district's funeral officer: a caseworker serving the funeral line only."""
    return make_user(Role.CASEWORKER, "370114", "funeral_officer", lines=[Line.FUNERAL])


@pytest.fixture
def officer_api(api_as, officer):
    return api_as(officer)


@pytest.fixture
def standards(db):
    """低保 (urban) 1000 and 特困 (urban) 1300 a month since 2020."""
    for category, amount in [(Category.DIBAO_URBAN, "1000.00"), (Category.TEKUN_URBAN, "1300.00")]:
        StandardFactory(
            category=category, monthly_amount=Decimal(amount), effective_from=datetime.date(2020, 1, 1)
        )


def record_death(client, person, on=DIED, **extra):
    return client.post(
        "/api/v1/funeral/deaths/",
        {"person": person.pk, "date_of_death": on.isoformat(), "place": "章丘区人民医院", **extra},
        format="json",
    )
