"""Finding a couple (issue 14 #1, #6; issue 7 #4): registrations, divorces and counselling cases searched by a
party's name, a whole ID number or a certificate number, on the page and in the API with the same FilterSet;
never by part of a number; closed divorce applications listed apart from the registrar's work."""

import pytest

from marriage import services
from tests.marriage.conftest import days_ago
from tests.marriage.factories import CounsellingCaseFactory, DivorceFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser_as(client):
    """The test client signed in as ``user``, reading the pages in English."""

    def sign_in(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def page_rows(response):
    assert response.status_code == 200
    rows = response.context.get("rows")  # the divorce page's rows, each with its application
    return (
        [row.divorce.pk for row in rows] if rows is not None else [row.pk for row in response.context["page"]]
    )


def api_ids(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


# --- Registrations ------------------------------------------------------------------------------------------


def test_a_whole_id_number_finds_the_one_registration_of_any_date(browser_as, registrar, registrar_api):
    wanted = RegistrationFactory(registration_date=days_ago(400))
    RegistrationFactory(registration_date=days_ago(400))
    number = wanted.party_b.id_number
    client = browser_as(registrar)

    page = client.get("/marriage/registrations/", {"search": number})

    assert page_rows(page) == [wanted.pk]
    assert page.context["on"] is None  # a search looks at every date, not only today
    assert api_ids(registrar_api, "/api/v1/marriage/registrations/", search=number) == [wanted.pk]


def test_a_certificate_number_finds_its_registration_and_a_reissued_number_too(
    browser_as, registrar, registrar_api
):
    wanted = RegistrationFactory()
    RegistrationFactory()
    reissue = services.registration_reissue(actor=registrar, registration=wanted)
    client = browser_as(registrar)

    for number in (wanted.certificate_number, wanted.certificate_number.lower(), reissue.certificate_number):
        assert page_rows(client.get("/marriage/registrations/", {"search": number})) == [wanted.pk]
        assert api_ids(registrar_api, "/api/v1/marriage/registrations/", search=number) == [wanted.pk]


def test_part_of_an_id_or_certificate_number_finds_no_registration(browser_as, registrar, registrar_api):
    registration = RegistrationFactory()
    number = registration.party_a.id_number
    client = browser_as(registrar)

    for part in (number[:6], number[:10], number[:17], number[2:], registration.certificate_number[:8]):
        assert page_rows(client.get("/marriage/registrations/", {"search": part})) == []
        assert api_ids(registrar_api, "/api/v1/marriage/registrations/", search=part) == []


def test_a_name_finds_the_couples_of_that_name(browser_as, registrar):
    wanted = RegistrationFactory()
    RegistrationFactory()
    client = browser_as(registrar)

    assert page_rows(client.get("/marriage/registrations/", {"search": wanted.party_a.name})) == [wanted.pk]


def test_a_bookmarked_registration_search_reproduces_its_list(browser_as, registrar):
    early = RegistrationFactory(registration_date=days_ago(30))
    late = RegistrationFactory(registration_date=days_ago(10))
    RegistrationFactory(registration_date=days_ago(90))
    client = browser_as(registrar)
    query = {"registered_from": days_ago(40).isoformat(), "ordering": "registration_date"}

    first = client.get("/marriage/registrations/", query)
    again = client.get(f"/marriage/registrations/?{first.request['QUERY_STRING']}")

    assert page_rows(first) == page_rows(again) == [early.pk, late.pk]
    html = first.content.decode()
    assert f'value="{days_ago(40).isoformat()}"' in html  # the filter form shows what is in the URL
    assert '<input type="hidden" name="ordering" value="registration_date">' in html


def test_the_day_of_registrations_is_still_the_default(browser_as, registrar):
    RegistrationFactory(registration_date=days_ago(3))
    today = RegistrationFactory(registration_date=days_ago(0))
    client = browser_as(registrar)

    response = client.get("/marriage/registrations/")

    assert page_rows(response) == [today.pk] and response.context["is_today"]


def test_an_invalid_filter_is_a_400_in_the_api_and_a_message_on_the_page(
    browser_as, registrar, registrar_api
):
    RegistrationFactory()
    client = browser_as(registrar)

    api = registrar_api.get("/api/v1/marriage/registrations/", {"dissolved": "maybe"})
    page = client.get("/marriage/registrations/", {"registered_from": "someday"})

    assert api.status_code == 400 and list(api.json()) == ["dissolved"]
    assert page.status_code == 200 and page_rows(page) == []
    assert [str(m) for m in page.context["messages"]] == [
        "Correct the filters to see the list: Registered from."
    ]


# --- Divorces and counselling ---------------------------------------------------------------------------------


def test_a_divorce_is_found_by_its_marriage_certificate_in_every_phase(browser_as, registrar, registrar_api):
    wanted = DivorceFactory(application_date=days_ago(200))  # long lapsed
    DivorceFactory()
    number = wanted.registration.certificate_number
    client = browser_as(registrar)

    page = client.get("/marriage/divorces/", {"search": number})
    in_cooling_off = client.get("/marriage/divorces/", {"search": number, "phase": "cooling_off"})

    assert page_rows(page) == [wanted.pk]
    assert page_rows(in_cooling_off) == []
    assert api_ids(registrar_api, "/api/v1/marriage/divorces/", search=number) == [wanted.pk]
    husband = wanted.registration.husband.id_number
    assert page_rows(client.get("/marriage/divorces/", {"search": husband})) == [wanted.pk]
    assert page_rows(client.get("/marriage/divorces/", {"search": husband[:15]})) == []


def test_closed_divorce_applications_are_listed_apart_from_the_open_phases(browser_as, registrar):
    client = browser_as(registrar)

    response = client.get("/marriage/divorces/")

    assert [slug for slug, _title, _count in response.context["tabs"]] == [
        "cooling_off",
        "awaiting_certificate",
    ]
    assert [slug for slug, _title in response.context["history_tabs"]] == ["lapsed", "issued"]
    html = response.content.decode()
    tabs = html.split('<nav class="tabs"', 1)[1].split("</nav>", 1)[0]
    history = html.split('<nav class="history"', 1)[1].split("</nav>", 1)[0]
    assert "?phase=issued" not in tabs and "?phase=issued" in history


def test_a_counselling_case_is_found_by_a_partys_id_number(browser_as, registrar, registrar_api):
    wanted = CounsellingCaseFactory()
    CounsellingCaseFactory()
    number = wanted.party_a.id_number
    client = browser_as(registrar)

    assert page_rows(client.get("/marriage/counselling/", {"search": number})) == [wanted.pk]
    assert api_ids(registrar_api, "/api/v1/marriage/counselling-cases/", search=number) == [wanted.pk]
    assert page_rows(client.get("/marriage/counselling/", {"search": number[:-1]})) == []
