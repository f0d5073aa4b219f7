"""Divorce periods on the Chinese holiday calendar (Civil Code arts. 201, 203, 1077; SPEC §2.5, §6; issue 9 #11):
counted from the day after, a last day on a statutory holiday or rest day moves to the next working day, the
certificate period starts the day after the (extended) cooling-off period; phase, withdraw/, issue/, the lapse
job and the pages follow. Every date is exact and today is frozen."""

import datetime

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.calendar import services as calendar_services
from marriage import services
from marriage.models import DivorceApplication
from marriage.workflow import DivorceState, WithdrawalReason
from tests.marriage.factories import DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

D = datetime.date
AGREEMENT = "双方无子女；共同存款平均分割；无共同债务。"


@pytest.fixture
def marriage(divisions):
    return RegistrationFactory(
        party_a=man(name="丈夫"), party_b=woman(name="妻子"), registration_date=D(2015, 5, 20)
    )


@pytest.fixture
def national_day_case(marriage):
    """Applied on 2024-09-01: the 30th day is 1 October, the first day of the National Day holiday
    (1–7 October 2024), so the cooling-off period ends on Tuesday 8 October."""
    return DivorceFactory(registration=marriage, application_date=D(2024, 9, 1))


def act(client, divorce, action, body=None):
    return client.post(f"/api/v1/marriage/divorces/{divorce.pk}/{action}/", body or {}, format="json")


