"""GET /api/v1/dashboards/summary/ (SPEC §9): each figure equals what its list gives for the same period and
town; jurisdiction and lines of work; a period without data; a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum

from assistance import selectors as assistance_selectors
from assistance.models import Payment, PaymentBatch
from assistance.rules import Category
from civil_affairs.accounts.lines import TOWN_LINES, Line
from civil_affairs.accounts.models import Role
from dashboards import services
from dashboards.models import NEVER, LastPaid, PaymentTotal, PeopleStart
from tests.dashboards.conftest import DISTRICT, MINGSHUI, SHUANGSHAN, count_of, pay, summary_of, ym

pytestmark = pytest.mark.django_db


def payments_listed(user, town, months):
    """The payments of the enrollments the user's enrollment list shows for the town, in these months."""
    enrollments = assistance_selectors.enrollment_list(user=user).filter(division__code__startswith=town)
    return Payment.objects.filter(enrollment__in=enrollments, month__in=months)


def test_assistance_figures_equal_the_payments_and_enrollments_of_the_town(bureau, api_as, district_admin):
    client = api_as(district_admin)
    months = [bureau.m2, bureau.m1, bureau.m0]
    summary = summary_of(client, **{"from": ym(bureau.m2), "to": ym(bureau.m0), "division": MINGSHUI})
    figures = summary["assistance"]

    payments = payments_listed(district_admin, MINGSHUI, months)
    assert figures["paid"] == f"{payments.aggregate(total=Sum('amount'))['total']:.2f}"
    assert figures["person_times"] == sum(
        p.enrollment.covered_count for p in payments.select_related("enrollment")
    )
    people = {person.pk for p in payments for person in p.enrollment.covered_members.all()}
    assert figures["people"] == len(people)
    # The family's head is in two categories: counted once among the people, once in each category.
    by_category = {row["category"]: row for row in figures["by_category"]}
    assert by_category[Category.DISABILITY_LIVING]["people"] == 1
    assert (
        by_category[Category.DIBAO_URBAN]["people"]
        + by_category[Category.DISABILITY_LIVING]["people"]
        + (by_category[Category.TEKUN_URBAN]["people"])
        == figures["people"] + 1
    )
    for category, row in by_category.items():
        of_category = payments.filter(enrollment__category=category)
        assert row["paid"] == f"{of_category.aggregate(total=Sum('amount'))['total'] or Decimal(0):.2f}"

    # Open things on today (this month is in the period): the enrollment list's own filters.
    enrollments = "/api/v1/assistance/enrollments/"
    assert figures["active_enrollments"] == count_of(client, enrollments, status="active", division=MINGSHUI)
    assert figures["rechecks_overdue"] == count_of(
        client, enrollments, recheck_overdue="true", division=MINGSHUI
    )
    assert figures["rechecks_overdue"] == 1
    assert summary["by_town"] == [
        {
            "division": MINGSHUI,
            "name": "明水街道",
            **{k: v for k, v in summary["by_town"][0].items() if k not in ("division", "name")},
        }
    ]
    assert summary["by_town"][0]["paid"] == figures["paid"]


def test_district_paid_equals_the_payment_batches_and_the_towns_add_up(bureau, api_as, district_admin):
    client = api_as(district_admin)
    summary = summary_of(client, **{"from": ym(bureau.m2), "to": ym(bureau.m0)})
    assert summary["division"] == DISTRICT
    batches = PaymentBatch.objects.filter(month__gte=bureau.m2).aggregate(total=Sum("total"))["total"]
    assert summary["assistance"]["paid"] == f"{batches:.2f}"
    assert sum(Decimal(town["paid"]) for town in summary["by_town"]) == batches
    assert len(summary["by_town"]) == 18
    shuangshan = next(town for town in summary["by_town"] if town["division"] == SHUANGSHAN)
    assert shuangshan["people"] == 1 and shuangshan["person_times"] == 3  # one person, three months
    assert [row["month"] for row in summary["by_month"]] == [ym(bureau.m2), ym(bureau.m1), ym(bureau.m0)]
    assert sum(Decimal(row["paid"]) for row in summary["by_month"]) == batches


def test_people_paid_in_several_months_count_once_and_only_in_months_they_were_paid(
    bureau, api_as, district_admin
):
    client = api_as(district_admin)
    one_month = summary_of(client, **{"from": ym(bureau.m1), "to": ym(bureau.m1), "division": SHUANGSHAN})
    three_months = summary_of(client, **{"from": ym(bureau.m2), "to": ym(bureau.m0), "division": SHUANGSHAN})
    assert one_month["assistance"]["people"] == three_months["assistance"]["people"] == 1
    assert three_months["assistance"]["person_times"] == 3 * one_month["assistance"]["person_times"]
    assert [row["people"] for row in three_months["by_month"]] == [1, 1, 1]


