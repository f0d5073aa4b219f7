"""The funeral officer records a death in a real Chromium, in Chinese, by visible labels, and sees its effects:
the beneficiary's enrollment terminated at the end of the month of death, the person deceased."""

import datetime

import pytest

from assistance.workflow import EnrollmentStatus
from civil_affairs import demo
from tests.assistance.factories import EnrollmentFactory, StandardFactory
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_officer_records_a_death_and_sees_its_effects(page, divisions):
    demo.load_accounts()
    StandardFactory(effective_from=datetime.date(2020, 1, 1))
    enrollment = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    person = enrollment.covered_members.get()

    log_in(page, "funeral_officer")
    page.get_by_role("link", name=zh("Funeral services")).first.click()
    page.get_by_role("link", name=zh("Record a death")).first.click()
    page.get_by_label(zh("ID number of the deceased")).fill(person.id_number)
    page.get_by_label(zh("Date of death")).fill("2024-03-10")
    page.get_by_label(zh("Place of death")).fill("章丘区人民医院")
    page.get_by_role("button", name=zh("Record the death")).click()

    assert zh("The death of %(name)s has been recorded.") % {"name": person.name} in page.content()
    effects = page.get_by_role("region", name=zh("What the death changed")).inner_text()
    assert zh("Marked deceased") in effects and zh("Terminated") in effects
    enrollment.refresh_from_db()
    person.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED and enrollment.end == datetime.date(2024, 3, 31)
    assert person.is_deceased and person.date_of_death == datetime.date(2024, 3, 10)

    # The person's own page says so too.
    page.get_by_role("link", name=person.name).first.click()
    assert "2024-03-10" in page.content()
