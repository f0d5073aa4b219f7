"""The community officer records a disbursement on a fund's page and sees the new balance. Real Chromium,
in Chinese, by visible labels."""

from decimal import Decimal

import pytest

from civil_affairs import demo
from community.models import FundMovement
from tests.community.factories import FundFactory
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_records_a_disbursement_and_sees_the_new_balance(page, divisions):
    demo.load_accounts()
    assert zh("Record a disbursement") != "Record a disbursement", "the Chinese catalogue is not compiled"
    fund = FundFactory(village_id="370114002003", balance=Decimal("5000.00"))  # 马安村

    log_in(page, "community_officer")
    page.goto("/community/funds/")
    page.get_by_role("link", name="马安村").click()
    assert page.url.endswith(f"/community/funds/{fund.pk}/")

    form = page.get_by_role("region", name=zh("Record a disbursement"))
    form.get_by_label(zh("Amount (yuan)")).fill("1200.50")
    form.get_by_label(zh("Donor or recipient")).fill("李大爷")
    form.get_by_label(zh("Purpose")).fill("大病救助")
    form.get_by_role("button", name=zh("Record the disbursement")).click()

    page.wait_for_url(f"**/community/funds/{fund.pk}/")
    assert page.locator("#fund-balance").inner_text() == "¥3,799.50"
    assert page.get_by_role("cell", name="李大爷").is_visible()
    movement = FundMovement.objects.get()
    assert (movement.kind, movement.amount, movement.balance_after) == (
        "disbursement",
        Decimal("1200.50"),
        Decimal("3799.50"),
    )
