"""The portal's main pages on a 1366×768 office screen and a 390×844 phone (issue 14, SPEC §10): axe-core finds
no violation, nothing scrolls sideways on the phone, lists become cards there, figures read as money, the
audit log reads in Chinese and a person's full ID number shows only on a click. Real Chromium, in Chinese."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from civil_affairs import demo
from civil_affairs.accounts.models import User
from civil_affairs.audit.models import AuditEvent
from community.models import CommunityWorker, MutualAidFund
from eldercare.models import Facility, FacilityKind, Ownership
from funeral import services as funeral
from tests.community.factories import FundFactory, WorkerFactory
from tests.conftest import DESKTOP, PHONE
from tests.helpers import log_in, zh
from tests.marriage.factories import RegistrationFactory
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REGISTERED_ON = datetime.date(2020, 5, 20)


@pytest.fixture
def records(divisions):
    """A few records of every finished line of work in 明水街道, and the demo accounts."""
    call_command("compile_translations", verbosity=0)
    demo.load_accounts()
    person = PersonFactory(name="张秀英", id_number="11010519491231002X")
    PersonFactory.create_batch(3)
    registration = RegistrationFactory(registration_date=REGISTERED_ON)
    facility = Facility.objects.create(
        name="明水颐养院",
        kind=FacilityKind.NURSING_HOME,
        division_id="370114001001",
        ownership=Ownership.PRIVATE,
        beds=80,
        has_escrow_account=True,
    )
    death = funeral.death_record(
        actor=User.objects.get(username="funeral_officer"),
        person=PersonFactory(name="李桂兰", birth_date=datetime.date(1940, 1, 1)),
        date_of_death=timezone.localdate() - datetime.timedelta(days=3),
        place="章丘区人民医院",
    )
    WorkerFactory.create_batch(3)
    fund = FundFactory(balance=Decimal("4143575.00"))
    return {
        "person": person,
        "registration": registration,
        "facility": facility,
        "death": death,
        "fund": fund,
    }


def pages_of(records):
    person, facility, death, fund = records["person"], records["facility"], records["death"], records["fund"]
    return {
        "": ["/login/"],
        "mingshui_caseworker": [
            "/",
            "/people/",
            f"/people/{person.pk}/",
            "/people/new/",
            "/eldercare/",
            "/eldercare/facilities/",
            f"/eldercare/facilities/{facility.pk}/",
            "/eldercare/alerts/",
            "/eldercare/home-care/",
            "/funeral/",
            "/funeral/deaths/",
            f"/funeral/deaths/{death.pk}/",
            "/funeral/subsidies/",
            "/community/",
            "/community/workers/",
            "/community/staffing/",
            "/community/funds/",
            f"/community/funds/{fund.pk}/",
        ],
        "marriage_registrar": [
            "/marriage/",
            f"/marriage/registrations/?date={REGISTERED_ON}",
            f"/marriage/registrations/{records['registration'].pk}/",
            "/marriage/registrations/new/",
            "/marriage/divorces/",
            "/marriage/counselling/",
        ],
        "admin": ["/", "/audit/"],
    }


def sign_in_as(page, username):
    page.context.clear_cookies()
    if username:
        log_in(page, username)


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_main_pages_pass_axe_and_fit_the_screen(page, records, assert_accessible, screen):
    page.set_viewport_size(screen)
    assert zh("Skip to the content") != "Skip to the content", "the Chinese catalogue is not compiled"

    for username, paths in pages_of(records).items():
        sign_in_as(page, username)
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert_accessible(page)


def test_a_list_is_a_table_on_a_desktop_and_cards_on_a_phone(page, records):
    sign_in_as(page, "mingshui_caseworker")
    page.set_viewport_size(DESKTOP)
    page.goto("/community/workers/")
    name_cell = page.locator("table.cards tbody tr").first.locator("td").first

    desktop = name_cell.evaluate(
        "cell => [getComputedStyle(cell).display, getComputedStyle(cell).whiteSpace]"
    )
    page.set_viewport_size(PHONE)
    phone_display = name_cell.evaluate("cell => getComputedStyle(cell).display")
    label = name_cell.evaluate("cell => getComputedStyle(cell, '::before').content")

    assert desktop == ["table-cell", "nowrap"]
    assert phone_display in {"block", "flow-root"}  # a line of the card, not a table cell
    assert label == f'"{zh("Name")}"'
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert CommunityWorker.objects.count() == 3


def test_money_reads_with_the_yuan_sign_and_separators(page, records):
    sign_in_as(page, "mingshui_caseworker")

    page.goto(f"/community/funds/{records['fund'].pk}/")

    assert page.locator("#fund-balance").inner_text() == "¥4,143,575.00"
    assert MutualAidFund.objects.get().balance == Decimal("4143575.00")


def test_the_full_id_number_shows_on_a_click_and_the_audit_log_says_so_in_chinese(page, records):
    person = records["person"]
    sign_in_as(page, "mingshui_caseworker")
    page.goto(f"/people/{person.pk}/")
    assert "110105********002X" in page.content() and "11010519491231002X" not in page.content()
    assert not AuditEvent.objects.filter(action="view_full_id").exists()

    page.get_by_role("button", name=zh("Show the full number")).click()

    assert page.locator("#full-id-number").inner_text() == "11010519491231002X"
    assert AuditEvent.objects.filter(action="view_full_id", object_id=str(person.pk)).count() == 1

    sign_in_as(page, "admin")
    page.goto("/audit/")
    page.get_by_label(zh("User")).select_option(label="明水街道经办人（mingshui_caseworker）")
    page.get_by_role("button", name=zh("Filter")).click()
    row = page.locator("table.cards tbody tr").first

    assert "查看完整身份证号码" in row.inner_text()
    assert f"人员 #{person.pk}" in row.inner_text()


def test_the_skip_link_is_the_first_stop_and_leads_to_the_content(page, records):
    sign_in_as(page, "mingshui_caseworker")
    page.goto("/people/")

    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert skip.evaluate("link => link === document.activeElement")
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")

    assert page.evaluate("document.activeElement.id") == "content"
