"""The page kit: templates ask accounts/permissions.py what the user may do (never a role name), the top
navigation shows the lines of work the user serves, one form-field partial."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from openpyxl import load_workbook

from civil_affairs import demo
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role, User
from civil_affairs.accounts.permissions import ABILITIES, may
from tests.conftest import DISTRICT, MINGSHUI

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROLE_NAMES = "administrator|district_reviewer|caseworker|viewer|api_client"
# A role name in a comparison or test: == "caseworker", != 'viewer', "administrator" ==, in "caseworker".
ROLE_COMPARISON = re.compile(
    rf"""(==|!=|\bin\b)\s*["'](?:{ROLE_NAMES})["']|["'](?:{ROLE_NAMES})["']\s*(==|!=)|\.role\b"""
)


def test_no_template_compares_role_names():
    found = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE_COMPARISON.search(line)
    ]

    assert not found, (
        'templates compare role names; ask {% load portal %} user|may:"…" instead:\n' + "\n".join(found)
    )


def test_the_role_grep_catches_a_role_comparison():
    assert ROLE_COMPARISON.search('{% if user.role == "caseworker" %}')
    assert ROLE_COMPARISON.search("{% if role == 'district_reviewer' %}")
    assert not ROLE_COMPARISON.search('{% if user|may:"file_application" %}')


def test_one_form_field_partial_is_left():
    partials = sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*field*.html"))

    assert partials == ["_field.html", "form_fields.html"]


@pytest.mark.parametrize(
    ("role", "lines", "what", "expected"),
    [
        (Role.CASEWORKER, [Line.ASSISTANCE], "file_application", True),
        (Role.CASEWORKER, [Line.MARRIAGE], "file_application", False),  # the registry office
        (Role.CASEWORKER, [Line.ASSISTANCE, Line.ELDERCARE], "register_marriage", False),  # a town caseworker
        (Role.CASEWORKER, [Line.MARRIAGE], "register_marriage", True),
        (Role.DISTRICT_REVIEWER, [], "register_marriage", False),
        (Role.DISTRICT_REVIEWER, [], "decide_application", True),
        (Role.ADMINISTRATOR, [], "decide_application", True),
        (Role.CASEWORKER, [Line.ASSISTANCE], "decide_application", False),
        (Role.VIEWER, [], "read_people", False),
        (Role.API_CLIENT, [], "read_district_jobs", True),
        (Role.API_CLIENT, [], "run_district_jobs", False),
        (Role.CASEWORKER, [Line.ELDERCARE], "work_eldercare", True),
        (Role.CASEWORKER, [Line.FUNERAL], "work_eldercare", False),
        (Role.ADMINISTRATOR, [], "read_audit_log", True),
        (Role.DISTRICT_REVIEWER, [], "read_audit_log", False),
    ],
)
def test_may_asks_the_role_and_the_line_of_work(make_user, role, lines, what, expected):
    user = make_user(role, DISTRICT if role != Role.CASEWORKER else MINGSHUI, lines=lines)

    assert may(user, what) is expected


def test_may_refuses_an_inactive_or_anonymous_user(make_user):
    from django.contrib.auth.models import AnonymousUser

    user = make_user(Role.ADMINISTRATOR, DISTRICT)
    user.is_active = False

    assert not may(user, "read_people")
    assert not may(AnonymousUser(), "read_people")


def test_an_unknown_ability_is_an_error_not_a_no(make_user):
    with pytest.raises(KeyError):
        may(make_user(), "fly")


def test_every_line_has_read_work_and_decide_abilities():
    for line in Line.values:
        assert {f"read_{line}", f"work_{line}", f"decide_{line}"} <= ABILITIES.keys()


def test_the_template_tag_and_filter_answer_as_may_does(make_user):
    registrar = make_user(Role.CASEWORKER, DISTRICT, lines=[Line.MARRIAGE])
    template = Template(
        '{% load portal %}{% may "register_marriage" as a %}{% may "file_application" as b %}'
        '{{ a }} {{ b }} {{ user|may:"register_marriage" }} {{ user|may:"file_application" }}'
    )

    assert template.render(Context({"user": registrar})) == "True False True False"


