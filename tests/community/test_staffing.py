"""Staffing per town against 18 workers per 10,000 urban residents and 75% certified (SPEC §8)."""

from __future__ import annotations

import datetime

import pytest

from community.rules import below_target, certified_share, per_10000
from tests.community.conftest import TEST_TOWN, TEST_VILLAGE
from tests.community.factories import WorkerFactory, bulk_workers, days_from_today

pytestmark = pytest.mark.django_db


def town_row(api, on: datetime.date | None = None) -> dict:
    url = "/api/v1/community/staffing/" + (f"?date={on}" if on else "")
    response = api.get(url)
    assert response.status_code == 200, response.content
    return next(row for row in response.json()["results"] if row["division"] == TEST_TOWN)


def test_exactly_18_per_10000_meets_the_target(officer_api, test_town):
    test_town(10_000)
    bulk_workers(18, certified=18, community_id=TEST_VILLAGE)
    row = town_row(officer_api)
    assert row["workers"] == 18
    assert row["per_10000"] == "18.00"
    assert row["certified_share"] == "1.0000"
    assert row["below_target"] is False


def test_17_99_per_10000_is_below_target(officer_api, test_town):
    test_town(10_006)  # 18 × 10,000 / 10,006 = 17.989…
    bulk_workers(18, certified=18, community_id=TEST_VILLAGE)
    row = town_row(officer_api)
    assert row["per_10000"] == "17.99"
    assert row["below_target"] is True


def test_below_target_uses_the_exact_figure_not_the_rounded_one(officer_api, test_town):
    test_town(10_002)  # 17.9964… shows as 18.00, yet is short of 18
    bulk_workers(18, certified=18, community_id=TEST_VILLAGE)
    row = town_row(officer_api)
    assert row["per_10000"] == "18.00"
    assert row["below_target"] is True


def test_exactly_75_percent_certified_meets_the_target(officer_api, test_town):
    test_town(500_000)
    bulk_workers(1000, certified=750, community_id=TEST_VILLAGE)
    row = town_row(officer_api)
    assert (row["workers"], row["per_10000"], row["certified_share"]) == (1000, "20.00", "0.7500")
    assert row["below_target"] is False


def test_74_9_percent_certified_is_below_target(officer_api, test_town):
    test_town(500_000)
    bulk_workers(1000, certified=749, community_id=TEST_VILLAGE)
    row = town_row(officer_api)
    assert (row["per_10000"], row["certified_share"]) == ("20.00", "0.7490")
    assert row["below_target"] is True


def test_a_town_without_urban_residents_or_workers_has_null_figures_and_is_not_below(officer_api, test_town):
    test_town(0)
    row = town_row(officer_api)
    assert (row["workers"], row["per_10000"], row["certified_share"], row["below_target"]) == (
        0,
        None,
        None,
        False,
    )


def test_a_worker_whose_contract_ended_yesterday_is_not_counted(officer_api, test_town):
    test_town(10_000)
    WorkerFactory(
        community_id=TEST_VILLAGE, contract_start=days_from_today(-400), contract_end=days_from_today(-1)
    )
    WorkerFactory(
        community_id=TEST_VILLAGE, contract_start=days_from_today(-400), contract_end=days_from_today(0)
    )
    assert town_row(officer_api)["workers"] == 1
    assert town_row(officer_api, days_from_today(-1))["workers"] == 2


def test_a_worker_counts_up_to_the_last_day_worked(officer_api, test_town):
    test_town(10_000)
    WorkerFactory(community_id=TEST_VILLAGE, left_on=days_from_today(-1))
    WorkerFactory(community_id=TEST_VILLAGE, left_on=days_from_today(0))
    assert town_row(officer_api)["workers"] == 1
    assert town_row(officer_api, days_from_today(-1))["workers"] == 2


def test_a_contract_starting_tomorrow_is_not_counted_today(officer_api, test_town):
    test_town(10_000)
    WorkerFactory(
        community_id=TEST_VILLAGE, contract_start=days_from_today(1), contract_end=days_from_today(400)
    )
    assert town_row(officer_api)["workers"] == 0
    assert town_row(officer_api, days_from_today(1))["workers"] == 1


def test_towns_below_target_come_first(officer_api, test_town):
    test_town(10_000)
    bulk_workers(18, certified=18, community_id=TEST_VILLAGE)
    results = officer_api.get("/api/v1/community/staffing/?page_size=200").json()["results"]
    flags = [row["below_target"] for row in results]
    assert flags == sorted(flags, reverse=True)
    assert results[-1]["division"] == TEST_TOWN


def test_a_town_caseworker_sees_only_their_town(api_as, make_user):
    from civil_affairs.accounts.models import Role

    caseworker = make_user(Role.CASEWORKER, "370114001", lines=["community"])
    results = api_as(caseworker).get("/api/v1/community/staffing/").json()["results"]
    assert [row["division"] for row in results] == ["370114001"]


def test_an_invalid_date_or_ordering_answers_400(officer_api, divisions):
    assert officer_api.get("/api/v1/community/staffing/?date=2026-13-01").status_code == 400
    assert officer_api.get("/api/v1/community/staffing/?ordering=nonsense").status_code == 400


def test_staffing_exports_csv(officer_api, test_town):
    test_town(10_000)
    bulk_workers(18, certified=18, community_id=TEST_VILLAGE)
    response = officer_api.get("/api/v1/community/staffing/?format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert f'"=""{TEST_TOWN}""",测试街道,10000,18,18,18.00,1.0000,No' in body


@pytest.mark.parametrize(
    ("workers", "certified", "urban", "expected"),
    [
        (18, 14, 10_000, False),
        (18, 13, 10_000, True),
        (17, 17, 10_000, True),
        (0, 0, 0, False),
        (0, 0, 100, True),
    ],
)
def test_below_target_rule(workers, certified, urban, expected):
    assert below_target(workers, certified, urban) is expected


def test_figures_round_half_up():
    assert str(per_10000(1, 80_000)) == "0.13"  # 0.125
    assert str(certified_share(1, 8)) == "0.1250"
    assert str(certified_share(2, 3)) == "0.6667"


def test_the_home_pages_staffing_to_do_lands_on_exactly_the_towns_it_counts(client, officer, test_town):
    """The to-do counts the towns below target; its link lists those towns and no other (sorting keeps it)."""
    from django.utils import timezone

    from community import statistics

    test_town(10_000)
    bulk_workers(18, certified=18, community_id=TEST_VILLAGE)  # this town meets both targets
    counted = statistics.open_work(user=officer, today=timezone.localdate())["towns_below_target"]
    client.force_login(officer)
    home = client.get("/").content.decode()
    assert "/community/staffing/?below_target=on" in home
    page = client.get("/community/staffing/", {"below_target": "on"})
    rows = page.context["rows"]
    assert len(rows) == counted and all(row.below_target for row in rows)
    assert TEST_TOWN not in [row.division for row in rows]
    assert len(client.get("/community/staffing/").context["rows"]) > counted
    sorted_page = client.get("/community/staffing/", {"below_target": "on", "ordering": "workers"})
    assert len(sorted_page.context["rows"]) == counted
    assert "below_target=on&amp;ordering=" in sorted_page.content.decode()