def test_the_other_lines_equal_their_lists_for_a_period_and_a_town(
    bureau, api_as, district_admin, mingshui_marriage_user
):
    client = api_as(district_admin)
    first = bureau.m1
    query = {"from": ym(bureau.m1), "to": ym(bureau.m0), "division": MINGSHUI}
    summary = summary_of(client, **query)
    last_day = datetime.date.fromisoformat(summary["as_of"])

    eldercare = summary["eldercare"]
    facilities = "/api/v1/eldercare/facilities/"
    for kind, count in eldercare["facilities_by_kind"].items():
        assert count == count_of(client, facilities, kind=kind, status="operating", division=MINGSHUI)
    assert eldercare["facilities_by_kind"]["nursing_home"] == 1
    assert eldercare["beds"] == 120
    assert (
        eldercare["open_alerts"]
        == count_of(client, "/api/v1/eldercare/alerts/", open="true", division=MINGSHUI)
        == 1
    )
    assert (
        eldercare["hazards_overdue"]
        == count_of(client, "/api/v1/eldercare/hazards/", overdue="true", division=MINGSHUI)
        == 1
    )

    marriage = summary["marriage"]
    registrations = (
        api_as(mingshui_marriage_user)
        .get(
            "/api/v1/marriage/registrations/",
            {"registered_from": bureau.m1.isoformat(), "registered_until": last_day.isoformat()},
        )
        .json()
    )
    assert marriage["registrations"] == registrations["count"] == 1
    divorces = api_as(mingshui_marriage_user).get("/api/v1/marriage/divorces/", {"phase": "issued"}).json()
    assert (
        marriage["divorces"]
        == len(
            [
                d
                for d in divorces["results"]
                if first <= datetime.date.fromisoformat(d["issued_on"]) <= last_day
            ]
        )
        == 1
    )
    assert marriage["reissues"] == 0  # the reissue is of a 双山 couple

    funeral = summary["funeral"]
    assert (
        funeral["deaths"]
        == count_of(
            client,
            "/api/v1/funeral/deaths/",
            division=MINGSHUI,
            died_after=first.isoformat(),
            died_before=last_day.isoformat(),
        )
        == 1
    )
    subsidies = client.get(
        "/api/v1/funeral/burial-subsidies/",
        {"division": MINGSHUI, "buried_after": first.isoformat(), "buried_before": last_day.isoformat()},
    ).json()["results"]
    assert funeral["burial_subsidies"] == len(subsidies) == 1
    assert funeral["burial_subsidy_amount"] == "3000.00" == subsidies[0]["amount"]
    assert funeral["fee_waivers"] == count_of(client, "/api/v1/funeral/fee-waivers/", division=MINGSHUI) == 1

    staffing = client.get("/api/v1/community/staffing/", {"date": last_day.isoformat()}).json()
    rows = staffing["results"] if isinstance(staffing, dict) else staffing
    mingshui = next(row for row in rows if row["division"] == MINGSHUI)
    assert summary["community"] == {
        "workers": mingshui["workers"],
        "per_10000": mingshui["per_10000"],
        "certified_share": mingshui["certified_share"],
        "towns_below_target": 1,
    }
    assert summary["community"]["workers"] == 3 and summary["community"]["certified_share"] == "0.6667"


def test_a_couple_from_two_towns_counts_in_both_and_once_in_the_district(bureau, api_as, district_admin):
    summary = summary_of(api_as(district_admin), **{"from": ym(bureau.m1), "to": ym(bureau.m1)})
    towns = {town["division"]: town for town in summary["by_town"]}
    assert towns[MINGSHUI]["registrations"] == 1
    assert towns[SHUANGSHAN]["registrations"] == 2
    assert summary["marriage"] == {"registrations": 2, "divorces": 1, "reissues": 1}


def test_a_period_with_no_data_has_every_figure_at_zero(bureau, api_as, district_admin):
    summary = summary_of(api_as(district_admin), **{"from": "2001-01", "to": "2001-12"})
    assistance = summary["assistance"]
    assert (assistance["paid"], assistance["person_times"], assistance["people"]) == ("0.00", 0, 0)
    assert (assistance["active_enrollments"], assistance["rechecks_overdue"]) == (0, 0)
    assert all(row["paid"] == "0.00" and row["people"] == 0 for row in assistance["by_category"])
    assert summary["marriage"] == {"registrations": 0, "divorces": 0, "reissues": 0}
    assert summary["funeral"] == {
        "deaths": 0,
        "burial_subsidies": 0,
        "burial_subsidy_amount": "0.00",
        "fee_waivers": 0,
    }
    assert summary["eldercare"]["open_alerts"] == summary["eldercare"]["hazards_overdue"] == 0
    assert summary["community"]["workers"] == 0
    assert len(summary["by_month"]) == 12 and all(row["paid"] == "0.00" for row in summary["by_month"])
    assert summary["as_of"] == "2001-12-31"


