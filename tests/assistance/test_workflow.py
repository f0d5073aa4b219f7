"""Applications through the review workflow, by API (SPEC §4.2): states, roles, the notice, exclusivity."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import Application, Enrollment, EnrollmentAmount
from assistance.rules import Category
from assistance.workflow import TRANSITIONS, State
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from civil_affairs.people.models import Person
from civil_affairs.workflow.models import StateChange
from tests.assistance.factories import household_with
from tests.helpers import race

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def url(application, action=""):
    return (
        f"/api/v1/assistance/applications/{application['id'] if isinstance(application, dict) else application.pk}/"
        + (f"{action}/" if action else "")
    )


def submit(client, household, category=Category.DIBAO_URBAN, **extra):
    return client.post(
        "/api/v1/assistance/applications/",
        {"household": household.pk, "category": category, **extra},
        format="json",
    )


def to_publicised(client, household, notice_from, category=Category.DIBAO_URBAN):
    """Filed, accepted and visited on the days before the notice (the case's dates follow one another)."""
    before = notice_from - datetime.timedelta(days=2)
    application = submit(client, household, category, received_on=before.isoformat()).json()
    assert client.post(url(application, "accept"), {"date": before.isoformat()}).status_code == 200
    visit = {"report": "入户调查属实", "date": (notice_from - datetime.timedelta(days=1)).isoformat()}
    assert client.post(url(application, "investigate"), visit, format="json").status_code == 200
    response = client.post(
        url(application, "publicise"), {"notice_from": notice_from.isoformat()}, format="json"
    )
    assert response.status_code == 200, response.json()
    return application


def test_whole_flow_creates_an_enrollment_with_the_gap_amount(api_as, caseworker, reviewer, standards):
    household = household_with(["300", "0", "0"])
    application = to_publicised(api_as(caseworker), household, TODAY() - datetime.timedelta(days=7))

    response = api_as(reviewer).post(url(application, "approve"))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "approved" and body["decided_at"]
    enrollment = Enrollment.objects.get(pk=body["enrollment"])
    assert enrollment.monthly_amount == Decimal("2700.00")  # (1000 − 300/3) × 3
    assert enrollment.start == (TODAY().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    assert EnrollmentAmount.objects.get(enrollment=enrollment).monthly_amount == Decimal("2700.00")
    history = list(
        StateChange.objects.filter(object_type="assistance.application", object_id=body["id"])
        .order_by("id")
        .values_list("to_state", flat=True)
    )
    assert history == ["submitted", "accepted", "investigated", "publicised", "approved"]
    actions = set(
        AuditEvent.objects.filter(object_type="assistance.application").values_list("action", flat=True)
    )
    assert actions >= {
        "submit",
        "transition:accept",
        "transition:investigate",
        "transition:publicise",
        "transition:approve",
    }


def test_enrollment_shape_and_filters(api_as, caseworker, reviewer, standards):
    application = to_publicised(
        api_as(caseworker), household_with(["0"]), TODAY() - datetime.timedelta(days=8)
    )
    api_as(reviewer).post(url(application, "approve"))

    listed = (
        api_as(caseworker)
        .get(
            "/api/v1/assistance/enrollments/",
            {"status": "active", "category": "dibao_urban", "division": "370114001"},
        )
        .json()
    )

    assert listed["count"] == 1
    row = listed["results"][0]
    assert set(row) >= {
        "id",
        "application",
        "category",
        "household",
        "monthly_amount",
        "start",
        "end",
        "status",
        "status_reason",
        "next_review",
    }
    assert row["monthly_amount"] == "1000.00"
    assert (
        api_as(caseworker).get("/api/v1/assistance/enrollments/", {"division": "370114002"}).json()["count"]
        == 0
    )


@pytest.mark.parametrize("days_ago", [0, 6])
def test_approval_before_the_notice_has_run_seven_days_is_refused(
    api_as, caseworker, reviewer, standards, days_ago
):
    application = to_publicised(
        api_as(caseworker), household_with(["0"]), TODAY() - datetime.timedelta(days=days_ago)
    )

    response = api_as(reviewer).post(url(application, "approve"))

    assert response.status_code == 409
    assert "7" in response.json()["detail"]
    assert Application.objects.get(pk=application["id"]).state == State.PUBLICISED
    assert not Enrollment.objects.exists()


def test_notice_cannot_start_in_the_future(api_as, caseworker, standards):
    client = api_as(caseworker)
    application = submit(client, household_with(["0"])).json()
    client.post(url(application, "accept"))
    client.post(url(application, "investigate"), {"report": "ok"}, format="json")

    response = client.post(
        url(application, "publicise"),
        {"notice_from": (TODAY() + datetime.timedelta(days=1)).isoformat()},
        format="json",
    )

    assert response.status_code == 400
    assert "notice_from" in response.json()


def test_notice_defaults_to_today(api_as, caseworker, standards):
    client = api_as(caseworker)
    application = submit(client, household_with(["0"])).json()
    client.post(url(application, "accept"))
    client.post(url(application, "investigate"), {"report": "ok"}, format="json")

    assert client.post(url(application, "publicise")).json()["notice_from"] == TODAY().isoformat()


ALL_STATES = [s.value for s in State]


@pytest.mark.parametrize("action", list(TRANSITIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_each_action_is_allowed_only_from_its_states(api_as, make_user, standards, action, state):
    admin = make_user(Role.ADMINISTRATOR, "370114")  # may take every action, so only the state decides
    filer = make_user(Role.CASEWORKER, "370114001")  # another filer, so four eyes do not refuse the admin
    household = household_with(["0"])
    application = services.application_submit(actor=filer, household=household, category=Category.DIBAO_URBAN)
    noticed = state in (State.PUBLICISED, State.APPROVED, State.REJECTED)
    Application.objects.filter(pk=application.pk).update(
        state=state,
        notice_from=TODAY() - datetime.timedelta(days=30) if noticed else None,
        decision_reason="x",
    )
    payload = {"report": "ok", "reason": "不符合条件", "notice_from": TODAY().isoformat()}

    response = api_as(admin).post(url(application, action), payload, format="json")

    allowed = state in TRANSITIONS[action].sources
    assert response.status_code == (200 if allowed else 409), response.json()
    assert Application.objects.get(pk=application.pk).state == (
        TRANSITIONS[action].target if allowed else state
    )


@pytest.mark.parametrize(
    ("role", "action", "allowed"),
    [
        (Role.CASEWORKER, "accept", True),
        (Role.CASEWORKER, "approve", False),
        (Role.CASEWORKER, "reject", False),
        (Role.DISTRICT_REVIEWER, "accept", False),
        (Role.DISTRICT_REVIEWER, "approve", True),
        (Role.VIEWER, "accept", False),
        (Role.API_CLIENT, "withdraw", False),
    ],
)
def test_each_action_is_allowed_only_to_its_roles(api_as, make_user, standards, role, action, allowed):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    application = services.application_submit(
        actor=admin, household=household_with(["0"]), category=Category.DIBAO_URBAN
    )
    source = sorted(TRANSITIONS[action].sources)[0]
    Application.objects.filter(pk=application.pk).update(
        state=source, notice_from=TODAY() - datetime.timedelta(days=30)
    )

    response = api_as(make_user(role, "370114")).post(
        url(application, action), {"reason": "r"}, format="json"
    )

    assert (response.status_code != 403) == allowed, response.json()
    if not allowed:
        assert Application.objects.get(pk=application.pk).state == source


def test_rejection_needs_a_reason(api_as, caseworker, reviewer, standards):
    application = to_publicised(api_as(caseworker), household_with(["0"]), TODAY())

    missing = api_as(reviewer).post(url(application, "reject"), {}, format="json")
    given = api_as(reviewer).post(url(application, "reject"), {"reason": "家庭收入超过标准"}, format="json")

    assert missing.status_code == 400 and "reason" in missing.json()
    assert given.json()["state"] == "rejected"
    assert given.json()["decision_reason"] == "家庭收入超过标准"


def test_investigation_needs_a_report(api_as, caseworker, standards):
    client = api_as(caseworker)
    application = submit(client, household_with(["0"])).json()
    client.post(url(application, "accept"))

    response = client.post(url(application, "investigate"), {"report": "  "}, format="json")

    assert response.status_code == 400
    assert Application.objects.get(pk=application["id"]).state == State.ACCEPTED


def test_second_open_application_in_the_category_is_refused(api_as, caseworker, standards):
    client = api_as(caseworker)
    household = household_with(["0"])
    submit(client, household)

    response = submit(client, household)

    assert response.status_code == 400
    assert "covered_members" in response.json()
    assert Application.objects.count() == 1


def test_withdrawn_application_does_not_block_a_new_one(api_as, caseworker, standards):
    client = api_as(caseworker)
    household = household_with(["0"])
    first = submit(client, household).json()
    client.post(url(first, "withdraw"), {"reason": "申请人撤回"}, format="json")

    assert submit(client, household).status_code == 201


def test_tekun_is_refused_while_enrolled_in_dibao(api_as, caseworker, reviewer, standards):
    household = household_with(["0"])
    application = to_publicised(api_as(caseworker), household, TODAY() - datetime.timedelta(days=7))
    api_as(reviewer).post(url(application, "approve"))

    response = submit(api_as(caseworker), household, Category.TEKUN_URBAN)

    assert response.status_code == 400
    assert (
        "特困" in response.json()["covered_members"][0] or "combined" in response.json()["covered_members"][0]
    )


def test_disability_subsidy_can_be_combined_with_dibao(api_as, caseworker, standards):
    household = household_with(["0"])
    Person.objects.filter(household_membership__household=household).update(
        disability_kind="physical", disability_grade=3
    )
    submit(api_as(caseworker), household)

    assert submit(api_as(caseworker), household, Category.DISABILITY_LIVING).status_code == 201


def test_deceased_person_cannot_apply(api_as, caseworker, standards):
    household = household_with(["0"])
    person = household.members.get().person
    person.is_deceased, person.date_of_death = True, datetime.date(2024, 1, 1)
    person.save()

    response = submit(api_as(caseworker), household)

    assert response.status_code == 400
    assert person.name in response.json()["covered_members"][0]


def test_person_who_died_during_review_is_not_enrolled(api_as, caseworker, reviewer, standards):
    household = household_with(["0"])
    application = to_publicised(api_as(caseworker), household, TODAY() - datetime.timedelta(days=7))
    person = household.members.get().person
    person.is_deceased, person.date_of_death = True, TODAY()
    person.save()

    response = api_as(reviewer).post(url(application, "approve"))

    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_covered_members_default_to_all_and_can_be_chosen(api_as, caseworker, standards):
    household = household_with(["0", "0", "0"])
    people = list(household.members.order_by("id").values_list("person_id", flat=True))
    Person.objects.filter(pk=people[0]).update(disability_kind="visual", disability_grade=2)

    default = submit(api_as(caseworker), household).json()
    chosen = submit(
        api_as(caseworker), household, Category.DISABILITY_LIVING, covered_members=people[:1]
    ).json()

    assert sorted(default["covered_members"]) == sorted(people)
    assert chosen["covered_members"] == people[:1]


def test_household_of_another_town_is_not_found(api_as, caseworker, other_caseworker, standards):
    household = household_with(["0"], division_id="370114002001")

    response = submit(api_as(caseworker), household)

    assert response.status_code == 400
    assert "household" in response.json()
    assert not Application.objects.exists()


def test_every_endpoint_answers_404_outside_the_jurisdiction(
    api_as, caseworker, reviewer, standards, make_user
):
    shuangshan = make_user(Role.CASEWORKER, "370114002", "ss")
    application = to_publicised(
        api_as(shuangshan), household_with(["0"], "370114002001"), TODAY() - datetime.timedelta(days=7)
    )
    api_as(reviewer).post(url(application, "approve"))
    enrollment = Enrollment.objects.get()
    household = enrollment.household
    client = api_as(caseworker)

    paths = [
        ("get", f"/api/v1/assistance/households/{household.pk}/"),
        ("patch", f"/api/v1/assistance/households/{household.pk}/"),
        ("get", url(application)),
        *[
            ("post", url(application, action))
            for action in ("accept", "investigate", "publicise", "withdraw")
        ],
        ("get", f"/api/v1/assistance/enrollments/{enrollment.pk}/"),
        ("post", f"/api/v1/assistance/enrollments/{enrollment.pk}/suspend/"),
    ]
    for method, path in paths:
        assert (
            getattr(client, method)(path, {"reason": "x", "report": "x"}, format="json").status_code == 404
        ), path
    assert client.get("/api/v1/assistance/applications/").json()["count"] == 0


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_approvals_one_wins(make_user, standards):
    caseworker = make_user(Role.CASEWORKER, "370114001", "cw")
    reviewers = [make_user(Role.DISTRICT_REVIEWER, "370114", f"r{i}") for i in range(10)]
    application = services.application_submit(
        actor=caseworker, household=household_with(["0"]), category=Category.DIBAO_URBAN
    )
    Application.objects.filter(pk=application.pk).update(
        state=State.PUBLICISED, notice_from=TODAY() - datetime.timedelta(days=7)
    )

    results = race(
        lambda reviewer: services.application_approve(actor=reviewer, application=application),
        reviewers,
        refusals=(Conflict,),
    )

    assert (
        sorted("conflict" if isinstance(r, Conflict) else "approved" for r in results)
        == ["approved"] + ["conflict"] * 9
    )
    assert Enrollment.objects.count() == 1
    assert StateChange.objects.filter(action="approve").count() == 1
