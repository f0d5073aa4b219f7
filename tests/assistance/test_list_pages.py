"""Finding things on the assistance lists (issue 14 #1, #3, #6; issue 7 #4): one FilterSet per list for the API and
the page, search by name or whole ID number only, ordering and page size in the URL, the division picker named
with its town, and closed applications kept apart from the work queue."""

import datetime
import re
from html import unescape

import pytest
from django.utils import timezone

from assistance import services
from assistance.forms import FilingForm
from assistance.models import Application
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus, State
from tests.assistance.factories import EnrollmentFactory, household_with
from tests.assistance.test_pages import application_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def head_of(household):
    return household.members.get(relation="self").person


def listed(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return [row.pk for row in response.context["page"]]


# --- Search: a name, a whole ID number, never a part of one -----------------------------------------------------


def test_a_whole_id_number_finds_the_one_application_on_the_page_and_in_the_api(
    english, caseworker, api_as, standards
):
    wanted = application_in(caseworker, State.SUBMITTED)
    application_in(caseworker, State.SUBMITTED)
    number = head_of(wanted.household).id_number
    english.force_login(caseworker)

    page = english.get("/assistance/applications/", {"state": "submitted", "search": number})
    api = api_as(caseworker).get("/api/v1/assistance/applications/", {"search": number}).json()

    assert [row.pk for row, _actions in page.context["rows"]] == [wanted.pk]
    assert [row["id"] for row in api["results"]] == [wanted.pk]


def test_a_prefix_of_an_id_number_finds_nothing(english, caseworker, api_as, standards):
    application = application_in(caseworker, State.SUBMITTED)
    number = head_of(application.household).id_number
    english.force_login(caseworker)

    for part in (number[:6], number[:14], number[:17], number[-6:]):
        assert listed(english, "/assistance/applications/", state="submitted", search=part) == []
        assert listed(english, "/assistance/households/", search=part) == []
        api = api_as(caseworker).get("/api/v1/assistance/applications/", {"search": part}).json()
        assert api["count"] == 0


def test_a_member_other_than_the_head_finds_the_household_once(english, caseworker):
    household = household_with(["0", "0", "0"])
    household_with(["0"])
    child = household.members.exclude(relation="self").first().person
    english.force_login(caseworker)

    assert listed(english, "/assistance/households/", search=child.id_number) == [household.pk]
    assert listed(english, "/assistance/households/", search=child.name) == [household.pk]


def test_an_enrollment_is_found_by_the_id_number_of_its_household(english, caseworker, api_as, standards):
    wanted = EnrollmentFactory()
    EnrollmentFactory()
    number = head_of(wanted.household).id_number
    english.force_login(caseworker)

    api = api_as(caseworker).get("/api/v1/assistance/enrollments/", {"search": number}).json()

    assert listed(english, "/assistance/enrollments/", search=number) == [wanted.pk]
    assert [row["id"] for row in api["results"]] == [wanted.pk]


def test_a_name_with_the_last_four_of_the_number_tells_namesakes_apart(english, caseworker):
    first, second = household_with(["0"]), household_with(["0"])
    for household in (first, second):
        person = head_of(household)
        person.name = "王小明"
        person.save(update_fields=["name"])
    english.force_login(caseworker)

    last_four = head_of(second).id_number[-4:]

    assert set(listed(english, "/assistance/households/", search="王小明")) == {first.pk, second.pk}
    assert listed(english, "/assistance/households/", search=f"王小明 {last_four}") == [second.pk]


def test_the_review_queue_is_searched_by_id_number(english, caseworker, reviewer, standards):
    wanted = application_in(caseworker, State.PUBLICISED)
    application_in(caseworker, State.PUBLICISED)
    english.force_login(reviewer)

    response = english.get("/assistance/review/", {"search": head_of(wanted.household).id_number})

    assert [row["application"].pk for row in response.context["rows"]] == [wanted.pk]


# --- Filters in the URL: a bookmark reproduces the list --------------------------------------------------------


def test_a_bookmarked_url_with_filters_ordering_and_page_size_reproduces_the_list(
    english, caseworker, standards
):
    kept = [EnrollmentFactory(category=Category.DIBAO_RURAL) for _ in range(12)]
    EnrollmentFactory(category=Category.DIBAO_URBAN)
    EnrollmentFactory(category=Category.DIBAO_RURAL, division_id="370114001002")
    english.force_login(caseworker)
    query = {
        "category": Category.DIBAO_RURAL,
        "division": "370114001001",
        "ordering": "id",
        "page_size": "10",
        "page": "2",
    }

    first = english.get("/assistance/enrollments/", query)
    again = english.get(first.request["PATH_INFO"] + "?" + first.request["QUERY_STRING"])

    ascending = sorted(e.pk for e in kept)
    assert [e.pk for e in first.context["page"]] == ascending[10:]
    assert [e.pk for e in again.context["page"]] == ascending[10:]
    html = unescape(first.content.decode())
    # The filter form shows the choices; the page links and forms keep them.
    assert first.context["filters"]["category"].value() == Category.DIBAO_RURAL
    assert '<option value="370114001001" selected>' in html
    assert 'href="?category=dibao_rural&division=370114001001&ordering=id&page_size=10&page=1"' in html
    assert '<input type="hidden" name="ordering" value="id">' in html  # the filter form keeps the order
    assert '<option value="10" selected>10</option>' in html  # the page size chosen


def test_a_column_header_orders_the_list_both_ways(english, caseworker, standards):
    low = EnrollmentFactory(standard=500)
    high = EnrollmentFactory(standard=900)
    english.force_login(caseworker)

    ascending = english.get("/assistance/enrollments/", {"ordering": "monthly_amount"})
    descending = english.get("/assistance/enrollments/", {"ordering": "-monthly_amount"})

    assert [e.pk for e in ascending.context["page"]] == [low.pk, high.pk]
    assert [e.pk for e in descending.context["page"]] == [high.pk, low.pk]
    html = ascending.content.decode()
    assert re.search(
        r'<th scope="col" class="num" aria-sort="ascending"><a class="sort" href="\?ordering=-monthly_amount"',
        html,
    )


def test_an_unknown_page_size_or_column_leaves_the_defaults(english, caseworker, standards):
    made = [EnrollmentFactory() for _ in range(3)]
    english.force_login(caseworker)

    response = english.get("/assistance/enrollments/", {"page_size": "7", "ordering": "bank_account"})

    assert response.context["page"].paginator.per_page == 25
    assert [e.pk for e in response.context["page"]] == sorted((e.pk for e in made), reverse=True)


def test_an_invalid_filter_is_a_400_in_the_api_and_a_message_on_the_page(
    english, caseworker, api_as, standards
):
    EnrollmentFactory()
    english.force_login(caseworker)
    client = api_as(caseworker)

    api = client.get("/api/v1/assistance/enrollments/", {"recheck_overdue": "maybe"})
    api_applications = client.get("/api/v1/assistance/applications/", {"decided_after": "yesterday"})
    page = english.get("/assistance/enrollments/", {"recheck_overdue": "maybe"})

    assert api.status_code == 400 and list(api.json()) == ["recheck_overdue"]
    assert api_applications.status_code == 400 and "decided_after" in api_applications.json()
    assert page.status_code == 200
    assert list(page.context["page"]) == []
    assert [str(m) for m in page.context["messages"]] == [
        "Correct the filters to see the list: Re-check overdue."
    ]


def test_the_page_and_the_api_filter_with_the_same_filterset(english, caseworker, api_as, standards):
    later = timezone.localdate() + datetime.timedelta(days=30)
    overdue = EnrollmentFactory(next_review=timezone.localdate() - datetime.timedelta(days=1))
    EnrollmentFactory(status=EnrollmentStatus.SUSPENDED, next_review=later)
    EnrollmentFactory(next_review=later)
    english.force_login(caseworker)

    for query in (
        {"recheck_overdue": "true"},
        {"status": "suspended"},
        {"status": "active", "ordering": "-id"},
    ):
        api = api_as(caseworker).get("/api/v1/assistance/enrollments/", query).json()
        assert listed(english, "/assistance/enrollments/", **query) == [row["id"] for row in api["results"]]
    assert listed(english, "/assistance/enrollments/", recheck_overdue="on") == [overdue.pk]


# --- Closed applications are history, not to-dos -----------------------------------------------------------------


def test_decided_and_withdrawn_applications_are_history_apart_from_the_queue_tabs(
    english, caseworker, standards
):
    open_one = application_in(caseworker, State.SUBMITTED)
    withdrawn = services.application_withdraw(
        actor=caseworker, application=application_in(caseworker, State.SUBMITTED)
    )
    approved = application_in(caseworker, State.SUBMITTED)
    Application.objects.filter(pk=approved.pk).update(state=State.APPROVED, decided_at=timezone.now())
    english.force_login(caseworker)

    queue = english.get("/assistance/applications/")
    decided = english.get("/assistance/applications/", {"state": "decided"})
    index = english.get("/assistance/")

    assert [slug for slug, _title, _count in queue.context["tabs"]] == [
        "submitted",
        "accepted",
        "investigated",
        "publicised",
    ]
    assert [slug for slug, _title in queue.context["history_tabs"]] == ["decided", "withdrawn"]
    assert [slug for slug, _title, _count in index.context["tabs"]] == [
        s for s, _t, _c in queue.context["tabs"]
    ]
    assert [row.pk for row, _actions in queue.context["rows"]] == [open_one.pk]
    assert [row.pk for row, _actions in decided.context["rows"]] == [approved.pk]
    assert listed(english, "/assistance/applications/", state="withdrawn") == [withdrawn.pk]
    tabs, history = re.search(
        r'<nav class="tabs"[^>]*>(.*?)</nav>\s*<nav class="history"[^>]*>(.*?)</nav>',
        queue.content.decode(),
        re.S,
    ).groups()
    assert "?state=decided" not in tabs and "?state=withdrawn" not in tabs
    assert "?state=decided" in history and "?state=withdrawn" in history
    assert "Next step" in queue.content.decode() and "Next step" not in decided.content.decode()
    assert decided.context["is_history"] and not queue.context["is_history"]


def test_the_history_is_searched_and_filtered_by_decision_date(english, caseworker, standards):
    first = application_in(caseworker, State.SUBMITTED)
    second = application_in(caseworker, State.SUBMITTED)
    for application in (first, second):
        Application.objects.filter(pk=application.pk).update(
            state=State.REJECTED, decided_at=timezone.now(), decision_reason="家庭收入超过标准"
        )
    english.force_login(caseworker)
    today = timezone.localdate().isoformat()

    found = listed(
        english, "/assistance/applications/", state="decided", search=head_of(first.household).id_number
    )
    that_day = listed(
        english, "/assistance/applications/", state="decided", decided_after=today, decided_before=today
    )
    later = listed(english, "/assistance/applications/", state="decided", decided_after="2999-01-01")

    assert found == [first.pk]
    assert set(that_day) == {first.pk, second.pk}
    assert later == []


# --- The division picker ----------------------------------------------------------------------------------------------


def test_the_household_picker_offers_villages_named_with_their_town(caseworker):
    choices = dict(FilingForm(user=caseworker).fields["division"].choices)

    codes = {str(code) for code in choices if code}
    assert codes and all(len(code) == 12 and code.startswith("370114001") for code in codes)
    assert choices["370114001001"] == "明水街道 / 明水社区（370114001001）"


def test_the_filter_picker_names_towns_and_villages_with_their_codes(english, caseworker, standards):
    english.force_login(caseworker)

    html = english.get("/assistance/enrollments/").content.decode()

    assert '<option value="370114001">明水街道（370114001）</option>' in html
    assert '<option value="370114001001">明水街道 / 明水社区（370114001001）</option>' in html
    assert "370114002" not in html  # another town: outside the caseworker's jurisdiction
