"""Divorce by agreement (SPEC §6, Civil Code art. 1077): the 30-day cooling-off period counted from the day after
the application, withdrawal within it, the certificate on days 31–60 only, lapse after day 60."""

import datetime

import pytest
from django.utils import timezone

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.models import Person
from marriage import selectors, services
from marriage.models import DivorceApplication, Registration
from marriage.workflow import DivorceState, WithdrawalReason
from tests.marriage.conftest import days_ago
from tests.marriage.factories import DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def marriage(divisions):
    return RegistrationFactory(
        party_a=man(name="丈夫"), party_b=woman(name="妻子"), registration_date=D(2015, 5, 20)
    )


AGREEMENT = "婚生子由女方抚养，男方每月支付抚养费1500元；共同住房归女方所有；无共同债务。"


def apply(client, registration, days_before_today=0, **fields):
    return client.post(
        "/api/v1/marriage/divorces/",
        {
            "registration": registration.pk,
            "application_date": str(days_ago(days_before_today)),
            "agreement": AGREEMENT,
            "attended_in_person": True,
            **fields,
        },
        format="json",
    )


def act(client, divorce_id, action, body=None):
    return client.post(f"/api/v1/marriage/divorces/{divorce_id}/{action}/", body or {}, format="json")


def test_an_application_opens_the_cooling_off_period(registrar_api, marriage):
    response = apply(registrar_api, marriage)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phase"] == "cooling_off"
    assert body["registration"] == marriage.pk
    assert (body["party_a"], body["party_b"]) == (marriage.party_a_id, marriage.party_b_id)
    assert body["application_date"] == "2024-06-20"
    # The 30th day after Thursday 20 June is Saturday 20 July: the period ends on Monday 22 July (art. 203).
    assert body["cooling_off_ends"] == body["cooling_off_until"] == "2024-07-22"
    assert body["certificate_from"] == "2024-07-23"
    assert body["certificate_window_ends"] == body["certificate_until"] == "2024-08-21"
    assert body["days_left"] == 32
    assert (body["agreement"], body["attended_in_person"], body["archive_reason"]) == (AGREEMENT, True, "")
    assert body["certificate_number"] is None
    event = AuditEvent.objects.get(object_type="marriage.divorceapplication", action="create")
    assert event.changes["agreement"] == [None, AGREEMENT]
    assert event.changes["cooling_off_ends"] == [None, "2024-07-22"]


def test_a_caseworker_cannot_back_date_an_application(registrar_api, marriage):
    """Issue 8 #1: an application dated 45 days back would let the certificate be issued at once."""
    response = apply(registrar_api, marriage, days_before_today=45, archive_reason="补录")

    assert response.status_code == 400
    body = response.json()
    assert body["rule"] == "application_date_today"
    assert "apply in person: today" in body["application_date"][0]
    assert not DivorceApplication.objects.exists()


def test_an_administrator_enters_an_archive_record_only_with_its_reason(api_as, make_user, marriage):
    admin = api_as(make_user(Role.ADMINISTRATOR, "370114", "archivist"))

    without_reason = apply(admin, marriage, days_before_today=40)
    blank_reason = apply(admin, marriage, days_before_today=40, archive_reason="   ")
    with_reason = apply(admin, marriage, days_before_today=40, archive_reason="补录2024年5月纸质档案")

    assert without_reason.status_code == blank_reason.status_code == 400
    assert without_reason.json()["rule"] == "archive_reason_required"
    assert list(without_reason.json()) == ["archive_reason", "rule"]
    assert with_reason.status_code == 201, with_reason.json()
    body = with_reason.json()
    assert (body["application_date"], body["phase"]) == ("2024-05-11", "awaiting_certificate")
    assert body["archive_reason"] == "补录2024年5月纸质档案"
    divorce = DivorceApplication.objects.get()
    event = AuditEvent.objects.get(object_type="marriage.divorceapplication", object_id=str(divorce.pk))
    assert (event.action, event.actor_username) == ("create", "archivist")
    assert event.changes["archive_reason"] == [None, "补录2024年5月纸质档案"]
    assert event.changes["application_date"] == [None, "2024-05-11"]


def test_the_agreement_and_both_parties_attendance_are_required(registrar_api, marriage):
    response = apply(registrar_api, marriage, agreement="  ", attended_in_person=False)

    assert response.status_code == 400
    body = response.json()
    assert body["rule"] == "agreement_required"
    assert "Civil Code art. 1076" in body["agreement"][0]
    assert "in person" in body["attended_in_person"][0]
    assert not DivorceApplication.objects.exists()


def test_an_application_date_in_the_future_is_refused(registrar_api, marriage):
    response = apply(registrar_api, marriage, days_before_today=-1)

    assert response.status_code == 400
    assert list(response.json()) == ["application_date", "rule"]
    assert response.json()["rule"] == "application_date_future"
    assert not DivorceApplication.objects.exists()


