"""The leader opens the dashboard, drills into a town and downloads a table. Real Chromium, in Chinese, by
visible labels."""

import csv
import io

import pytest
from axe_playwright_python.sync_playwright import Axe

from civil_affairs import demo
from tests.dashboards.conftest import ym
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page):
    """axe-core finds no violation, WCAG 2.1 A/AA or axe's best practices (two landmarks of one name among
    them), at desktop and at phone width (SPEC §10)."""
    for width, height in ((1366, 768), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        results = Axe().run(page)
        assert results.violations_count == 0, (width, results.generate_report())
    page.set_viewport_size({"width": 1366, "height": 768})


def test_the_leader_opens_the_dashboard_drills_into_a_town_and_downloads_a_table(page, bureau, tmp_path):
    demo.load_accounts()
    assert zh("Statistics dashboard") != "Statistics dashboard", "the Chinese catalogue is not compiled"

    log_in(page, "leader")
    page.get_by_role("heading", name=zh("Statistics dashboard: %(name)s") % {"name": "章丘区"}).wait_for()
    page.get_by_label(zh("From")).fill(ym(bureau.m2))
    page.get_by_label(zh("To")).fill(ym(bureau.m0))
    page.get_by_role("button", name=zh("Show")).click()
    assert_accessible(page)
    towns = page.locator("table.by-town")
    towns.first.get_by_role("link", name="明水街道").click()

    page.get_by_role("heading", name=zh("Statistics dashboard: %(name)s") % {"name": "明水街道"}).wait_for()
    assert "division=370114001" in page.url
    assert_accessible(page)
    section = page.locator("section", has=page.get_by_role("heading", name=zh("By town/street")))
    with page.expect_download() as download:
        section.get_by_role("link", name=zh("Export CSV")).click()
    path = tmp_path / "by-town.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["明水街道"]
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)


def test_a_town_caseworker_follows_a_todo_and_prints_the_public_notice_list(page, bureau):
    demo.load_accounts()
    log_in(page, "mingshui_caseworker")
    page.get_by_role("heading", name=zh("To do")).wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=zh("Re-checks overdue")).click()
    page.wait_for_url("**/assistance/enrollments/?recheck_overdue=on")
    assert page.locator("tbody tr").count() == 1

    page.goto("/")
    page.get_by_role("link", name=zh("Print the public-notice list")).click()
    page.get_by_role("heading", name=zh("Public notice of social assistance")).wait_for()
    assert page.get_by_role("button", name=zh("Print")).is_visible()
    assert_accessible(page)
