"""Community list pages through the kernel's one list path: the FilterSet applied by the selector, a town
picker by name, ``?ordering=``, exports of the filtered rows, and an invalid filter named rather than ignored."""

from __future__ import annotations

from decimal import Decimal

import pytest

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from community.models import MutualAidFund
from tests.community.factories import AssessmentFactory, FundFactory, WorkerFactory, days_from_today
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

MINGSHUI_VILLAGE = "370114001001"
SHUANGSHAN_VILLAGE = "370114002001"


@pytest.fixture
def english(client, officer):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(officer)
    return client


def _csv(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_worker_list_shows_only_the_town_picked(english, divisions):
    WorkerFactory(person=PersonFactory(name="明水甲"), community_id=MINGSHUI_VILLAGE)
    WorkerFactory(person=PersonFactory(name="双山乙"), community_id=SHUANGSHAN_VILLAGE)

    page = english.get("/community/workers/?town=370114001").content.decode()

    assert "明水甲" in page and "双山乙" not in page
    assert "1 worker" in page


def test_the_worker_list_is_ordered_by_the_column_asked(english, divisions):
    for name, grade in [("王五级", 5), ("王二级", 2), ("王九级", 9)]:
        WorkerFactory(person=PersonFactory(name=name), grade=grade)

    page = english.get("/community/workers/?ordering=-grade").content.decode()

    assert page.index("王九级") < page.index("王五级") < page.index("王二级")


def test_the_worker_export_is_the_filtered_list_and_is_audited(english, officer, divisions):
    WorkerFactory(person=PersonFactory(name="明水甲"), community_id=MINGSHUI_VILLAGE)
    WorkerFactory(person=PersonFactory(name="双山乙"), community_id=SHUANGSHAN_VILLAGE)

    export = _csv(english.get("/community/workers/?town=370114002&page=1&format=csv"))

    assert "双山乙" in export and "明水甲" not in export
    event = AuditEvent.objects.get(action="export", object_type="community-workers")
    assert event.actor == officer
    assert event.changes["query"] == [None, "town=370114002"]


def test_the_export_links_keep_the_filters_and_drop_the_page(english, divisions):
    page = english.get("/community/workers/?town=370114001&page=1").content.decode()

    assert 'href="?town=370114001&amp;format=csv"' in page
    assert 'href="?town=370114001&amp;format=xlsx"' in page


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("post=chair", "Post"),
        ("current=maybe", "In post today"),
        ("certificate=phd", "Social-work certificate"),
    ],
)
def test_an_invalid_worker_filter_is_named_and_lists_nothing(english, divisions, query, label):
    WorkerFactory()

    response = english.get(f"/community/workers/?{query}")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Correct the filters to see the list: {label}." in page
    assert "0 workers" in page and "No workers match." in page


def test_an_invalid_filter_is_not_exported_as_the_whole_list(english, divisions):
    WorkerFactory(person=PersonFactory(name="明水甲"))

    export = _csv(english.get("/community/workers/?post=chair&format=csv"))

    assert "明水甲" not in export


def test_the_town_filter_is_a_picker_of_the_users_towns_by_name(client, make_user, divisions):
    client.force_login(make_user(Role.CASEWORKER, "370114001", lines=[Line.COMMUNITY]))

    page = client.get("/community/workers/").content.decode()

    town_picker = page[page.index('<select name="town"') :]
    town_picker = town_picker[: town_picker.index("</select>")]
    assert '<option value="370114001">明水街道</option>' in town_picker
    assert "双山街道" not in page
    assert "370114001001" not in town_picker  # towns only, no villages


def test_the_fund_total_is_of_the_funds_listed(english, divisions):
    FundFactory(village_id=MINGSHUI_VILLAGE, balance=Decimal("1000.00"))
    FundFactory(village_id="370114001002", balance=Decimal("250.50"))
    FundFactory(village_id=SHUANGSHAN_VILLAGE, balance=Decimal("9000.00"))

    everything = english.get("/community/funds/").content.decode()
    one_town = english.get("/community/funds/?town=370114001").content.decode()

    assert "3 funds, ¥10,250.50 in all" in everything
    assert "2 funds, ¥1,250.50 in all" in one_town