def test_the_two_must_be_married_to_each_other_on_the_application_date(api_as, make_user, divisions):
    admin = api_as(make_user(Role.ADMINISTRATOR, "370114"))
    dissolved = RegistrationFactory(registration_date=D(2010, 1, 1), dissolved_on=D(2012, 1, 1))
    recent = RegistrationFactory(registration_date=days_ago(3))

    after_divorce = apply(admin, dissolved)
    before_marriage = apply(admin, recent, days_before_today=10, archive_reason="补录")

    assert after_divorce.status_code == 400
    assert "dissolved on 2012-01-01" in after_divorce.json()["registration"][0]
    assert before_marriage.status_code == 400
    assert "before the marriage was registered" in before_marriage.json()["application_date"][0]
    assert not DivorceApplication.objects.exists()


def test_a_deceased_spouse_ends_the_marriage_so_there_is_nothing_to_divorce(registrar_api, divisions):
    widow_marriage = RegistrationFactory(
        party_b=woman(name="亡妻", is_deceased=True, date_of_death=D(2023, 1, 1)),
        registration_date=D(2010, 1, 1),
    )

    response = apply(registrar_api, widow_marriage)

    assert response.status_code == 400
    assert "亡妻 died on 2023-01-01" in response.json()["registration"][0]


def test_one_open_application_per_marriage(registrar_api, marriage):
    DivorceFactory(registration=marriage, application_date=days_ago(5))

    second = apply(registrar_api, marriage)

    assert second.status_code == 400
    assert "already open" in second.json()["registration"][0]
    assert DivorceApplication.objects.count() == 1


def test_a_lapsed_application_does_not_block_a_new_one(registrar_api, marriage):
    lapsed = DivorceFactory(registration=marriage, application_date=days_ago(61))

    response = apply(registrar_api, marriage)

    assert response.status_code == 201
    lapsed.refresh_from_db()
    assert (lapsed.state, lapsed.withdrawal_reason) == (DivorceState.WITHDRAWN, WithdrawalReason.LAPSED)
    assert lapsed.withdrawn_on == days_ago(0)


@pytest.mark.parametrize("day", [0, 10, 30])
def test_either_party_may_withdraw_during_the_cooling_off_period(registrar_api, marriage, day):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(day))

    response = act(registrar_api, divorce.pk, "withdraw", {"party": marriage.party_b_id})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["phase"] == "withdrawn"
    assert body["withdrawal_reason"] == "party"
    assert body["withdrawn_by"] == marriage.party_b_id
    assert body["withdrawn_on"] == str(timezone.localdate())
    marriage.refresh_from_db()
    assert marriage.dissolved_on is None  # still married
    assert selectors.marital_status(person=marriage.party_a, on=timezone.localdate()).married


def test_withdrawing_after_the_cooling_off_period_is_a_conflict(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(31))

    response = act(registrar_api, divorce.pk, "withdraw")

    assert response.status_code == 409
    assert "cooling-off period ended on" in response.json()["detail"]
    divorce.refresh_from_db()
    assert divorce.state == DivorceState.OPEN


def test_only_a_party_may_withdraw(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(2))

    response = act(registrar_api, divorce.pk, "withdraw", {"party": man().pk})

    assert response.status_code == 400
    assert list(response.json()) == ["party", "rule"]
    divorce.refresh_from_db()
    assert divorce.state == DivorceState.OPEN


def test_withdrawing_with_someone_elses_id_does_not_tell_whether_the_id_exists(registrar_api, marriage):
    """Issue 8 #12: an existing person and an unknown id answer alike."""
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(2))
    stranger = man(name="路人")
    unknown_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000

    existing = act(registrar_api, divorce.pk, "withdraw", {"party": stranger.pk})
    unknown = act(registrar_api, divorce.pk, "withdraw", {"party": unknown_id})

    assert existing.status_code == unknown.status_code == 400
    assert (
        existing.json()
        == unknown.json()
        == {
            "party": ["Only one of the two parties can withdraw the application."],
            "rule": "not_a_party",
        }
    )
    divorce.refresh_from_db()
    assert divorce.state == DivorceState.OPEN


def test_the_certificate_is_refused_on_day_30(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(30))

    response = act(registrar_api, divorce.pk, "issue")

    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "cooling-off period runs until" in detail
    assert str(days_ago(0)) in detail  # today is its last day
    assert str(days_ago(-1)) in detail  # issued from tomorrow
    divorce.refresh_from_db()
    marriage.refresh_from_db()
    assert (divorce.state, divorce.certificate_number, marriage.dissolved_on) == (
        DivorceState.OPEN,
        None,
        None,
    )


@pytest.mark.parametrize("day", [31, 60])
def test_the_certificate_is_issued_on_days_31_to_60(registrar_api, marriage, day):
    today = timezone.localdate()
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(day))

    response = act(registrar_api, divorce.pk, "issue")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["phase"] == "issued"
    assert body["issued_on"] == str(today)
    assert body["certificate_number"] == f"L370114-{today.year}-000001"
    marriage.refresh_from_db()
    assert marriage.dissolved_on == today
    assert not selectors.marital_status(person=marriage.party_a, on=today).married
    assert selectors.marital_status(person=marriage.party_a, on=today - datetime.timedelta(days=1)).married
    assert AuditEvent.objects.filter(object_type="marriage.registration", action="dissolve").count() == 1


