"""The leader opens the dashboard, drills into a town and downloads a table. Real Chromium, in Chinese, by
visible labels."""

import csv
import io

import pytest

from civil_affairs import demo
from tests.dashboards.conftest import ym
from tests.helpers import log_in, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_leader_opens_the_dashboard_drills_into_a_town_and_downloads_a_table(page, bureau, tmp_path):
    demo.load_accounts()
    assert zh("Statistics dashboard") != "Statistics dashboard", "the Chinese catalogue is not compiled"

    log_in(page, "leader")
    page.get_by_role("heading", name=zh("Statistics dashboard: %(name)s") % {"name": "章丘区"}).wait_for()
    page.get_by_label(zh("From")).fill(ym(bureau.m2))
    page.get_by_label(zh("To")).fill(ym(bureau.m0))
    page.get_by_role("button", name=zh("Show")).click()
    towns = page.locator("table.by-town")
    towns.first.get_by_role("link", name="明水街道").click()

    page.get_by_role("heading", name=zh("Statistics dashboard: %(name)s") % {"name": "明水街道"}).wait_for()
    assert "division=370114001" in page.url
    section = page.locator("section", has=page.get_by_role("heading", name=zh("By town/street")))
    with page.expect_download() as download:
        section.get_by_role("link", name=zh("Export CSV")).click()
    path = tmp_path / "by-town.csv"
    download.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["明水街道"]
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
