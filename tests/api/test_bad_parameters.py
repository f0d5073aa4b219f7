"""Parameters other systems get wrong are named, not ignored (SPEC §3): an unknown ``?format=`` and a
``?division=`` that is no division code answer 400 naming the parameter; exports give times in the bureau's
own clock."""

from __future__ import annotations

import datetime

import pytest

from civil_affairs.exports import cell

pytestmark = pytest.mark.django_db

LISTS = [
    "/api/v1/assistance/enrollments/",
    "/api/v1/assistance/households/",
    "/api/v1/eldercare/facilities/",
    "/api/v1/funeral/deaths/",
    "/api/v1/community/workers/",
]


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_format_is_a_400_naming_it_and_json_or_csv_are_served(api_as, caseworker, url):
    client = api_as(caseworker)
    refused = client.get(url, {"format": "pdf"})
    assert refused.status_code == 400 and "format" in refused.json()
    assert client.get(url, {"format": "json"}).status_code == 200
    assert client.get(url, {"format": "csv"}).status_code == 200


@pytest.mark.parametrize("url", LISTS[:4])
@pytest.mark.parametrize(("division", "status"), [("abc", 400), ("3701140", 400), ("370114001", 200)])
def test_a_division_filter_takes_a_division_code_only(api_as, caseworker, url, division, status):
    response = api_as(caseworker).get(url, {"division": division})
    assert response.status_code == status, response.content
    if status == 400:
        assert "division" in response.json()


@pytest.mark.parametrize("town", ["abc", "37011400"])
def test_the_community_town_filter_takes_a_division_code_only(api_as, caseworker, town):
    response = api_as(caseworker).get("/api/v1/community/workers/", {"town": town})
    assert response.status_code == 400 and "town" in response.json()


def test_exported_times_are_in_the_bureaus_clock():
    moment = datetime.datetime(2026, 1, 1, 0, 0, tzinfo=datetime.UTC)
    assert cell(moment) == "2026-01-01T08:00:00+08:00"
