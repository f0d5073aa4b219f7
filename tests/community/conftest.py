"""Fixtures of the community tests: the district's community officer, a town's caseworker, a town built for
the staffing figures."""

from __future__ import annotations

import pytest

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.divisions.models import Division, DivisionLevel

# A town made for the tests, beside the demo's 18: its figures are whatever the test sets.
TEST_TOWN = "370114099"
TEST_VILLAGE = "370114099001"


@pytest.fixture
def officer(make_user):
    """The district's community officer: a caseworker serving the community line only."""
    return make_user(Role.CASEWORKER, "370114", "officer", lines=[Line.COMMUNITY])


@pytest.fixture
def officer_api(api_as, officer):
    return api_as(officer)


@pytest.fixture
def test_town(divisions):
    """A town with one community, urban population set by each test."""

    def build(urban_population: int) -> Division:
        town = Division.objects.create(
            code=TEST_TOWN,
            name="测试街道",
            level=DivisionLevel.TOWN,
            parent_id="370114",
            is_urban=True,
            population=max(urban_population, 1),
            urban_population=urban_population,
        )
        Division.objects.create(
            code=TEST_VILLAGE,
            name="测试社区",
            level=DivisionLevel.VILLAGE,
            parent=town,
            is_urban=True,
            population=1,
        )
        return town

    return build