def _section_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="sections".*?</nav>', html, re.S)
    assert nav, "no top navigation"
    return re.findall(r'href="([^"]+)"', nav.group(0))


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("marriage_registrar", ["/people/", "/dashboards/", "/marriage/"]),
        (
            "mingshui_caseworker",
            ["/people/", "/dashboards/", "/assistance/", "/eldercare/", "/funeral/", "/community/"],
        ),
        ("eldercare_officer", ["/people/", "/dashboards/", "/eldercare/"]),
        (
            "admin",
            [
                *("/people/", "/dashboards/", "/assistance/", "/eldercare/", "/marriage/", "/funeral/"),
                *("/community/", "/audit/"),
            ],
        ),
        # The leader reads every line on the dashboard, not in the case lists (which would refuse it).
        ("leader", ["/dashboards/"]),
    ],
)
def test_the_top_navigation_shows_the_lines_of_work_the_user_serves(client, divisions, username, expected):
    demo.load_accounts()
    client.force_login(User.objects.get(username=username))

    # The leader's home is the dashboard (a redirect).
    assert _section_links(client.get("/", follow=True).content.decode()) == expected


def test_a_list_pages_export_has_its_headers_in_the_users_language(client, caseworker, compiled_catalogue):
    from civil_affairs.people.exports import PERSON_COLUMNS
    from tests.people.factories import PersonFactory

    PersonFactory(name="王小明")
    client.force_login(caseworker)

    response = client.get("/people/", {"format": "xlsx"})

    header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    with translation.override("zh-hans"):
        expected = [str(column.header) for column in PERSON_COLUMNS]
    assert list(header) == expected
    assert header[0] == "姓名"


def test_the_export_links_keep_the_filters_and_drop_the_page_number(client, caseworker):
    client.force_login(caseworker)

    html = client.get("/assistance/enrollments/", {"status": "active", "page": "1"}).content.decode()

    assert '<a class="button" href="?status=active&amp;format=csv">' in html
    assert '<a class="button" href="?status=active&amp;format=xlsx">' in html


def test_a_list_page_never_counts_past_the_cap_and_says_its_count_is_an_estimate(
    client, caseworker, monkeypatch
):
    """Pages count as the API does (README "Lists"): exactly up to the cap, then PostgreSQL's estimate, so a
    district's page of a million enrollments does not read them all. The cap is lowered to see both sides."""
    from civil_affairs.api import pagination
    from tests.people.factories import PersonFactory

    PersonFactory.create_batch(12)
    client.force_login(caseworker)
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 12)
    exact = client.get("/people/", {"page_size": 10})
    assert exact.context["page"].paginator.count == 12
    assert not exact.context["page"].paginator.count_estimated
    assert "总数为估计值" not in exact.content.decode()
    monkeypatch.setattr(pagination, "EXACT_COUNT_LIMIT", 11)
    estimated = client.get("/people/", {"page_size": 10})
    assert estimated.context["page"].paginator.count_estimated
    assert "总数为估计值" in estimated.content.decode()


def test_a_fields_error_is_the_element_its_input_names_for_screen_readers(client, caseworker):
    """Django points a field with an error at ``<id>_error`` (aria-describedby); the field partial gives
    that id to the error, so a screen reader reads the refusal with the field."""
    import re

    client.force_login(caseworker)
    html = client.post("/people/new/", {"id_number": "", "name": ""}).content.decode()
    described = re.search(r'<input[^>]*name="name"[^>]*aria-describedby="([^"]+)"', html) or re.search(
        r'<input[^>]*aria-describedby="([^"]+)"[^>]*name="name"', html
    )
    assert described is not None
    assert "id_name_error" in described.group(1).split()
    assert 'id="id_name_error"' in html


def test_a_message_after_a_saved_form_is_a_status_paragraph_not_a_list_item(client, caseworker):
    """axe refuses an ``li`` with a role (it is not a list item then): the messages are paragraphs."""
    client.force_login(caseworker)
    response = client.post(
        "/people/new/",
        {"id_number": "11010519491231002X", "name": "张三", "division": "370114001001"},
        follow=True,
    )
    html = response.content.decode()
    start = html.index('<div class="messages">')
    block = html[start : html.index("</div>", start)]
    assert '<p class="success" role="status">' in block and "<li" not in block
