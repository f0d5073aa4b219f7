"""The audit log readable by people (issue 14 #5): actions and record types in Chinese, changes as
"字段：之前 → 之后", a date range and a user filter — the same FilterSet as /api/v1/audit-events/."""

import datetime
import re

import pytest
from django.utils import timezone

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.audit.services import audit_record
from civil_affairs.people import services as people
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMINISTRATOR, "370114", "admin")
    user.first_name = "系统管理员"
    user.save()
    return user


def rows(html):
    """The text of each row of the log's table, tags removed."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("</tr>")[:-1]]


def test_actions_record_types_and_changes_read_in_chinese(
    client, admin, caseworker, divisions, compiled_catalogue
):
    person = PersonFactory(name="王小明", division_id="370114001001")
    people.person_update(actor=caseworker, person=person, name="王晓明", division=divisions["370114001002"])
    audit_record(
        actor=caseworker,
        action="transition:approve",
        object_type="funeral.burialsubsidy",
        object_id=7,
        changes={"state": ["submitted", "approved"], "amount": [None, "4143575.00"]},
    )
    client.force_login(admin)

    html = client.get("/audit/").content.decode()

    approval, update = rows(html)[:2]
    assert "批准" in approval and "生态葬奖补 #7" in approval
    assert "办理状态：已提交 → 已批准" in approval
    assert "金额（元）：— → 4,143,575.00" in approval
    assert "mingshui" in approval
    assert "修改" in update and "人员 #" in update
    assert "姓名：王小明 → 王晓明" in update
    assert "明水社区" in update and "→" in update
    assert "transition:approve" not in approval and "funeral.burialsubsidy" not in approval


def test_the_log_is_filtered_by_a_date_range_and_a_user(client, admin, caseworker, other_caseworker):
    person = PersonFactory()
    people.person_full_id_viewed(actor=caseworker, person=person)
    people.person_full_id_viewed(actor=other_caseworker, person=person)
    today = timezone.localdate()
    client.force_login(admin)

    by_user = client.get("/audit/", {"actor": caseworker.pk}).context["page"].object_list
    today_only = client.get("/audit/", {"date_from": today, "date_to": today}).context["page"].object_list
    yesterday = (
        client.get("/audit/", {"date_to": today - datetime.timedelta(days=1)}).context["page"].object_list
    )

    assert [event.actor_id for event in by_user if event.action == "view_full_id"] == [caseworker.pk]
    assert {event.actor_id for event in today_only if event.action == "view_full_id"} == {
        caseworker.pk,
        other_caseworker.pk,
    }
    assert list(yesterday) == []


def test_the_api_filters_by_the_same_days(api_as, admin, caseworker):
    person = PersonFactory()
    people.person_full_id_viewed(actor=caseworker, person=person)
    today = timezone.localdate()
    api = api_as(admin)

    found = api.get("/api/v1/audit-events/", {"date_from": today, "date_to": today, "action": "view_full_id"})
    none = api.get("/api/v1/audit-events/", {"date_from": today + datetime.timedelta(days=1)})
    wrong = api.get("/api/v1/audit-events/", {"date_from": "yesterday"})

    assert found.status_code == 200 and found.json()["count"] == 1
    assert none.json()["count"] == 0
    assert wrong.status_code == 400 and "date_from" in wrong.json()


def test_a_day_at_the_end_of_the_calendar_is_no_error(api_as, admin):
    response = api_as(admin).get(
        "/api/v1/audit-events/", {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    )

    assert response.status_code == 200


def test_the_log_is_for_administrators_only(client, caseworker):
    client.force_login(caseworker)

    assert client.get("/audit/").status_code == 403


def test_the_page_runs_a_fixed_number_of_queries(client, admin, caseworker, django_assert_max_num_queries):
    client.force_login(admin)
    for _ in range(3):
        people.person_full_id_viewed(actor=caseworker, person=PersonFactory())
    client.get("/audit/")  # warm the caches (content types, the workflows' labels)

    with django_assert_max_num_queries(12) as few:
        client.get("/audit/")
    for _ in range(20):
        person = PersonFactory()
        people.person_update(actor=caseworker, person=person, name="改名")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/audit/")
    assert AuditEvent.objects.count() > 20
