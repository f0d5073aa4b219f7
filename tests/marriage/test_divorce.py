"""Divorce by agreement (SPEC §6, Civil Code art. 1077): the 30-day cooling-off period counted from the day after
the application, withdrawal within it, the certificate on days 31–60 only, lapse after day 60."""

import datetime

import pytest
from django.utils import timezone

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
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


def apply(client, registration, days_before_today=0):
    return client.post(
        "/api/v1/marriage/divorces/",
        {"registration": registration.pk, "application_date": str(days_ago(days_before_today))},
        format="json",
    )


def act(client, divorce_id, action, body=None):
    return client.post(f"/api/v1/marriage/divorces/{divorce_id}/{action}/", body or {}, format="json")


def test_an_application_opens_the_cooling_off_period(registrar_api, marriage):
    today = timezone.localdate()

    response = apply(registrar_api, marriage)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["phase"] == "cooling_off"
    assert body["registration"] == marriage.pk
    assert (body["party_a"], body["party_b"]) == (marriage.party_a_id, marriage.party_b_id)
    assert body["application_date"] == str(today)
    assert body["cooling_off_until"] == str(today + datetime.timedelta(days=30))
    assert body["certificate_from"] == str(today + datetime.timedelta(days=31))
    assert body["certificate_until"] == str(today + datetime.timedelta(days=60))
    assert body["days_left"] == 30
    assert body["certificate_number"] is None
    assert AuditEvent.objects.filter(object_type="marriage.divorceapplication", action="create").count() == 1


def test_an_application_may_be_recorded_after_the_fact(registrar_api, marriage):
    body = apply(registrar_api, marriage, days_before_today=40).json()

    assert body["phase"] == "awaiting_certificate"
    assert body["days_left"] == 20


def test_an_application_date_in_the_future_is_refused(registrar_api, marriage):
    response = apply(registrar_api, marriage, days_before_today=-1)

    assert response.status_code == 400
    assert list(response.json()) == ["application_date"]
    assert not DivorceApplication.objects.exists()


def test_the_two_must_be_married_to_each_other_on_the_application_date(registrar_api, divisions):
    dissolved = RegistrationFactory(registration_date=D(2010, 1, 1), dissolved_on=D(2012, 1, 1))
    recent = RegistrationFactory(registration_date=days_ago(3))

    after_divorce = apply(registrar_api, dissolved)
    before_marriage = apply(registrar_api, recent, days_before_today=10)

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
    apply(registrar_api, marriage, days_before_today=5)

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
    assert list(response.json()) == ["party"]
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
