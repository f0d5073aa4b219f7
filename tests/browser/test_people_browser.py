"""A caseworker registers a person in a real Chromium (Playwright), in Chinese, served only from 127.0.0.1."""

from urllib.parse import urlparse

import pytest
from django.utils import translation

from civil_affairs import demo
from civil_affairs.people.models import Person
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_registers_a_person_and_sees_the_masked_number(page, divisions):
    demo.load_accounts()
    assert zh("Username") != "Username", "the Chinese catalogue is not compiled"

    log_in(page, "mingshui_caseworker")
    page.get_by_role("link", name=zh("Register a person")).first.click()

    page.get_by_label(zh("ID number")).fill("110105194912310021")  # wrong check character
    page.get_by_label(zh("Name")).fill("张秀英")
    page.get_by_label(zh("Household registration")).select_option("370114001001")
    page.get_by_role("button", name=zh("Save")).click()

    error = page.locator("#id_id_number_error")
    assert error.is_visible()
    with translation.override("zh-hans"):
        expected = translation.gettext(
            "The check character of this ID number is wrong; please check every digit."
        )
    assert error.inner_text() == expected
    assert not Person.objects.exists()

    page.get_by_label(zh("ID number")).fill("11010519491231002x")
    page.get_by_role("button", name=zh("Save")).click()

    row = page.get_by_role("row").filter(has_text="张秀英")
    assert row.is_visible()
    assert "110105********002X" in row.inner_text()
    assert "11010519491231002X" not in page.content()
    assert Person.objects.get().id_number == "11010519491231002X"

    hosts = {urlparse(url).hostname for url in page.requested_urls if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, page.requested_urls


def test_caseworker_cannot_open_a_person_of_another_town(page, divisions, live_server):
    demo.load_accounts()
    from tests.people.factories import PersonFactory

    stranger = PersonFactory(division_id="370114002001")
    log_in(page, "mingshui_caseworker")

    response = page.goto(f"/people/{stranger.pk}/")

    assert response.status == 404
    assert stranger.name not in page.content()
