"""Printable documents of social assistance (SPEC §9): the public-notice list with ID numbers masked and the
complaints phone, the decision notice with the amount or the reasons and the appeal rights, the home-visit
form; each within the reader's jurisdiction only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Application
from assistance.rules import Category
from assistance.workflow import State
from civil_affairs.accounts.lines import TOWN_LINES
from civil_affairs.accounts.models import Role
from tests.assistance.factories import EnrollmentFactory, StandardFactory, household_with
from tests.helpers import zh

pytestmark = pytest.mark.django_db

MINGSHUI, SHUANGSHAN = "370114001", "370114002"


@pytest.fixture
def town_caseworker(make_user):
    return make_user(Role.CASEWORKER, MINGSHUI, "mingshui-documents", lines=TOWN_LINES)


def application(household, state: str, actor, **fields) -> Application:
    today = timezone.localdate()
    created = Application.objects.create(
        household=household,
        division_id=household.division_id,
        category=Category.DIBAO_URBAN,
        state=state,
        submitted_by=actor,
        received_on=today - datetime.timedelta(days=20),
        **fields,
    )
    created.covered_members.set([member.person for member in household.members.all()])
    return created


@pytest.fixture
def cases(divisions, town_caseworker):
    StandardFactory(
        category=Category.DIBAO_URBAN,
        monthly_amount=Decimal("1010.00"),
        effective_from=datetime.date(2020, 1, 1),
    )
    today = timezone.localdate()
    notice = today - datetime.timedelta(days=2)
    mingshui = household_with(["0", "350"], division_id="370114001001")
    shuangshan = household_with(["0"], division_id="370114002001")
    return {
        "publicised": application(mingshui, State.PUBLICISED, town_caseworker, notice_from=notice),
        "elsewhere": application(shuangshan, State.PUBLICISED, town_caseworker, notice_from=notice),
        "rejected": application(
            household_with(["3000"], division_id="370114001001"),
            State.REJECTED,
            town_caseworker,
            decided_at=timezone.now(),
            decision_reason="家庭人均收入高于当地低保标准。",
        ),
        "approved": application(
            household_with(["0"], division_id="370114001001"),
            State.APPROVED,
            town_caseworker,
            decided_at=timezone.now(),
        ),
    }


def test_the_notice_list_shows_masked_id_numbers_the_amount_and_the_complaints_phone(
    cases, client, town_caseworker, settings
):
    settings.ASSISTANCE_COMPLAINTS_PHONE = "0531-83210000"
    client.force_login(town_caseworker)
    html = client.get("/assistance/notices/print/").content.decode()
    head = cases["publicised"].household.members.get(relation="self").person
    assert head.name in html and head.masked_id_number in html
    assert head.id_number not in html
    assert "0531-83210000" in html
    assert "¥1,670.00" in html  # (1010.00 − 175.00) × 2
    elsewhere = cases["elsewhere"].household.members.get().person
    assert elsewhere.name not in html
    assert 'href="/static/css/print.css"' in html


def test_the_notice_list_of_a_division_outside_the_jurisdiction_is_404(cases, client, town_caseworker):
    client.force_login(town_caseworker)
    assert client.get("/assistance/notices/print/", {"division": SHUANGSHAN}).status_code == 404
    assert client.get("/assistance/notices/print/", {"division": "370114001001"}).status_code == 200


def test_a_rejection_notice_gives_the_reasons_and_the_appeal_rights(cases, client, town_caseworker):
    client.force_login(town_caseworker)
    html = client.get(f"/assistance/applications/{cases['rejected'].pk}/print/decision/").content.decode()
    assert "家庭人均收入高于当地低保标准。" in html
    assert zh("Notice of refusal of social assistance") in html
    assert "章丘区人民政府" in html and "60" in html and "6" in html
    head = cases["rejected"].household.members.get().person
    assert head.masked_id_number in html and head.id_number not in html


def test_an_approval_notice_gives_the_amount_and_its_first_month(cases, client, town_caseworker):
    approved = cases["approved"]
    enrollment = EnrollmentFactory(
        application=approved,
        household=approved.household,
        division_id="370114001001",
        standard=Decimal("1010.00"),
    )
    client.force_login(town_caseworker)
    html = client.get(f"/assistance/applications/{approved.pk}/print/decision/").content.decode()
    assert zh("Notice of approval of social assistance") in html
    assert f"每月发放 ¥{enrollment.monthly_amount:,.2f}，" in html and enrollment.start.isoformat() in html


def test_no_decision_notice_before_a_decision_nor_outside_the_jurisdiction(
    cases, client, town_caseworker, make_user
):
    client.force_login(town_caseworker)
    assert client.get(f"/assistance/applications/{cases['publicised'].pk}/print/decision/").status_code == 404
    client.force_login(make_user(Role.CASEWORKER, SHUANGSHAN, "shuangshan-documents", lines=TOWN_LINES))
    assert client.get(f"/assistance/applications/{cases['rejected'].pk}/print/decision/").status_code == 404


def test_the_home_visit_form_lists_the_members_masked_with_room_for_the_findings(
    cases, client, town_caseworker
):
    client.force_login(town_caseworker)
    response = client.get(f"/assistance/applications/{cases['publicised'].pk}/print/home-visit/")
    html = response.content.decode()
    assert response.status_code == 200
    for member in cases["publicised"].household.members.select_related("person"):
        assert member.person.name in html and member.person.masked_id_number in html
        assert member.person.id_number not in html
    assert zh("Investigators (two, signatures):") in html