def test_counts_of_open_things_are_taken_on_the_periods_last_day(bureau, api_as, district_admin):
    """Two months ago the overdue enrollment's re-check (due last month) was not yet overdue; the enrollments
    had all started."""
    summary = summary_of(
        api_as(district_admin), **{"from": ym(bureau.m2), "to": ym(bureau.m2), "division": MINGSHUI}
    )
    assert summary["as_of"] < bureau.m1.isoformat()
    assert summary["assistance"]["rechecks_overdue"] == 0
    # family, head_disability, overdue, and the one that ended on this day; not the suspended one.
    assert summary["assistance"]["active_enrollments"] == 4


def test_a_town_caseworker_sees_their_town_only(bureau, api_as, make_user):
    client = api_as(make_user(Role.CASEWORKER, MINGSHUI, "town-caseworker", lines=TOWN_LINES))
    summary = summary_of(client, **{"from": ym(bureau.m2), "to": ym(bureau.m0)})
    assert summary["division"] == MINGSHUI
    assert [town["division"] for town in summary["by_town"]] == [MINGSHUI]
    assert "marriage" not in summary  # town caseworkers do not serve marriage
    for outside in (DISTRICT, SHUANGSHAN, "370114002001"):
        assert client.get("/api/v1/dashboards/summary/", {"division": outside}).status_code == 404
    assert client.get("/api/v1/dashboards/summary/", {"division": "999999"}).status_code == 404


def test_single_line_users_see_their_line_only(bureau, api_as, make_user):
    registrar = make_user(Role.CASEWORKER, DISTRICT, "registrar", lines=[Line.MARRIAGE])
    summary = summary_of(api_as(registrar), **{"from": ym(bureau.m1), "to": ym(bureau.m1)})
    assert {key for key in summary if key in {s.value for s in Line}} == {"marriage"}
    assert set(summary["by_town"][0]) == {"division", "name", "registrations", "divorces", "reissues"}


def test_every_role_reads_the_summary_of_its_jurisdiction(bureau, api_as, make_user):
    for role in Role.values:
        user = make_user(role, DISTRICT)
        assert "assistance" in summary_of(api_as(user)), role


def test_invalid_queries_answer_400(bureau, api_as, district_admin):
    client = api_as(district_admin)
    url = "/api/v1/dashboards/summary/"
    assert "from" in client.get(url, {"from": "2024-13"}).json()
    assert "to" in client.get(url, {"from": "2024-05", "to": "2024-04"}).json()
    assert "to" in client.get(url, {"from": "2001-01", "to": "2024-04"}).json()  # over ten years
    village = client.get(url, {"division": "370114001001"})
    assert village.status_code == 400 and village.json()["rule"] == "division_level"
    assert api_as(None).get(url).status_code == 401


def test_the_query_count_is_the_same_for_one_month_and_two_years(
    bureau, api_as, district_admin, django_assert_max_num_queries
):
    client = api_as(district_admin)
    with django_assert_max_num_queries(40) as one_month:
        summary_of(client, **{"from": ym(bureau.m0), "to": ym(bureau.m0)})
    two_years = bureau.m0.replace(year=bureau.m0.year - 2)
    with django_assert_max_num_queries(len(one_month.captured_queries)):
        summary_of(client, **{"from": ym(two_years), "to": ym(bureau.m0)})


def test_a_new_payment_batch_reaches_the_summary_at_the_next_refresh_and_nothing_else_is_redone(
    bureau, api_as, district_admin
):
    nothing = services.summaries_refresh()
    assert (nothing.months_summed, nothing.people, nothing.levels_written, nothing.levels_deleted) == (
        0,
        "",
        0,
        0,
    )
    next_month = (bureau.m0 + datetime.timedelta(days=32)).replace(day=1)
    pay(next_month)
    client = api_as(district_admin)
    before = summary_of(client, **{"from": ym(next_month), "to": ym(next_month)})
    assert before["assistance"]["paid"] == "0.00"  # the summary tables lag until the refresh
    done = services.summaries_refresh()
    assert done.months_summed == 1 and done.people == "appended"
    after = summary_of(client, **{"from": ym(next_month), "to": ym(next_month)})
    total = PaymentBatch.objects.get(month=next_month).total
    assert after["assistance"]["paid"] == f"{total:.2f}" != "0.00"
    assert PaymentTotal.objects.filter(month=next_month).exists()