def test_on_day_61_the_application_has_lapsed_even_before_the_job_runs(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(61))

    shown = registrar_api.get(f"/api/v1/marriage/divorces/{divorce.pk}/").json()
    response = act(registrar_api, divorce.pk, "issue")

    assert shown["phase"] == "withdrawn"
    assert shown["withdrawal_reason"] == "lapsed"
    assert shown["withdrawn_on"] == str(timezone.localdate())
    assert response.status_code == 409
    assert "lapsed" in response.json()["detail"]
    marriage.refresh_from_db()
    assert marriage.dissolved_on is None


def test_a_certificate_is_issued_once(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(45))
    act(registrar_api, divorce.pk, "issue")

    again = act(registrar_api, divorce.pk, "issue")
    withdraw = act(registrar_api, divorce.pk, "withdraw")

    assert again.status_code == withdraw.status_code == 409
    assert "already issued" in again.json()["detail"]
    assert DivorceApplication.objects.get().certificate_number.startswith("L370114-")


def test_a_withdrawn_application_cannot_be_issued(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(1))
    act(registrar_api, divorce.pk, "withdraw")
    DivorceApplication.objects.filter(pk=divorce.pk).update(application_date=days_ago(40))

    response = act(registrar_api, divorce.pk, "issue")

    assert response.status_code == 409
    assert "withdrawn on" in response.json()["detail"]


def test_the_lapse_service_marks_only_applications_past_day_60(divisions):
    day_60 = DivorceFactory(application_date=days_ago(60))
    day_61 = DivorceFactory(application_date=days_ago(61))
    day_200 = DivorceFactory(application_date=days_ago(200))
    issued = DivorceFactory(
        application_date=days_ago(300),
        state=DivorceState.ISSUED,
        issued_on=days_ago(260),
        certificate_number="L370114-2020-000009",
    )

    assert services.divorce_lapse_overdue(chunk_size=1) == 2
    assert services.divorce_lapse_overdue() == 0  # idempotent

    states = dict(DivorceApplication.objects.values_list("pk", "state"))
    assert states == {
        day_60.pk: DivorceState.OPEN,
        day_61.pk: DivorceState.WITHDRAWN,
        day_200.pk: DivorceState.WITHDRAWN,
        issued.pk: DivorceState.ISSUED,
    }
    day_200.refresh_from_db()
    assert day_200.withdrawal_reason == WithdrawalReason.LAPSED
    assert day_200.withdrawn_on == days_ago(200 - 61)
    lapse_events = AuditEvent.objects.filter(action="transition:lapse").values_list("object_id", flat=True)
    assert sorted(lapse_events) == sorted([str(day_61.pk), str(day_200.pk)])


@pytest.mark.parametrize(
    ("phase", "expected"),
    [
        ("cooling_off", {0, 30}),
        ("awaiting_certificate", {31, 60}),
        ("lapsed", {61, "lapsed"}),
        ("withdrawn", {61, "lapsed", "withdrawn"}),
        ("issued", {"issued"}),
    ],
)
def test_the_list_filters_by_phase_today(registrar_api, divisions, phase, expected):
    made = {day: DivorceFactory(application_date=days_ago(day)) for day in (0, 30, 31, 60, 61)}
    made["lapsed"] = DivorceFactory(
        application_date=days_ago(90),
        state=DivorceState.WITHDRAWN,
        withdrawal_reason=WithdrawalReason.LAPSED,
        withdrawn_on=days_ago(29),
    )
    made["withdrawn"] = DivorceFactory(
        application_date=days_ago(90),
        state=DivorceState.WITHDRAWN,
        withdrawal_reason=WithdrawalReason.PARTY,
        withdrawn_on=days_ago(80),
    )
    made["issued"] = DivorceFactory(
        application_date=days_ago(90),
        state=DivorceState.ISSUED,
        issued_on=days_ago(50),
        certificate_number="L370114-2020-000001",
    )
    ids = {divorce.pk: key for key, divorce in made.items()}

    rows = registrar_api.get("/api/v1/marriage/divorces/", {"phase": phase}).json()["results"]

    assert {ids[row["id"]] for row in rows} == expected


@pytest.mark.parametrize("role", [Role.VIEWER, Role.API_CLIENT])
def test_only_caseworkers_and_administrators_act_on_divorces(api_as, make_user, marriage, role):
    divorce = DivorceFactory(registration=marriage, application_date=days_ago(40))
    client = api_as(make_user(role, "370114"))

    assert act(client, divorce.pk, "issue").status_code == 403
    assert apply(client, marriage).status_code == 403
    assert Registration.objects.get().dissolved_on is None
