"""Lists at scale (SPEC §3, issue 15): ``?cursor=`` keyset pages whose SQL continues from the last row shown
instead of skipping an offset, and counts that are PostgreSQL's estimate, flagged, past 100,000 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assistance.models import Enrollment
from civil_affairs.api import pagination
from tests.assistance.factories import EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

ENROLLMENTS = "/api/v1/assistance/enrollments/"
HOUSEHOLDS = "/api/v1/assistance/households/"


@pytest.fixture
def enrollments():
    return [EnrollmentFactory() for _ in range(7)]


def walk(client, url, params=None):
    """Every page from ``url`` on, following ``next``: the pages' ids and bodies."""
    pages = []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        pages.append(body)
        if not body["next"]:
            return pages
        response = client.get(body["next"])


def test_cursor_pages_walk_the_whole_list_once_in_its_order(api_as, caseworker, enrollments):
    pages = walk(api_as(caseworker), ENROLLMENTS, {"cursor": "", "page_size": 3})

    assert [[row["id"] for row in page["results"]] for page in pages] == [
        sorted((e.pk for e in enrollments), reverse=True)[i : i + 3] for i in (0, 3, 6)
    ]
    assert [page["count"] for page in pages] == [7, 7, 7]
    assert pages[0]["previous"] is None
    assert all("count_estimated" not in page for page in pages)
    assert all("cursor=" in page["next"] and "page=" not in page["next"] for page in pages[:-1])


def test_previous_goes_back_to_the_page_before(api_as, caseworker, enrollments):
    client = api_as(caseworker)
    first = client.get(ENROLLMENTS, {"cursor": "", "page_size": 3}).json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]
    assert back["previous"] is None  # nothing before the first page


def test_a_cursor_page_continues_from_its_row_without_an_offset(api_as, caseworker, enrollments):
    client = api_as(caseworker)
    second = client.get(client.get(ENROLLMENTS, {"cursor": "", "page_size": 3}).json()["next"])

    with CaptureQueriesContext(connection) as queries:
        third = client.get(second.json()["next"])

    page_query = next(
        q["sql"] for q in queries if "LIMIT 4" in q["sql"] and "assistance_enrollment" in q["sql"]
    )
    last_shown = second.json()["results"][-1]["id"]
    assert "OFFSET" not in page_query
    assert f'"assistance_enrollment"."id" < {last_shown}' in page_query
    assert [row["id"] for row in third.json()["results"]] == [enrollments[0].pk]


def test_cursor_pages_follow_the_requested_ordering(api_as, caseworker, enrollments):
    pages = walk(api_as(caseworker), ENROLLMENTS, {"cursor": "", "page_size": 2, "ordering": "id"})

    assert [row["id"] for page in pages for row in page["results"]] == sorted(e.pk for e in enrollments)


def test_a_bad_cursor_is_a_400_naming_it(api_as, caseworker, enrollments):
    client = api_as(caseworker)

    for token in ("not-a-cursor", "eyJwIjpbImEiXX0", "e30"):
        response = client.get(ENROLLMENTS, {"cursor": token})
        assert response.status_code == 400, token
        assert list(response.json()) == ["cursor"]


def test_page_numbers_still_work_beside_cursors(api_as, caseworker, enrollments):
    body = api_as(caseworker).get(ENROLLMENTS, {"page": 2, "page_size": 3}).json()

    assert [row["id"] for row in body["results"]] == sorted((e.pk for e in enrollments), reverse=True)[3:6]
    assert "page=3" in body["next"] and "page" not in body["previous"].split("?")[1].replace("page_size", "")


def test_past_the_limit_the_count_is_postgresqls_estimate_and_flagged(
    api_as, caseworker, enrollments, monkeypatch
):
    client = api_as(caseworker)
    exact = client.get(HOUSEHOLDS).json()
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 4)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assistance_household")

    estimated = client.get(HOUSEHOLDS).json()
    by_cursor = client.get(HOUSEHOLDS, {"cursor": ""}).json()

    assert exact["count"] == 7 and "count_estimated" not in exact
    assert estimated["count_estimated"] is True and by_cursor["count_estimated"] is True
    assert estimated["count"] >= 5  # at least what was counted before stopping: more than the limit
    assert len(estimated["results"]) == 7


def test_under_the_limit_the_count_stays_exact_whatever_the_estimate(caseworker, enrollments, monkeypatch):
    monkeypatch.setattr(pagination, "_planner_estimate", lambda queryset: 10_000_000)

    assert pagination.count_rows(Enrollment.objects.all()) == (7, False)
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 6)
    assert pagination.count_rows(Enrollment.objects.all()) == (10_000_000, True)