def test_a_fund_opened_on_the_list_page_leads_to_its_page(english, divisions):
    response = english.post("/community/funds/", {"village": SHUANGSHAN_VILLAGE})

    fund = MutualAidFund.objects.get()
    assert fund.village_id == SHUANGSHAN_VILLAGE and fund.balance == Decimal("0.00")
    assert response.status_code == 302 and response["Location"] == f"/community/funds/{fund.pk}/"


def test_a_second_fund_for_a_village_is_refused_on_the_list_page(english, divisions):
    FundFactory(village_id=MINGSHUI_VILLAGE, balance=Decimal("10.00"))

    response = english.post("/community/funds/", {"village": MINGSHUI_VILLAGE})

    page = response.content.decode()
    assert response.status_code == 200
    assert "already has a mutual-aid fund" in page
    assert "1 fund, ¥10.00 in all" in page  # the list is shown under the refusal
    assert MutualAidFund.objects.count() == 1


def test_the_assessment_list_filters_by_quarter_and_orders_by_score(english, divisions):
    AssessmentFactory(village_id=MINGSHUI_VILLAGE, quarter="2026Q1", score=70)
    AssessmentFactory(village_id="370114001002", quarter="2026Q1", score=95)
    AssessmentFactory(village_id=MINGSHUI_VILLAGE, quarter="2025Q4", score=10)

    page = english.get("/community/assessments/?quarter=2026Q1&ordering=-score").content.decode()

    assert "2 scores" in page
    assert page.index(">95<") < page.index(">70<") and ">10<" not in page


def test_the_steps_due_export_lists_the_workers_due(english, divisions):
    WorkerFactory(person=PersonFactory(name="到期"), grade_since=days_from_today(-365 * 3 - 1))
    WorkerFactory(person=PersonFactory(name="未到"), grade_since=days_from_today(-30))

    export = _csv(english.get("/community/workers/steps-due/?format=csv"))

    assert "到期" in export and "未到" not in export
    assert AuditEvent.objects.filter(action="export", object_type="community-steps-due").exists()


def test_the_worker_list_page_runs_a_fixed_number_of_queries(
    english, divisions, django_assert_max_num_queries
):
    for _ in range(30):
        WorkerFactory()
    with django_assert_max_num_queries(12):
        page = english.get("/community/workers/?town=370114001&ordering=grade").content.decode()
    assert "30 workers" in page


def test_the_village_filter_is_a_picker_of_the_users_villages_by_name(client, make_user, divisions):
    client.force_login(make_user(Role.CASEWORKER, "370114001", lines=[Line.COMMUNITY]))

    for url, name in [("/community/workers/", "community"), ("/community/assessments/", "village")]:
        page = client.get(url).content.decode()
        picker = page[page.index(f'<select name="{name}"') :]
        picker = picker[: picker.index("</select>")]
        assert f'<option value="{MINGSHUI_VILLAGE}">' in picker
        assert SHUANGSHAN_VILLAGE not in picker


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("/community/workers/?community=明水社区", "Village or community"),
        ("/community/assessments/?village=3701", "Village or community"),
        ("/community/assessments/?quarter=2024Q9", "Quarter"),
    ],
)
def test_a_village_or_quarter_filter_that_cannot_match_is_named(english, divisions, url, label):
    WorkerFactory(community_id=MINGSHUI_VILLAGE)
    AssessmentFactory(village_id=MINGSHUI_VILLAGE)

    page = english.get(url).content.decode()

    assert f"Correct the filters to see the list: {label}." in page


def test_the_api_refuses_a_quarter_or_village_code_that_cannot_match(officer_api, divisions):
    response = officer_api.get("/api/v1/community/assessments/?quarter=2024Q9&village=abc")

    assert response.status_code == 400
    body = str(response.json())
    assert "quarter" in body and "village" in body


@pytest.mark.parametrize("url", ["/community/workers/new/", "/community/funds/", "/community/assessments/"])
def test_the_village_pickers_of_the_forms_say_what_to_choose(client, officer, divisions, url):
    client.force_login(officer)

    page = client.get(url).content.decode()

    assert "---------" not in page
    assert "请选择村（社区）" in page
