"""The elder-care officer records an over-cap escrow statement, sees the alert on the facility page, corrects
the statement and sees the alert close. Real Chromium, in Chinese, by visible labels."""

import datetime

import pytest
from django.utils import timezone

from civil_affairs import demo
from eldercare.models import Alert, AlertKind, EscrowStatement, Facility, FacilityKind, Ownership
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_sees_an_over_cap_alert_and_a_correction_closes_it(page, divisions):
    demo.load_accounts()
    facility = Facility.objects.create(
        name="明水颐养院",
        kind=FacilityKind.NURSING_HOME,
        division_id="370114001001",
        ownership=Ownership.PRIVATE,
        beds=80,
        has_escrow_account=True,
    )
    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    assert zh("Record a statement") != "Record a statement", "the Chinese catalogue is not compiled"

    log_in(page, "eldercare_officer")
    page.goto("/eldercare/facilities/")
    page.get_by_role("link", name="明水颐养院").click()
    form = page.locator("#record-statement")
    form.get_by_label(zh("Month")).fill(month)
    form.get_by_label(zh("Residents")).fill("10")
    form.get_by_label(zh("Average monthly fee (yuan)")).fill("3000")
    form.get_by_label(zh("Prepaid fees held (yuan)")).fill("180000.01")  # 0.01 over 10 × 3000 × 6
    form.get_by_label(zh("Deposits held (yuan)")).fill("100000")
    form.get_by_role("button", name=zh("Record the statement")).click()

    page.get_by_text(zh("The statement has been recorded.")).wait_for()
    alerts = page.locator("table").filter(has_text=zh("Prepaid fees over the cap"))
    assert alerts.get_by_text(zh("Open"), exact=True).is_visible()
    alert = Alert.objects.get(facility=facility)
    assert alert.kind == AlertKind.PREPAID_OVER_CAP and alert.closed_at is None

    page.get_by_role("link", name=zh("Correct %(month)s") % {"month": month}).click()
    page.get_by_label(zh("Prepaid fees held (yuan)")).fill("180000.00")
    page.get_by_role("button", name=zh("Save the correction")).click()

    page.get_by_text(zh("The statement has been corrected.")).wait_for()
    assert page.url.endswith(f"/eldercare/facilities/{facility.pk}/")
    assert alerts.get_by_text(zh("Closed"), exact=False).first.is_visible()
    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert str(EscrowStatement.objects.get(facility=facility).prepaid_fees_held) == "180000.00"