def test_an_application_on_1_september_2024_cools_off_until_8_october(registrar_api, marriage, freeze_today):
    freeze_today(D(2024, 9, 1))

    response = registrar_api.post(
        "/api/v1/marriage/divorces/",
        {"registration": marriage.pk, "agreement": AGREEMENT, "attended_in_person": True},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["application_date"] == "2024-09-01"
    assert body["cooling_off_ends"] == "2024-10-08"  # not 10-01
    assert body["certificate_from"] == "2024-10-09"
    assert body["certificate_window_ends"] == "2024-11-07"  # 30 days after 8 October
    assert body["days_left"] == 37
    divorce = DivorceApplication.objects.get()
    assert (divorce.cooling_off_ends, divorce.certificate_window_ends) == (D(2024, 10, 8), D(2024, 11, 7))


def test_a_withdrawal_on_8_october_2024_is_accepted(registrar_api, national_day_case, freeze_today):
    freeze_today(D(2024, 10, 8))
    shown = registrar_api.get(f"/api/v1/marriage/divorces/{national_day_case.pk}/").json()

    response = act(
        registrar_api, national_day_case, "withdraw", {"party": national_day_case.registration.party_a_id}
    )

    assert (shown["phase"], shown["days_left"]) == ("cooling_off", 0)
    assert response.status_code == 200, response.json()
    assert (response.json()["phase"], response.json()["withdrawn_on"]) == ("withdrawn", "2024-10-08")
    national_day_case.refresh_from_db()
    assert (national_day_case.state, national_day_case.withdrawal_reason) == (
        DivorceState.WITHDRAWN,
        WithdrawalReason.PARTY,
    )


def test_the_certificate_waits_for_the_day_after_the_extended_cooling_off(
    registrar_api, national_day_case, freeze_today
):
    freeze_today(D(2024, 10, 8))
    too_early = act(registrar_api, national_day_case, "issue")
    freeze_today(D(2024, 10, 9))
    on_time = act(registrar_api, national_day_case, "issue")

    assert too_early.status_code == 409
    assert too_early.json()["detail"] == (
        "The cooling-off period runs until 2024-10-08 (Civil Code art. 1077): the certificate can be issued from "
        "2024-10-09 to 2024-11-07."
    )
    assert on_time.status_code == 200, on_time.json()
    assert (on_time.json()["phase"], on_time.json()["issued_on"]) == ("issued", "2024-10-09")
    national_day_case.registration.refresh_from_db()
    assert national_day_case.registration.dissolved_on == D(2024, 10, 9)


def test_a_withdrawal_the_day_after_the_extended_cooling_off_is_a_conflict(
    registrar_api, national_day_case, freeze_today
):
    freeze_today(D(2024, 10, 9))

    response = act(registrar_api, national_day_case, "withdraw")

    assert response.status_code == 409
    assert "cooling-off period ended on 2024-10-08" in response.json()["detail"]
    national_day_case.refresh_from_db()
    assert national_day_case.state == DivorceState.OPEN


@pytest.mark.parametrize(
    ("today", "phase"),
    [
        (D(2024, 10, 1), "cooling_off"),  # the unextended 30th day
        (D(2024, 10, 8), "cooling_off"),
        (D(2024, 10, 9), "awaiting_certificate"),
        (D(2024, 11, 7), "awaiting_certificate"),
        (D(2024, 11, 8), "lapsed"),
    ],
)
def test_the_phase_filter_follows_the_extended_dates(
    registrar_api, national_day_case, freeze_today, today, phase
):
    freeze_today(today)

    listed = {
        name: [
            row["id"]
            for row in registrar_api.get("/api/v1/marriage/divorces/", {"phase": name}).json()["results"]
        ]
        for name in ("cooling_off", "awaiting_certificate", "lapsed")
    }

    assert listed[phase] == [national_day_case.pk]
    assert sum(len(ids) for ids in listed.values()) == 1


def test_a_certificate_period_ending_on_a_sunday_runs_to_monday_and_then_lapses(
    registrar, marriage, freeze_today
):
    # Applied Wednesday 19 June 2024: cooling off until Friday 19 July; the 30th day after that is Sunday
    # 18 August, so the certificate may still be issued on Monday 19 August.
    divorce = DivorceFactory(registration=marriage, application_date=D(2024, 6, 19))
    assert (divorce.cooling_off_ends, divorce.certificate_window_ends) == (D(2024, 7, 19), D(2024, 8, 19))

    assert services.divorce_lapse_overdue(today=D(2024, 8, 19)) == 0
    assert services.divorce_lapse_overdue(today=D(2024, 8, 20)) == 1

    divorce.refresh_from_db()
    assert (divorce.state, divorce.withdrawal_reason, divorce.withdrawn_on) == (
        DivorceState.WITHDRAWN,
        WithdrawalReason.LAPSED,
        D(2024, 8, 20),
    )
    event = AuditEvent.objects.get(action="transition:lapse")
    assert event.changes["withdrawn_on"] == [None, "2024-08-20"]


def test_the_certificate_is_issued_on_the_monday_that_ends_the_extended_period(
    registrar, marriage, freeze_today
):
    divorce = DivorceFactory(registration=marriage, application_date=D(2024, 6, 19))
    freeze_today(D(2024, 8, 19))

    issued = services.divorce_issue(actor=registrar, divorce=divorce)

    assert (issued.state, issued.issued_on) == (DivorceState.ISSUED, D(2024, 8, 19))


def test_the_lapse_job_leaves_the_national_day_case_open_until_its_extended_end(national_day_case):
    assert services.divorce_lapse_overdue(today=D(2024, 11, 7)) == 0
    assert services.divorce_lapse_overdue(today=D(2024, 11, 8)) == 1

    national_day_case.refresh_from_db()
    assert national_day_case.withdrawn_on == D(2024, 11, 8)


def test_a_holiday_entered_by_an_administrator_moves_open_applications_end_dates(
    make_user, marriage, freeze_today
):
    admin = make_user(Role.ADMINISTRATOR, "370114", "calendar_keeper")
    divorce = DivorceFactory(registration=marriage, application_date=D(2024, 6, 20))
    assert divorce.cooling_off_ends == D(2024, 7, 22)

    entry = calendar_services.calendar_day_set(
        actor=admin, day=D(2024, 7, 22), kind="holiday", name="测试假日"
    )
    divorce.refresh_from_db()
    moved = (divorce.cooling_off_ends, divorce.certificate_window_ends)
    calendar_services.calendar_day_remove(actor=admin, entry=entry)
    divorce.refresh_from_db()

    assert moved == (D(2024, 7, 23), D(2024, 8, 22))
    assert (divorce.cooling_off_ends, divorce.certificate_window_ends) == (D(2024, 7, 22), D(2024, 8, 21))
    events = AuditEvent.objects.filter(action="recalculate_periods").order_by("id")
    assert [event.changes["cooling_off_ends"] for event in events] == [
        ["2024-07-22", "2024-07-23"],
        ["2024-07-23", "2024-07-22"],
    ]
    assert events[0].actor_username == "calendar_keeper"


def test_the_divorce_page_warns_when_a_years_holidays_are_unknown(client, registrar, marriage, freeze_today):
    freeze_today(D(2026, 12, 21))  # its periods end in 2027, which the calendar does not know yet
    divorce = DivorceFactory(registration=marriage, application_date=D(2026, 12, 21))
    client.force_login(registrar)

    html = client.get(
        "/marriage/divorces/", {"phase": "cooling_off"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert divorce.cooling_off_ends == D(2027, 1, 20)  # a Wednesday: weekends alone count in 2027
    assert "The holidays of 2027 are not known yet" in html


def test_the_divorce_page_shows_both_end_dates_of_the_national_day_case(
    client, registrar, national_day_case, freeze_today
):
    freeze_today(D(2024, 10, 8))
    client.force_login(registrar)

    html = client.get(
        "/marriage/divorces/", {"phase": "cooling_off"}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "2024-10-08" in html and "2024-11-07" in html and "extended" in html
    assert "last day" in html
    assert "Withdraw the application" in html and "Issue the divorce certificate" not in html
    assert "not known yet" not in html


def test_the_divorce_page_reads_the_extended_dates_in_chinese(
    client, registrar, national_day_case, freeze_today, compiled_catalogue
):
    freeze_today(D(2024, 10, 8))
    client.force_login(registrar)

    html = client.get("/marriage/divorces/", {"phase": "cooling_off"}).content.decode()

    assert "离婚冷静期届满日" in html and "领证期限届满日" in html and "顺延" in html
    assert "以其后的第一个工作日为期间的最后一日" in html
    assert f"男方 {national_day_case.registration.husband.name}" in html
