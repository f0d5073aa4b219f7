"""The case's dates follow one another (SPEC §4.2, issue 8 #1) and the decision is due 20 working days after
acceptance by the Chinese holiday calendar, extendable once to 30 (issue 9 #6). Exact dates, the clock frozen."""

import datetime

import pytest

from assistance import services
from assistance.models import Application, Enrollment
from assistance.rules import Category
from assistance.workflow import State
from civil_affairs.audit.models import AuditEvent
from civil_affairs.workflow.models import StateChange
from tests.assistance.factories import household_with

pytestmark = pytest.mark.django_db

D = datetime.date


def url(application, action=""):
    pk = application["id"] if isinstance(application, dict) else application.pk
    return f"/api/v1/assistance/applications/{pk}/" + (f"{action}/" if action else "")


def submit(client, household, **extra):
    return client.post(
        "/api/v1/assistance/applications/",
        {"household": household.pk, "category": Category.DIBAO_URBAN, **extra},
        format="json",
    )


def test_received_on_defaults_to_today_and_may_be_up_to_30_days_back(api_as, caseworker, standards, freeze):
    freeze(D(2024, 9, 20))
    client = api_as(caseworker)

    today = submit(client, household_with(["0"])).json()
    month_ago = submit(client, household_with(["0"]), received_on="2024-08-21").json()

    assert today["received_on"] == "2024-09-20"
    assert month_ago["received_on"] == "2024-08-21"
    assert Application.objects.get(pk=month_ago["id"]).received_on == D(2024, 8, 21)


@pytest.mark.parametrize(
    ("received_on", "rule"),
    [
        ("2024-08-20", "received_on_too_early"),
        ("2024-09-21", "date_in_future"),
        ("0001-01-01", "received_on_too_early"),
    ],
)
def test_a_received_date_outside_the_30_days_is_refused_and_nothing_stored(
    api_as, caseworker, standards, freeze, received_on, rule
):
    freeze(D(2024, 9, 20))

    response = submit(api_as(caseworker), household_with(["0"]), received_on=received_on)

    assert response.status_code == 400
    assert response.json()["rule"] == rule and "received_on" in response.json()
    assert not Application.objects.exists()
    assert not StateChange.objects.exists()


def test_each_step_takes_its_own_date_and_the_history_keeps_them_in_order(
    api_as, caseworker, reviewer, standards, freeze
):
    freeze(D(2024, 9, 13))
    client = api_as(caseworker)
    application = submit(client, household_with(["300", "0"]), received_on="2024-09-02").json()

    accepted = client.post(url(application, "accept"), {"date": "2024-09-03"}, format="json")
    investigated = client.post(
        url(application, "investigate"), {"report": "入户核实", "date": "2024-09-05"}, format="json"
    )
    publicised = client.post(url(application, "publicise"), {"notice_from": "2024-09-06"}, format="json")
    approved = api_as(reviewer).post(url(application, "approve"))

    assert [r.status_code for r in (accepted, investigated, publicised, approved)] == [200] * 4
    body = approved.json()
    assert (body["received_on"], body["accepted_on"], body["visited_on"], body["notice_from"]) == (
        "2024-09-02",
        "2024-09-03",
        "2024-09-05",
        "2024-09-06",
    )
    # 20 working days from 4 September: Saturday 14 September is a make-up working day, 15–17 (Mid-Autumn) and
    # 1–7 October (National Day) are holidays, Sunday 29 September is worked.
    assert body["decision_due"] == "2024-10-08"
    assert body["decided_at"].startswith("2024-09-13")
    assert Enrollment.objects.get().start == D(2024, 10, 1)


def test_dates_default_to_today(api_as, caseworker, standards, freeze):
    freeze(D(2024, 9, 20))
    client = api_as(caseworker)
    application = submit(client, household_with(["0"])).json()

    client.post(url(application, "accept"))
    body = client.post(url(application, "investigate"), {"report": "属实"}, format="json").json()

    assert (body["accepted_on"], body["visited_on"]) == ("2024-09-20", "2024-09-20")


@pytest.mark.parametrize(
    ("action", "payload", "field", "rule"),
    [
        ("accept", {"date": "2024-09-09"}, "date", "date_before_previous_step"),
        ("accept", {"date": "2024-09-21"}, "date", "date_in_future"),
    ],
)
def test_an_acceptance_before_receipt_or_in_the_future_is_refused(
    api_as, caseworker, standards, freeze, action, payload, field, rule
):
    freeze(D(2024, 9, 20))
    client = api_as(caseworker)
    application = submit(client, household_with(["0"]), received_on="2024-09-10").json()

    response = client.post(url(application, action), payload, format="json")

    assert response.status_code == 400
    assert field in response.json() and response.json()["rule"] == rule
    stored = Application.objects.get(pk=application["id"])
    assert stored.state == State.SUBMITTED and stored.accepted_on is None and stored.decision_due is None


