"""A caseworker files a 低保 application through the pages and takes it to the public notice; the district
reviewer approves it from the review queue and finds the enrollment with its amount. Real Chromium, in
Chinese, by visible labels."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Application, Enrollment
from assistance.rules import Category
from assistance.workflow import State
from civil_affairs import demo
from civil_affairs.people.id_numbers import compose_id_number
from tests.assistance.factories import StandardFactory
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def member_row(page, number: int):
    return page.get_by_role("group", name=zh("Member %(number)s") % {"number": number}, exact=True)


def test_caseworker_files_and_reviewer_approves(page, divisions):
    demo.load_accounts()
    StandardFactory(
        category=Category.DIBAO_URBAN,
        monthly_amount=Decimal("1000.00"),
        effective_from=datetime.date(2020, 1, 1),
    )
    assert zh("File an application") != "File an application", "the Chinese catalogue is not compiled"
    head_id = compose_id_number("370114", datetime.date(1968, 5, 2), 31, "male")
    spouse_id = compose_id_number("370114", datetime.date(1970, 9, 14), 32, "female")
    notice_from = timezone.localdate() - datetime.timedelta(days=7)

    # The caseworker of 明水街道 files for a new household of two.
    log_in(page, "mingshui_caseworker")
    page.get_by_role("link", name=zh("File an application")).first.click()
    page.get_by_label(zh("Village or community")).select_option("370114001001")
    page.get_by_label(zh("Home address")).fill("明水街道幸福路18号")
    head = member_row(page, 1)
    head.get_by_label(zh("ID number")).fill(head_id)
    head.get_by_label(zh("Name")).fill("赵建国")
    head.get_by_label(zh("Monthly income (yuan)")).fill("300")
    spouse = member_row(page, 2)
    spouse.get_by_label(zh("ID number")).fill(spouse_id)
    spouse.get_by_label(zh("Name")).fill("钱秀英")
    spouse.get_by_label(zh("Relation to the head")).select_option("spouse")
    page.get_by_role("button", name=zh("Add a member")).click()  # the small script adds a fifth row
    assert member_row(page, 5).get_by_label(zh("ID number")).is_visible()
    page.get_by_label(zh("Assistance category")).select_option(Category.DIBAO_URBAN)
    # The paper application arrived two days before the visit; every step is dated (SPEC §4.2).
    page.get_by_label(zh("Received on")).fill((notice_from - datetime.timedelta(days=2)).isoformat())
    page.get_by_role("button", name=zh("File the application")).click()

    application = Application.objects.get()
    assert page.url.endswith(f"/assistance/applications/{application.pk}/")
    assert [p.name for p in application.covered_members.order_by("id")] == ["赵建国", "钱秀英"]

    # Accept, record the home visit, post the notice dated 7 days ago.
    page.get_by_label(zh("Accepted on")).fill((notice_from - datetime.timedelta(days=2)).isoformat())
    page.get_by_role("button", name=zh("Accept")).click()
    page.get_by_label(zh("Home visit on")).fill((notice_from - datetime.timedelta(days=1)).isoformat())
    page.get_by_label(zh("Home-visit report")).fill("入户核实：户主务工收入每月300元，配偶无收入。")
    page.get_by_role("button", name=zh("Record home visit")).click()
    page.get_by_label(zh("Notice posted on")).fill(notice_from.isoformat())
    page.get_by_role("button", name=zh("Post public notice")).click()
    application.refresh_from_db()
    assert application.state == State.PUBLICISED and application.notice_from == notice_from
    assert zh("Public notice posted") in page.locator("h1 + .badge").inner_text()
    page.get_by_role("button", name=zh("Log out")).click()

    # The district reviewer approves it from the review queue.
    log_in(page, "district_reviewer")
    page.get_by_role("link", name=zh("Review queue")).first.click()
    row = page.get_by_role("row").filter(has_text="明水街道幸福路18号")
    assert notice_from.isoformat() in row.inner_text()
    assert zh("Ready for a decision") in row.inner_text()
    row.get_by_role("button", name=zh("Approve")).click()
    # A decision is confirmed on a page of its own before anything changes.
    assert not Enrollment.objects.exists()
    assert "明水街道幸福路18号" in page.locator(".confirm .subject").inner_text()
    page.get_by_role("button", name=zh("Confirm: %(action)s") % {"action": zh("Approve")}).click()

    assert page.url.endswith("/assistance/review/")
    assert "¥1,700.00" in page.get_by_role("status").first.inner_text()
    enrollment = Enrollment.objects.get()
    assert enrollment.monthly_amount == Decimal("1700.00")  # (1000 − 300/2) × 2

    page.get_by_role("link", name=zh("Enrollments")).first.click()
    listed = page.get_by_role("row").filter(has_text="赵建国")
    assert "¥1,700.00" in listed.inner_text()
    listed.get_by_role("link", name=f"#{enrollment.pk}").click()
    assert page.locator("dd.amount").inner_text() == "¥1,700.00"
    assert zh("Approval") in page.get_by_role("table").first.inner_text()
