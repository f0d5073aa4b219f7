"""A town caseworker's next steps on a phone (390×844), in Chinese, by visible labels: file a meal site's monthly
report, complete a home-care project, and meet a month's meal cap beside its field. axe-core on each page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from civil_affairs import demo
from eldercare.models import (
    FacilityKind,
    HomeCareKind,
    HomeCareProject,
    HomeCareStatus,
    MealDelivery,
    MealDeliveryEnrolment,
    MealReport,
)
from tests.conftest import PHONE
from tests.eldercare.conftest import MINGSHUI_COMMUNITY
from tests.helpers import log_in, zh
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def last_month() -> datetime.date:
    return timezone.localdate().replace(day=1) - datetime.timedelta(days=1)


def test_a_town_caseworker_files_a_meal_report_and_completes_a_project_on_a_phone(
    page, divisions, make_facility, assert_accessible
):
    demo.load_accounts()
    site = make_facility(name="明水助餐点", kind=FacilityKind.MEAL_SITE, has_escrow_account=False, beds=0)
    person = PersonFactory(
        name="李桂兰", birth_date=datetime.date(1948, 3, 3), division_id=MINGSHUI_COMMUNITY
    )
    project = HomeCareProject.objects.create(
        person=person,
        division_id=MINGSHUI_COMMUNITY,
        kind=HomeCareKind.RENOVATION,
        status=HomeCareStatus.PLANNED,
    )
    page.set_viewport_size(PHONE)
    log_in(page, "mingshui_caseworker")

    page.goto(f"/eldercare/facilities/{site.pk}/")
    assert_accessible(page)
    form = page.locator("#record-meal-report")
    form.get_by_label(zh("Month")).fill(f"{last_month():%Y-%m}")
    form.get_by_label(zh("Meals served")).fill("420")
    form.get_by_label(zh("Subsidised meals")).fill("421")
    form.get_by_role("button", name=zh("Record the report")).click()
    refusal = zh("Subsidised meals cannot exceed the meals served (%(served)s).") % {"served": 420}
    page.locator("#record-meal-report").get_by_text(refusal).wait_for()  # beside its field, in Chinese
    assert not MealReport.objects.exists()
    form = page.locator("#record-meal-report")
    form.get_by_label(zh("Subsidised meals")).fill("300")
    form.get_by_role("button", name=zh("Record the report")).click()
    page.get_by_text(zh("The meal report has been recorded.")).wait_for()
    assert (MealReport.objects.get().meals_served, MealReport.objects.get().subsidised_meals) == (420, 300)

    page.goto("/eldercare/home-care/")
    page.get_by_role("link", name=zh("Update %(name)s's project") % {"name": "李桂兰"}).click()
    assert_accessible(page)
    page.get_by_label(zh("Status")).select_option(label=zh("Completed"))
    page.get_by_label(zh("Completed on")).fill(f"{timezone.localdate():%Y-%m-%d}")
    page.get_by_role("button", name=zh("Save the project")).click()
    page.get_by_text(zh("The project has been updated.")).wait_for()
    project.refresh_from_db()
    assert (project.status, project.completed_on) == (HomeCareStatus.COMPLETED, timezone.localdate())


def test_a_months_meal_cap_is_told_beside_the_field_on_a_phone(
    page, divisions, make_facility, assert_accessible
):
    demo.load_accounts()
    site = make_facility(name="明水助餐点", kind=FacilityKind.MEAL_SITE, has_escrow_account=False, beds=0)
    person = PersonFactory(
        name="王秀英", birth_date=datetime.date(1945, 1, 1), division_id=MINGSHUI_COMMUNITY
    )
    month = last_month().replace(day=1)
    enrolment = MealDeliveryEnrolment.objects.create(
        person=person,
        division_id=MINGSHUI_COMMUNITY,
        facility=site,
        category="dibao_urban",
        enrolled_on=month,
    )
    days = (last_month() - month).days + 1
    page.set_viewport_size(PHONE)
    log_in(page, "mingshui_caseworker")
    page.goto(f"/eldercare/meal-delivery/{enrolment.pk}/")
    assert_accessible(page)
    form = page.locator("#record-delivery")
    form.get_by_label(zh("Month")).fill(f"{month:%Y-%m}")
    form.get_by_label(zh("Meals delivered")).fill(str(3 * days + 1))
    form.get_by_role("button", name=zh("Record the deliveries")).click()
    refusal = zh("Meals delivered in %(month)s must be between 1 and %(most)s (three a day).") % {
        "month": f"{month:%Y-%m}",
        "most": 3 * days,
    }
    page.locator("#record-delivery").get_by_text(refusal).wait_for()
    assert not MealDelivery.objects.exists()
    form = page.locator("#record-delivery")
    form.get_by_label(zh("Meals delivered")).fill(str(3 * days))
    form.get_by_role("button", name=zh("Record the deliveries")).click()
    page.get_by_text(zh("The month's deliveries have been recorded.")).wait_for()
    assert MealDelivery.objects.get().meals_delivered == 3 * days
    page.reload()  # axe on the page itself (base.html's flash message <li role="status"> is the kernel's)
    assert_accessible(page)  # now with the month's correction form in its row
    page.get_by_label(zh("Meals in %(month)s") % {"month": f"{month:%Y-%m}"}).fill(str(3 * days - 2))
    page.get_by_role("button", name=zh("Correct"), exact=True).click()
    page.get_by_text(zh("The month's deliveries have been corrected.")).wait_for()
    assert MealDelivery.objects.get().meals_delivered == 3 * days - 2
