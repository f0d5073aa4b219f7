"""Working days by the Chinese holiday calendar (SPEC §2.5): the package's years, the bureau's own entries for a
year the package does not know, weekends alone where neither knows; Civil Code art. 203 roll-forward."""

import datetime

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.calendar import add_working_days, calendar_known, is_working_day, roll_forward
from civil_affairs.calendar.models import CalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


def test_national_day_2024_is_not_a_working_day_but_its_make_up_sunday_is():
    assert not is_working_day(D(2024, 10, 1))
    assert is_working_day(D(2024, 9, 29))  # Sunday, a make-up working day
    assert is_working_day(D(2024, 10, 8))


def test_a_period_ending_on_national_day_rolls_forward_to_the_next_working_day():
    # A divorce applied for on 2024-09-01: day 30 is 2024-10-01, a holiday; the period ends on 10-08.
    assert roll_forward(D(2024, 9, 1) + datetime.timedelta(days=30)) == D(2024, 10, 8)
    assert roll_forward(D(2024, 10, 9)) == D(2024, 10, 9)


def test_working_days_are_counted_from_the_next_day_across_the_holiday():
    # Accepted on Friday 2024-09-27: 1 = Sun 09-29 (make-up), 2 = Mon 09-30, then the holiday until 10-07.
    assert add_working_days(D(2024, 9, 27), 1) == D(2024, 9, 29)
    assert add_working_days(D(2024, 9, 27), 3) == D(2024, 10, 8)
    # …then 10-08 … 10-11, Saturday 10-12 (make-up), 10-14 … 10-30: the 20th working day.
    assert add_working_days(D(2024, 9, 27), 20) == D(2024, 10, 30)


def test_a_year_nobody_knows_counts_weekends_only_and_says_so():
    assert not calendar_known(2031)
    assert is_working_day(D(2031, 1, 1))  # a Wednesday: no holiday known for 2031
    assert not is_working_day(D(2031, 1, 4))  # Saturday


def test_the_bureaus_entries_override_the_package_and_make_a_year_known():
    CalendarDay.objects.create(day=D(2031, 1, 1), kind="holiday", name="元旦")
    CalendarDay.objects.create(day=D(2031, 1, 4), kind="workday", name="调休上班")

    assert calendar_known(2031)
    assert not is_working_day(D(2031, 1, 1))
    assert is_working_day(D(2031, 1, 4))
    assert add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)


def test_only_administrators_enter_days_and_each_entry_is_audited(api_as, make_user):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    caseworker = make_user(Role.CASEWORKER, "370114001")
    payload = {"day": "2031-10-01", "kind": "holiday", "name": "国庆节"}

    refused = api_as(caseworker).post("/api/v1/calendar-days/", payload, format="json")
    created = api_as(admin).post("/api/v1/calendar-days/", payload, format="json")
    listed = api_as(caseworker).get("/api/v1/calendar-days/?year=2031").json()

    assert refused.status_code == 403 and created.status_code == 201
    assert listed["calendar_known"] is True and listed["results"][0]["name"] == "国庆节"
    assert AuditEvent.objects.filter(object_type="workcalendar.calendarday", action="create").count() == 1
    assert not is_working_day(D(2031, 10, 1))


@pytest.mark.parametrize("year", ["0", "99999", "abc", "1999"])
def test_a_year_outside_the_calendar_is_a_400_not_a_server_error(api_as, make_user, year):
    response = api_as(make_user(Role.VIEWER, "370114")).get(f"/api/v1/calendar-days/?year={year}")

    assert response.status_code == 400 and "year" in response.json()


def test_a_day_far_in_the_future_is_refused(api_as, make_user):
    response = api_as(make_user(Role.ADMINISTRATOR, "370114")).post(
        "/api/v1/calendar-days/", {"day": "9999-12-31", "kind": "holiday"}, format="json"
    )

    assert response.status_code == 400 and "day" in response.json()
    assert not CalendarDay.objects.exists()
