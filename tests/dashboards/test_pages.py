"""The dashboard page and the home pages' to-dos (SPEC §9): the leader lands on the dashboard and meets no 403
anywhere it is linked; each role's to-dos count what the linked list shows; the page's tables export."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civil_affairs.accounts.lines import TOWN_LINES, Line
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from tests.dashboards.conftest import DISTRICT, MINGSHUI, SHUANGSHAN, ym
from tests.marriage.factories import DivorceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

TODO = re.compile(r'<li><a href="([^"]+)">([^<]+)</a> <span class="count[^"]*">([0-9,]+)</span></li>')
LINK = re.compile(r'href="(/[^"#]*)"')


def todos(response) -> dict[str, tuple[str, int]]:
    html = response.content.decode()
    return {
        title: (url.replace("&amp;", "&"), int(n.replace(",", ""))) for url, title, n in TODO.findall(html)
    }


def rows_in(response) -> int:
    """Data rows of the page's first table."""
    html = response.content.decode()
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.count("<tr")


def test_the_leader_lands_on_the_dashboard_and_no_link_there_is_refused(bureau, client, make_user):
    leader = make_user(Role.VIEWER, DISTRICT, "the-leader")
    client.force_login(leader)
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/dashboards/"
    page = client.get("/dashboards/", {"from": ym(bureau.m2), "to": ym(bureau.m0)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "明水街道" in html and "<svg" in html
    links = {link.replace("&amp;", "&") for link in LINK.findall(html)}
    assert not any(
        link.startswith(("/assistance", "/eldercare", "/marriage", "/funeral", "/community"))
        for link in links
    )
    for link in sorted(links):
        if link.startswith(("/static/", "/logout")):
            continue
        status = client.get(link).status_code
        assert status in (200, 302), (link, status)


def test_drilling_down_shows_the_towns_own_figures_and_a_way_back(bureau, client, district_admin):
    client.force_login(district_admin)
    district = client.get("/dashboards/", {"from": ym(bureau.m2), "to": ym(bureau.m0)}).content.decode()
    drill = f"?from={ym(bureau.m2)}&amp;to={ym(bureau.m0)}&amp;division={MINGSHUI}"
    assert f'href="{drill}">明水街道</a>' in district
    town = client.get("/dashboards/", {"from": ym(bureau.m2), "to": ym(bureau.m0), "division": MINGSHUI})
    html = town.content.decode()
    assert f'division={DISTRICT}">章丘区</a>' in html  # the breadcrumb back to the district
    assert "双山街道" not in html.split("<tbody>", 3)[-1]


def test_a_division_outside_the_jurisdiction_is_404_on_the_page(bureau, client, make_user):
    client.force_login(make_user(Role.CASEWORKER, MINGSHUI, "mingshui-page", lines=TOWN_LINES))
    assert client.get("/dashboards/", {"division": SHUANGSHAN}).status_code == 404
    assert client.get("/dashboards/", {"division": DISTRICT}).status_code == 404
    assert client.get("/dashboards/", {"from": "2024-13"}).status_code == 400


def test_each_table_exports_as_csv_with_a_bom_and_as_xlsx(bureau, client, district_admin):
    client.force_login(district_admin)
    query = {"from": ym(bureau.m2), "to": ym(bureau.m0)}
    for table in ("figures", "by_town", "by_category", "by_month"):
        response = client.get("/dashboards/", {**query, "table": table, "format": "csv"})
        assert response.status_code == 200
        text = b"".join(response.streaming_content).decode("utf-8")
        assert text.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(text[1:])))
        assert len(rows) > 1 and all(len(row) == len(rows[0]) for row in rows)
        xlsx = client.get("/dashboards/", {**query, "table": table, "format": "xlsx"})
        workbook = load_workbook(io.BytesIO(xlsx.content))
        # The figures: one sheet per section, each with its header row.
        assert sum(sheet.max_row - 1 for sheet in workbook.worksheets) == len(rows) - 1
    by_town = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(
                        "/dashboards/", {**query, "table": "by_town", "format": "csv"}
                    ).streaming_content
                ).decode()[1:]
            )
        )
    )
    assert len(by_town) == 1 + 18
    assert AuditEvent.objects.filter(action="export", object_type="dashboard-by_town").exists()


def test_the_summary_exports_one_row_per_figure_and_one_sheet_per_section(bureau, api_as, district_admin):
    client = api_as(district_admin)
    query = {"from": ym(bureau.m2), "to": ym(bureau.m0), "division": MINGSHUI}
    summary = client.get("/api/v1/dashboards/summary/", query).json()
    response = client.get("/api/v1/dashboards/summary/", {**query, "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:])))
    header, data = rows[0], rows[1:]
    assert header == ["Section", "Figure", "Division", "Value"] or len(header) == 4
    paid = [row for row in data if row[1] in ("Funds paid (yuan)", "发放资金（元）")]
    assert paid[0][3] == summary["assistance"]["paid"]
    workbook = load_workbook(
        io.BytesIO(client.get("/api/v1/dashboards/summary/", {**query, "format": "xlsx"}).content)
    )
    assert len(workbook.sheetnames) == 5
    assert workbook.worksheets[0].max_row - 1 == len([row for row in data if row[0] == data[0][0]])
    assert AuditEvent.objects.filter(action="export", object_type="dashboard-summary").exists()


def test_a_town_caseworkers_todos_count_what_their_lists_show(bureau, client, make_user):
    client.force_login(make_user(Role.CASEWORKER, MINGSHUI, "mingshui-home", lines=TOWN_LINES))
    items = todos(client.get("/"))
    url, count = next(value for title, value in items.items() if "复核" in title or "Re-check" in title)
    assert count == 1 and rows_in(client.get(url)) == 1
    url, count = next(value for title, value in items.items() if "预警" in title or "Open alerts" in title)
    assert count == 1 and client.get(url).status_code == 200
    assert not any("/marriage/" in url for url, _count in items.values())


def test_the_registrar_sees_todays_registrations_and_divorces_awaiting_certificates(
    bureau, client, make_user
):
    today = timezone.localdate()
    RegistrationFactory(registration_date=today)
    DivorceFactory(
        application_date=today - datetime.timedelta(days=35),
        cooling_off_ends=today - datetime.timedelta(days=4),
        certificate_window_ends=today + datetime.timedelta(days=26),
    )
    client.force_login(make_user(Role.CASEWORKER, DISTRICT, "registrar-home", lines=[Line.MARRIAGE]))
    items = todos(client.get("/"))
    assert len(items) == 2
    for url, count in items.values():
        assert count == 1
        assert client.get(url).status_code == 200
