"""Social assistance's pages on a 1366×768 office screen and a 390×844 phone (issue 14 #2, #4): axe-core finds no
violation, no list scrolls sideways on the phone (each becomes cards), money reads ``¥2,730.00`` and an amount
keeps to one line on a desktop. Real Chromium, in Chinese."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from assistance import jobs, services
from assistance.models import Application, Enrollment, PaymentBatch, Uplift
from assistance.rules import Category
from assistance.workflow import State
from civil_affairs import demo
from civil_affairs.accounts.models import User
from tests.assistance.factories import EnrollmentFactory, StandardFactory, household_with
from tests.conftest import DESKTOP, PHONE
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the review queue proposes for a household of three earning 300 in all: (1010 − 300/3) × 3.
PROPOSED = "¥2,730.00"


@pytest.fixture
def cases(divisions):
    """In 明水街道: a 低保 application under public notice for 7 days (the review queue), a submitted one,
    three enrollments (one of a family of four), a month's payment batch made by the real job and an uplift
    preview; the demo accounts."""
    call_command("compile_translations", verbosity=0)
    demo.load_accounts()
    StandardFactory(
        category=Category.DIBAO_URBAN,
        monthly_amount=Decimal("1010.00"),
        effective_from=datetime.date(2020, 1, 1),
    )
    caseworker = User.objects.get(username="mingshui_caseworker")
    reviewer = User.objects.get(username="district_reviewer")
    notice_from = timezone.localdate() - datetime.timedelta(days=7)

    publicised = services.application_submit(
        actor=caseworker,
        household=household_with(["300", "0", "0"]),
        category=Category.DIBAO_URBAN,
        received_on=notice_from,
    )
    publicised = services.application_accept(actor=caseworker, application=publicised, date=notice_from)
    publicised = services.application_investigate(
        actor=caseworker, application=publicised, report="入户调查属实", date=notice_from
    )
    publicised = services.application_publicise(
        actor=caseworker, application=publicised, notice_from=notice_from
    )
    services.application_submit(
        actor=caseworker,
        household=household_with(["0"]),
        category=Category.DIBAO_URBAN,
        received_on=timezone.localdate(),
    )
    family = EnrollmentFactory(
        household=household_with(["0", "0", "0", "0"]),
        standard=Decimal("1010.00"),
        member_count=4,
        covered_count=4,
    )
    EnrollmentFactory.create_batch(2, standard=Decimal("1010.00"))

    batch = jobs.payment_batch_create(actor=reviewer, month=datetime.date(2024, 7, 1), queue_job=False)
    jobs.payment_batch_run(batch_id=batch.pk)
    year = timezone.localdate().year
    uplift = jobs.uplift_preview(
        actor=reviewer, year=year, rate=Decimal("0.05"), effective_from=datetime.date(year, 7, 1)
    )
    return {"publicised": publicised, "family": family, "batch": batch, "uplift": uplift}


def pages_of(cases):
    return [
        "/assistance/",
        "/assistance/review/",
        "/assistance/applications/",
        "/assistance/applications/?state=approved",
        f"/assistance/applications/{cases['publicised'].pk}/",
        "/assistance/households/",
        f"/assistance/households/{cases['family'].household_id}/",
        "/assistance/enrollments/",
        f"/assistance/enrollments/{cases['family'].pk}/",
        "/assistance/payment-batches/",
        "/assistance/uplifts/",
        f"/assistance/uplifts/{cases['uplift'].pk}/",
    ]


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("screen", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_assistance_pages_pass_axe_and_fit_the_screen(page, cases, assert_accessible, screen):
    page.set_viewport_size(screen)
    assert zh("Review queue") != "Review queue", "the Chinese catalogue is not compiled"
    log_in(page, "district_reviewer")

    for path in pages_of(cases):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        assert_accessible(page)
        assert fits_the_screen(page), f"{path} scrolls sideways"
        assert page.locator("main table:not(.cards)").count() == 0, f"{path}: a list is not cards on a phone"


LISTS = [
    "/assistance/review/",
    "/assistance/applications/",
    "/assistance/households/",
    "/assistance/enrollments/",
    "/assistance/payment-batches/",
    "/assistance/uplifts/",
]


@pytest.mark.parametrize("path", LISTS)
def test_each_list_is_cards_on_a_phone_without_sideways_scrolling(page, cases, path):
    log_in(page, "district_reviewer")
    page.set_viewport_size(PHONE)

    page.goto(path)

    first_row = page.locator("main table.cards tbody tr").first
    assert first_row.evaluate("row => getComputedStyle(row).display") == "block"  # a card, not a table row
    assert fits_the_screen(page), page.evaluate("document.documentElement.scrollWidth")


def first_line_count(cell) -> int:
    """How many lines the cell's first text (its amount) takes on the screen."""
    return cell.evaluate(
        """cell => {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT,
                { acceptNode: node => node.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP });
            const range = document.createRange();
            range.selectNodeContents(walker.nextNode());
            return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size;
        }"""
    )


def test_an_amount_reads_as_yuan_with_separators_on_a_phone(page, cases):
    log_in(page, "district_reviewer")
    page.set_viewport_size(PHONE)

    page.goto("/assistance/enrollments/")
    family = page.get_by_role("row").filter(has_text=f"#{cases['family'].pk}").locator("td.num")

    assert family.inner_text() == "¥4,040.00"  # 1010 × 4
    assert (
        family.evaluate("cell => getComputedStyle(cell, '::before').content")
        == f'"{zh("Monthly amount (yuan)")}"'
    )
    assert fits_the_screen(page)
    assert Enrollment.objects.get(pk=cases["family"].pk).monthly_amount == Decimal("4040.00")


def test_an_amount_keeps_to_one_line_on_a_desktop(page, cases):
    log_in(page, "district_reviewer")
    page.set_viewport_size(DESKTOP)

    page.goto("/assistance/review/")
    proposed = page.get_by_role("row").filter(has_text=f"#{cases['publicised'].pk}").locator("td.num")
    review = (proposed.inner_text(), first_line_count(proposed))
    page.goto("/assistance/payment-batches/")
    total = page.locator("main table tbody tr").first.locator("td.num").nth(1)

    assert review[0].startswith(PROPOSED) and review[1] == 1
    assert total.inner_text() == "¥6,060.00" and first_line_count(total) == 1  # 4040 + 1010 + 1010
    assert total.evaluate("cell => getComputedStyle(cell).display") == "table-cell"
    assert PaymentBatch.objects.get().total == Decimal("6060.00")


def test_the_uplift_rate_reads_as_a_percentage(page, cases):
    log_in(page, "district_reviewer")

    page.goto("/assistance/uplifts/")

    row = page.get_by_role("row").filter(has_text=str(cases["uplift"].year))
    assert row.locator("td.num").inner_text() == "5%"
    assert Uplift.objects.get().rate == Decimal("0.0500")
    assert Application.objects.filter(state=State.PUBLICISED).count() == 1
