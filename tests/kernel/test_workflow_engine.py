"""The kernel's workflow engine on its own and through both apps (issue 7): a step is refused by state, role,
line of work and four eyes; every step leaves a history row and an audit event; a refusal changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from assistance import services
from assistance.rules import Category
from assistance.workflow import APPLICATION, State
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import Conflict
from civil_affairs.workflow.engine import actions_for, history, take
from civil_affairs.workflow.models import StateChange
from tests.assistance.factories import StandardFactory, household_with

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def filed(make_user, caseworker):
    StandardFactory(
        category=Category.DIBAO_URBAN,
        monthly_amount=Decimal("1000.00"),
        effective_from=datetime.date(2020, 1, 1),
    )
    return services.application_submit(
        actor=caseworker, household=household_with(["0"]), category=Category.DIBAO_URBAN
    )


def test_a_step_from_a_state_the_table_does_not_allow_is_a_conflict_and_changes_nothing(filed, caseworker):
    with pytest.raises(Conflict):
        take(APPLICATION, filed, "publicise", actor=caseworker, fields={"notice_from": TODAY()})

    filed.refresh_from_db()
    assert filed.state == State.SUBMITTED and filed.notice_from is None
    assert [step.action for step in history(filed)] == ["submit"]


def test_a_role_the_table_does_not_name_is_refused(filed, make_user):
    viewer = make_user(Role.VIEWER, "370114")

    with pytest.raises(PermissionDenied):
        take(APPLICATION, filed, "accept", actor=viewer)

    assert StateChange.objects.filter(action="accept").count() == 0


def test_a_caseworker_outside_the_line_of_work_is_refused(filed, make_user):
    registrar = make_user(Role.CASEWORKER, "370114", "registrar", lines=[Line.MARRIAGE])

    with pytest.raises(PermissionDenied):
        take(APPLICATION, filed, "accept", actor=registrar)

    assert actions_for(APPLICATION, filed, registrar) == []


def test_whoever_took_a_step_may_not_decide_the_case_administrators_included(filed, make_user):
    admin = make_user(Role.ADMINISTRATOR, "370114", "admin")
    for action, fields in (
        ("accept", {}),
        ("investigate", {"investigation_report": "属实"}),
        ("publicise", {"notice_from": TODAY() - datetime.timedelta(days=10)}),
    ):
        take(APPLICATION, filed, action, actor=admin, fields=fields)
    filed.refresh_from_db()

    assert filed.state == State.PUBLICISED
    assert "approve" not in {t.action for t in actions_for(APPLICATION, filed, admin)}
    with translation.override("en"), pytest.raises(PermissionDenied, match="Four eyes"):
        services.application_approve(actor=admin, application=filed)
    other_admin = make_user(Role.ADMINISTRATOR, "370114", "other-admin")
    assert {"approve", "reject"} <= {t.action for t in actions_for(APPLICATION, filed, other_admin)}
    services.application_approve(actor=other_admin, application=filed)
    filed.refresh_from_db()
    assert filed.state == State.APPROVED


def test_every_step_writes_a_history_row_and_an_audit_event(filed, caseworker):
    take(APPLICATION, filed, "accept", actor=caseworker)

    steps = list(history(filed))
    assert [(s.action, s.from_state, s.to_state, s.actor_id) for s in steps] == [
        ("submit", "", State.SUBMITTED, caseworker.pk),
        ("accept", State.SUBMITTED, State.ACCEPTED, caseworker.pk),
    ]
    event = AuditEvent.objects.filter(object_type="assistance.application", action="transition:accept").get()
    assert event.changes["state"] == [State.SUBMITTED, State.ACCEPTED]


def test_the_registry_office_does_not_find_an_assistance_case(api_as, filed, make_user):
    registrar = make_user(Role.CASEWORKER, "370114", "registrar", lines=[Line.MARRIAGE])

    response = api_as(registrar).get(f"/api/v1/assistance/applications/{filed.pk}/")

    assert response.status_code == 404
    assert api_as(registrar).get("/api/v1/assistance/applications/").json()["count"] == 0


def test_a_town_caseworker_may_not_register_a_marriage(api_as, make_user):
    from tests.marriage.factories import man, woman

    town_caseworker = make_user(
        Role.CASEWORKER,
        "370114001",
        "town",
        lines=[Line.ASSISTANCE, Line.ELDERCARE, Line.FUNERAL, Line.COMMUNITY],
    )
    groom = man(datetime.date(1990, 1, 1))
    bride = woman(datetime.date(1992, 1, 1))

    response = api_as(town_caseworker).post(
        "/api/v1/marriage/registrations/",
        {"party_a": groom.pk, "party_b": bride.pk, "declares_not_close_relatives": True},
        format="json",
    )

    assert response.status_code == 403
    from marriage.models import Registration

    assert Registration.objects.count() == 0