def test_a_home_visit_before_the_acceptance_is_refused(api_as, caseworker, standards, freeze):
    freeze(D(2024, 9, 20))
    client = api_as(caseworker)
    application = submit(client, household_with(["0"]), received_on="2024-09-10").json()
    client.post(url(application, "accept"), {"date": "2024-09-12"}, format="json")

    response = client.post(
        url(application, "investigate"), {"report": "属实", "date": "2024-09-11"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["rule"] == "date_before_previous_step"
    assert response.json()["date"] == ["The home visit cannot come before the acceptance (2024-09-12)."]
    stored = Application.objects.get(pk=application["id"])
    assert stored.state == State.ACCEPTED and stored.visited_on is None and stored.investigation_report == ""


@pytest.mark.parametrize("notice_from", ["0001-01-01", "2024-09-11"])
def test_a_back_dated_notice_cannot_skip_the_seven_days(
    api_as, caseworker, reviewer, standards, freeze, notice_from
):
    """Issue 8 #1: {"notice_from": "0001-01-01"} was accepted and the case approved the same day."""
    freeze(D(2024, 9, 20))
    client = api_as(caseworker)
    application = submit(client, household_with(["0"]), received_on="2024-09-10").json()
    client.post(url(application, "accept"), {"date": "2024-09-11"}, format="json")
    client.post(url(application, "investigate"), {"report": "属实", "date": "2024-09-12"}, format="json")

    response = client.post(url(application, "publicise"), {"notice_from": notice_from}, format="json")

    assert response.status_code == 400
    assert response.json()["rule"] == "date_before_previous_step"
    assert response.json()["notice_from"] == ["The notice cannot start before the home visit (2024-09-12)."]
    stored = Application.objects.get(pk=application["id"])
    assert stored.state == State.INVESTIGATED and stored.notice_from is None
    assert api_as(reviewer).post(url(application, "approve")).status_code == 409
    assert not Enrollment.objects.exists()


def test_a_notice_on_the_day_of_the_visit_runs_its_seven_days(
    api_as, caseworker, reviewer, standards, freeze
):
    freeze(D(2024, 9, 20))
    client = api_as(caseworker)
    application = submit(client, household_with(["0"]), received_on="2024-09-10").json()
    client.post(url(application, "accept"), {"date": "2024-09-11"}, format="json")
    client.post(url(application, "investigate"), {"report": "属实", "date": "2024-09-13"}, format="json")
    client.post(url(application, "publicise"), {"notice_from": "2024-09-13"}, format="json")

    assert api_as(reviewer).post(url(application, "approve")).status_code == 200  # 13 + 7 = 20 September


# --- Decision deadlines ----------------------------------------------------------------------------------------


def accepted_on(caseworker, day):
    application = services.application_submit(
        actor=caseworker, household=household_with(["0"]), category=Category.DIBAO_URBAN, received_on=day
    )
    return services.application_accept(actor=caseworker, application=application, date=day)


def test_the_decision_due_date_counts_working_days_across_the_national_day_holiday(
    caseworker, standards, freeze
):
    freeze(D(2024, 9, 20))

    application = accepted_on(caseworker, D(2024, 9, 20))

    # From Monday 23 September: 23–27 (5), Sunday 29 worked (6), 30 (7), 1–7 October off, 8–11 (11),
    # Saturday 12 worked (12), 14–18 (17), 21–23 (20).
    assert application.decision_due == D(2024, 10, 23)


def test_the_period_is_extended_once_to_30_working_days_with_a_reason(api_as, caseworker, standards, freeze):
    freeze(D(2024, 9, 20))
    application = accepted_on(caseworker, D(2024, 9, 20))
    client = api_as(caseworker)

    missing = client.post(url(application, "extend-decision"), {"reason": " "}, format="json")
    extended = client.post(url(application, "extend-decision"), {"reason": "需补充收入证明"}, format="json")
    again = client.post(url(application, "extend-decision"), {"reason": "再次延期"}, format="json")

    assert missing.status_code == 400 and "reason" in missing.json()
    assert extended.status_code == 200
    assert extended.json()["decision_due"] == "2024-11-06"  # 30 working days after 20 September
    assert extended.json()["decision_extension_reason"] == "需补充收入证明"
    assert again.status_code == 409
    stored = Application.objects.get(pk=application.pk)
    assert stored.decision_due == D(2024, 11, 6) and stored.decision_extension_reason == "需补充收入证明"
    event = AuditEvent.objects.get(action="extend_decision")
    assert event.changes["decision_due"] == ["2024-10-23", "2024-11-06"]


def test_whoever_extends_the_period_may_still_decide(api_as, caseworker, reviewer, standards, freeze):
    freeze(D(2024, 9, 20))
    application = accepted_on(caseworker, D(2024, 9, 20))

    api_as(reviewer).post(url(application, "extend-decision"), {"reason": "特殊情况"}, format="json")
    application = services.application_investigate(
        actor=caseworker, application=application, report="属实", date=D(2024, 9, 20)
    )

    assert StateChange.objects.filter(actor=reviewer).count() == 0
    response = api_as(reviewer).post(url(application, "reject"), {"reason": "不符合条件"}, format="json")
    assert response.status_code == 200


def test_a_viewer_may_not_extend(api_as, caseworker, make_user, standards, freeze):
    freeze(D(2024, 9, 20))
    application = accepted_on(caseworker, D(2024, 9, 20))

    response = api_as(make_user("viewer", "370114")).post(
        url(application, "extend-decision"), {"reason": "x"}, format="json"
    )

    assert response.status_code == 403
    assert Application.objects.get(pk=application.pk).decision_due == D(2024, 10, 23)


def test_overdue_decisions_are_listed_and_decided_ones_are_not(
    api_as, caseworker, reviewer, standards, freeze
):
    freeze(D(2024, 9, 20))
    overdue = accepted_on(caseworker, D(2024, 9, 20))
    due_later = accepted_on(caseworker, D(2024, 9, 20))
    services.application_extend_decision(actor=caseworker, application=due_later, reason="特殊情况")
    decided = accepted_on(caseworker, D(2024, 9, 20))
    decided = services.application_investigate(
        actor=caseworker, application=decided, report="x", date=D(2024, 9, 20)
    )
    services.application_reject(actor=reviewer, application=decided, reason="不符合条件")
    services.application_submit(
        actor=caseworker, household=household_with(["0"]), category=Category.DIBAO_URBAN
    )
    freeze(D(2024, 10, 24))
    client = api_as(reviewer)

    listed = client.get("/api/v1/assistance/applications/", {"decision_overdue": "true"}).json()
    not_overdue = client.get("/api/v1/assistance/applications/", {"decision_overdue": "false"}).json()
    refused = client.get("/api/v1/assistance/applications/", {"decision_overdue": "maybe"})

    assert [row["id"] for row in listed["results"]] == [overdue.pk]
    assert listed["results"][0]["decision_overdue"] is True
    assert overdue.pk not in {row["id"] for row in not_overdue["results"]} and not_overdue["count"] == 3
    assert refused.status_code == 400


def test_the_queues_badge_overdue_decisions_and_filter_them(client, caseworker, reviewer, standards, freeze):
    freeze(D(2024, 9, 20))
    overdue = accepted_on(caseworker, D(2024, 9, 20))
    freeze(D(2024, 9, 27))
    accepted_on(caseworker, D(2024, 9, 27))  # due 2024-10-31
    freeze(D(2024, 10, 24))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(reviewer)

    tab = client.get("/assistance/applications/", {"state": "accepted"})
    only_overdue = client.get("/assistance/applications/", {"state": "accepted", "decision_overdue": "1"})
    index = client.get("/assistance/")

    assert tab.content.decode().count("Decision overdue") == 1
    assert [a.pk for a, _actions in only_overdue.context["rows"]] == [overdue.pk]
    assert index.context["overdue_decisions"] == 1
    detail = client.get(f"/assistance/applications/{overdue.pk}/").content.decode()
    assert "2024-10-23" in detail and "Decision overdue" in detail


def test_the_page_extends_the_period_and_shows_a_missing_reason_beside_it(
    client, caseworker, standards, freeze
):
    freeze(D(2024, 9, 20))
    application = accepted_on(caseworker, D(2024, 9, 20))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(caseworker)
    path = f"/assistance/applications/{application.pk}/extend-decision/"

    missing = client.post(path, {"extend-decision-reason": ""})
    done = client.post(path, {"extend-decision-reason": "需补充材料"})

    assert missing.status_code == 200
    assert "This field is required." in str(missing.context["extend_form"].errors["reason"])
    assert done.status_code == 302
    assert Application.objects.get(pk=application.pk).decision_due == D(2024, 11, 6)
    page = client.get(f"/assistance/applications/{application.pk}/")
    assert page.context["extend_form"] is None and "需补充材料" in page.content.decode()


def test_the_page_shows_a_notice_before_the_visit_beside_the_date(client, caseworker, standards, freeze):
    freeze(D(2024, 9, 20))
    application = accepted_on(caseworker, D(2024, 9, 16))
    services.application_investigate(
        actor=caseworker, application=application, report="属实", date=D(2024, 9, 18)
    )
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(caseworker)

    response = client.post(
        f"/assistance/applications/{application.pk}/publicise/", {"publicise-notice_from": "2024-09-17"}
    )

    assert response.status_code == 200
    assert (
        '<p class="field-error" id="id_publicise-notice_from_error" role="alert">The notice cannot start before the home visit (2024-09-18).</p>'
        in response.content.decode()
    )
    assert Application.objects.get(pk=application.pk).state == State.INVESTIGATED