def test_a_recheck_recorded_moves_the_overdue_count_at_the_next_refresh(bureau, api_as, district_admin):
    overdue = bureau.enrollments["overdue"]
    type(overdue).objects.filter(pk=overdue.pk).update(next_review=bureau.m0.replace(year=bureau.m0.year + 1))
    result = services.summaries_refresh()
    assert result.levels_deleted >= 1
    summary = summary_of(api_as(district_admin), division=MINGSHUI)
    assert summary["assistance"]["rechecks_overdue"] == 0


def test_the_first_payments_of_everyone_count_each_person_once_in_the_district(bureau):
    firsts = PeopleStart.objects.filter(town="", category="", previous=NEVER)
    covered = {
        person.pk
        for enrollment in bureau.enrollments.values()
        if enrollment.payments.exists()
        for person in enrollment.covered_members.all()
    }
    assert sum(start.people for start in firsts) == len(covered)


def test_a_month_appended_gives_the_same_tables_as_a_rebuild(bureau):
    pay((bureau.m0 + datetime.timedelta(days=32)).replace(day=1))
    assert services.summaries_refresh().people == "appended"
    appended = _people_tables()
    assert services.summaries_refresh(rebuild=True).people == "rebuilt"
    assert _people_tables() == appended


def test_a_change_to_an_earlier_month_rebuilds_the_people(bureau):
    PaymentBatch.objects.filter(month=bureau.m1).update(count=0)
    assert services.summaries_refresh().people == "rebuilt"


def _people_tables():
    return (
        sorted(PeopleStart.objects.values_list("month", "previous", "town", "category", "people")),
        sorted(LastPaid.objects.values_list("person_id", "town", "category", "month")),
    )


def test_decisions_overdue_equal_the_application_list_and_count_on_a_past_day_those_decided_later(
    bureau, api_as, district_admin
):
    from django.utils import timezone

    from assistance.models import Application
    from assistance.workflow import State
    from tests.assistance.factories import household_with

    today = timezone.localdate()

    def case(village, state, due, decided_at=None):
        return Application.objects.create(
            household=household_with(["0"], division_id=village),
            division_id=village,
            category=Category.DIBAO_URBAN,
            state=state,
            submitted_by=district_admin,
            received_on=due - datetime.timedelta(days=40),
            accepted_on=due - datetime.timedelta(days=30),
            decision_due=due,
            decided_at=decided_at,
            decision_reason="收入高于标准。" if state == State.REJECTED else "",
        )

    week_ago = today - datetime.timedelta(days=7)
    case("370114001001", State.ACCEPTED, today - datetime.timedelta(days=3))
    case("370114001001", State.INVESTIGATED, today - datetime.timedelta(days=1))
    case("370114001001", State.ACCEPTED, today + datetime.timedelta(days=5))
    case("370114002001", State.ACCEPTED, today - datetime.timedelta(days=3))
    # Overdue a week ago, decided (late) three days ago.
    case(
        "370114001001",
        State.REJECTED,
        week_ago - datetime.timedelta(days=2),
        timezone.now() - datetime.timedelta(days=3),
    )
    client = api_as(district_admin)

    now = summary_of(client, division=MINGSHUI)["assistance"]["decisions_overdue"]
    listed = count_of(client, "/api/v1/assistance/applications/", decision_overdue="true", division=MINGSHUI)
    assert now == listed == 2

    from assistance import statistics

    a_week_ago = statistics.decisions_overdue_by_town(user=district_admin, within=MINGSHUI, on=week_ago)
    assert a_week_ago == {MINGSHUI: 1}  # only the one decided late was overdue then


def test_an_enrollment_is_not_in_force_on_the_days_its_dated_suspension_covers(divisions):
    from assistance.models import EnrollmentSuspension
    from assistance.statistics import IN_FORCE
    from dashboards.selectors import enrollment_levels
    from tests.assistance.factories import EnrollmentFactory

    enrollment = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    EnrollmentSuspension.objects.create(
        enrollment=enrollment, start=datetime.date(2024, 3, 10), end=datetime.date(2024, 5, 2)
    )
    services.summaries_refresh()

    def in_force(day):
        levels = enrollment_levels(towns=[MINGSHUI], on=day)
        return levels.get((IN_FORCE, MINGSHUI, enrollment.category), 0)

    assert [in_force(datetime.date(2024, m, d)) for m, d in [(3, 9), (3, 10), (5, 1), (5, 2)]] == [1, 0, 0, 1]
    assert in_force(datetime.date(2023, 12, 31)) == 0


def test_beat_refreshes_the_summaries_every_two_minutes(divisions, settings):
    from civil_affairs.celery import app
    from dashboards.models import SummaryState
    from dashboards.tasks import refresh_summaries

    entry = settings.CELERY_BEAT_SCHEDULE["dashboards-refresh-summaries"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].minute == set(range(0, 60, 2))
    refresh_summaries()
    assert SummaryState.objects.get().refreshed_at is not None
