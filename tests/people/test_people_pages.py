"""People pages: the same rules and jurisdiction as the API, errors next to the field."""

import csv
import io
from urllib.parse import urlencode

import pytest
from openpyxl import load_workbook

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.models import Person
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_person_of_another_town_is_not_found_in_pages(client, caseworker):
    stranger = PersonFactory(division_id="370114002001")
    client.force_login(caseworker)

    assert client.get(f"/people/{stranger.pk}/").status_code == 404
    assert client.get(f"/people/{stranger.pk}/edit/").status_code == 404


def test_list_shows_masked_numbers_of_own_jurisdiction_only(client, caseworker):
    mine = PersonFactory(name="本镇居民")
    PersonFactory(name="外镇居民", division_id="370114002001")
    client.force_login(caseworker)

    html = client.get("/people/").content.decode()

    assert "本镇居民" in html and "外镇居民" not in html
    assert mine.masked_id_number in html and mine.id_number not in html


def test_search_by_name_and_the_last_four_of_the_number(client, caseworker):
    person = PersonFactory(name="王小明")
    PersonFactory(name="王小明")
    client.force_login(caseworker)

    html = client.get("/people/", {"search": f"王小明 {person.id_number[-4:]}"}).content.decode()

    assert html.count("王小明</a>") == 1
    assert f"/people/{person.pk}/" in html


def test_bad_id_number_is_shown_next_to_the_field(client, caseworker):
    client.force_login(caseworker)

    response = client.post(
        "/people/new/",
        {"id_number": "110105194912310021", "name": "张三", "division": "370114001001"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["id_number"]
    assert 'id="id_id_number_error"' in response.content.decode()
    assert not Person.objects.exists()


def test_registration_through_the_page_is_audited(client, caseworker):
    client.force_login(caseworker)

    response = client.post(
        "/people/new/", {"id_number": "11010519491231002X", "name": "张三", "division": "370114001001"}
    )

    assert response.status_code == 302
    person = Person.objects.get()
    assert AuditEvent.objects.filter(action="create", object_id=str(person.pk), actor=caseworker).exists()


def test_division_choices_are_limited_to_the_jurisdiction(client, caseworker):
    client.force_login(caseworker)

    choices = response_choices = client.get("/people/new/").context["form"].fields["division"].queryset
    codes = set(response_choices.values_list("code", flat=True))

    assert codes and all(code.startswith("370114001") for code in codes)
    assert choices.count() == len(codes)


def test_revealing_the_full_number_on_the_detail_page_is_audited(client, caseworker):
    person = PersonFactory()
    client.force_login(caseworker)

    html = client.post(f"/people/{person.pk}/id-number/").content.decode()

    assert person.id_number in html
    assert AuditEvent.objects.filter(action="view_full_id", object_id=str(person.pk)).count() == 1


@pytest.mark.parametrize(
    ("role", "template"),
    [
        (Role.ADMINISTRATOR, "home/administrator.html"),
        (Role.DISTRICT_REVIEWER, "home/reviewer.html"),
        (Role.CASEWORKER, "home/caseworker.html"),
        (Role.API_CLIENT, "home/api_client.html"),
    ],
)
def test_each_role_has_its_home_page(client, make_user, role, template):
    client.force_login(make_user(role, "370114"))

    response = client.get("/")

    assert template in [t.name for t in response.templates]


def test_the_leader_lands_on_the_dashboard(client, make_user):
    client.force_login(make_user(Role.VIEWER, "370114"))

    response = client.get("/")

    assert response.status_code == 302 and response["Location"] == "/dashboards/"


def test_viewer_cannot_open_people_pages(client, make_user):
    client.force_login(make_user(Role.VIEWER, "370114"))

    assert client.get("/people/").status_code == 403


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/people/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_login_page_logs_in_with_username_and_password(client, caseworker):
    response = client.post("/login/", {"username": "mingshui", "password": "a-long-test-password"})

    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_pages_send_a_content_security_policy_without_inline_scripts(client, caseworker):
    client.force_login(caseworker)

    response = client.get("/people/")

    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in response.content.decode()


def test_bad_id_number_and_missing_division_are_shown_together(client, caseworker):
    client.force_login(caseworker)

    response = client.post("/people/new/", {"id_number": "110105194912310021", "name": "张三"})

    assert set(response.context["form"].errors) == {"id_number", "division"}
    assert not Person.objects.exists()


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads UTF-8 Chinese only with the BOM
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_list_exports_what_it_shows_with_its_search_kept(client, caseworker):
    wanted = PersonFactory(name="王小明")
    PersonFactory(name="李大华")
    PersonFactory(name="王小明", division_id="370114002001")  # another town's
    client.force_login(caseworker)

    page = client.get("/people/", {"search": "王小明"}).content.decode()
    response = client.get("/people/", {"search": "王小明", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")

    for fmt in ("csv", "xlsx"):  # the search kept, in an HTML attribute
        assert f'href="?{urlencode({"search": "王小明", "format": fmt}).replace("&", "&amp;")}"' in page
    rows = _csv_rows(response)
    assert rows[0][:2] == ["Name", "ID number"]
    assert rows[1:] == [[wanted.name, wanted.masked_id_number, *rows[1][2:]]]
    assert wanted.id_number not in str(rows)  # masked, as on the list
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.actor_username) == ("people", caseworker.username)
    assert event.changes["format"] == [None, "csv"]


def test_the_list_exports_excel_from_the_same_rows(client, caseworker):
    PersonFactory(name="王小明")
    PersonFactory(name="李大华")
    client.force_login(caseworker)

    response = client.get("/people/", {"format": "xlsx", "page": "2"}, HTTP_ACCEPT_LANGUAGE="en")

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert response["Content-Disposition"] == 'attachment; filename="people.xlsx"'
    assert rows[0][0] == "Name"
    assert sorted(row[0] for row in rows[1:]) == ["李大华", "王小明"]  # the whole list, not page 2
