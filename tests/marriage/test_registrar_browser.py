"""A registrar works the registration form in a real Chromium (Playwright), in Chinese: a refusal is shown
beside the party before anything is saved, then the corrected registration issues its certificate."""

import datetime
from urllib.parse import urlparse

import pytest
from django.utils import timezone, translation

from civil_affairs import demo as kernel_demo
from marriage import services
from marriage.models import Registration
from tests.helpers import log_in, zh
from tests.marriage.factories import man, woman

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_registrar_sees_a_refusal_beside_the_party_then_registers(page, divisions):
    kernel_demo.load_accounts()
    today = timezone.localdate()
    too_young = man(datetime.date(today.year - 21, 1, 1), name="王小军")
    groom = man(datetime.date(today.year - 27, 3, 9), name="王大军")
    bride = woman(datetime.date(today.year - 25, 7, 21), name="李秀梅")

    log_in(page, "marriage_registrar")
    page.get_by_role("link", name=zh("Marriage registration")).first.click()
    page.get_by_role("link", name=zh("Register a marriage")).first.click()
    page.get_by_label(zh("Party A: ID number")).fill(too_young.id_number)
    page.get_by_label(zh("Party B: ID number")).fill(bride.id_number)
    page.get_by_label(zh("Both declare that they are not close relatives")).check()
    page.get_by_role("button", name=zh("Register and issue the certificate")).click()

    error = page.locator("#id_party_a_error")
    assert error.is_visible()
    with translation.override("zh-hans"):
        expected = services._age_refusal(too_young, today)
    assert error.inner_text() == expected
    assert "王小军" in expected
    assert not page.locator("#id_party_b_error").count()
    assert not Registration.objects.exists()

    page.get_by_label(zh("Party A: ID number")).fill(groom.id_number)
    page.get_by_role("button", name=zh("Check the conditions")).click()
    ready = zh(
        "Both parties meet every condition. Nothing has been saved yet: register to issue the certificate."
    )
    assert page.get_by_role("status").filter(has_text=ready).is_visible()
    assert not Registration.objects.exists()
    page.get_by_role("button", name=zh("Register and issue the certificate")).click()

    registration = Registration.objects.get()
    assert (registration.party_a, registration.party_b, registration.registration_date) == (
        groom,
        bride,
        today,
    )
    row = page.get_by_role("row").filter(has_text=registration.certificate_number)
    assert row.is_visible()
    assert "王大军" in row.inner_text() and "李秀梅" in row.inner_text()
    assert groom.id_number not in page.content()  # the list masks ID numbers

    hosts = {urlparse(url).hostname for url in page.requested_urls if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, page.requested_urls
