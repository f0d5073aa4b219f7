"""Social-assistance pages (issue #3, item 7): the same services and jurisdiction as the API, refusals shown
next to the field they concern, one transaction for a filing, a fixed number of queries per list page."""

import csv
import datetime
import io
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from assistance import jobs, services
from assistance.exports import APPLICATION_COLUMNS, ENROLLMENT_COLUMNS
from assistance.models import (
    Application,
    Enrollment,
    Household,
    HouseholdMember,
    JobStatus,
    PaymentBatch,
    Uplift,
    UpliftStatus,
)
from assistance.rules import Category
from assistance.workflow import EnrollmentStatus, State
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person
from civil_affairs.workflow.engine import history
from tests.assistance.factories import EnrollmentFactory, household_with
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
# What the confirmation page posts back: a decision is taken only with it.
CONFIRMED = {"confirmed": "1"}
MINGSHUI_VILLAGE = "370114001001"
SHUANGSHAN_VILLAGE = "370114002001"


@pytest.fixture
def english(client):
    """Assertions read the English messages; the pages' default language is Simplified Chinese."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def id_number(sequence, year=1970, sex="male"):
    return compose_id_number("370114", datetime.date(year, 3, 15), sequence, sex)


def filing_data(members, *, rows=4, **fields):
    """The filing page's POST: the household fields and one formset row per member (blank rows after)."""
    data = {
        "division": MINGSHUI_VILLAGE,
        "address": "明水街道幸福路1号",
        "category": Category.DIBAO_URBAN,
        "members-TOTAL_FORMS": str(max(rows, len(members))),
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
        **fields,
    }
    for index in range(max(rows, len(members))):
        data[f"members-{index}-covered"] = "on"  # a blank row's box is ticked as the browser renders it
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
        if member.get("covered") is False:
            del data[f"members-{index}-covered"]
    return data


def member(number, name, relation, income="0"):
    return {"id_number": number, "name": name, "relation": relation, "monthly_income": income}


def move(application, actor, *steps, notice_from=None):
    """Take the steps, each dated the day the application was received (the dates follow one another)."""
    for step in steps:
        if step == "accept":
            application = services.application_accept(
                actor=actor, application=application, date=application.received_on
            )
        elif step == "investigate":
            application = services.application_investigate(
                actor=actor, application=application, report="入户调查属实", date=application.received_on
            )
        elif step == "publicise":
            application = services.application_publicise(
                actor=actor, application=application, notice_from=notice_from or TODAY()
            )
    return application


def application_in(caseworker, state, *, incomes=("300", "0"), division=MINGSHUI_VILLAGE, notice_days_ago=7):
    household = household_with(list(incomes), division_id=division)
    notice_from = TODAY() - datetime.timedelta(days=notice_days_ago)
    application = services.application_submit(
        actor=caseworker,
        household=household,
        category=Category.DIBAO_URBAN,
        received_on=notice_from if state == State.PUBLICISED else TODAY(),
    )
    steps = {
        State.SUBMITTED: [],
        State.ACCEPTED: ["accept"],
        State.INVESTIGATED: ["accept", "investigate"],
        State.PUBLICISED: ["accept", "investigate", "publicise"],
    }[state]
    return move(application, caseworker, *steps, notice_from=notice_from)


def errors_of(html):
    return re.findall(r'<p class="field-error" id="([^"]+)_error" role="alert">([^<]*)</p>', html)


# --- Per role -----------------------------------------------------------------------------------------------


def test_caseworker_index_shows_the_work_queue_by_state_with_a_filing_link(english, caseworker, standards):
    application_in(caseworker, State.SUBMITTED)
    application_in(caseworker, State.ACCEPTED)
    application_in(caseworker, State.ACCEPTED)
    english.force_login(caseworker)

    response = english.get("/assistance/")

    html = response.content.decode()
    assert response.status_code == 200
    tabs = {slug: count for slug, _title, count in response.context["tabs"]}
    assert tabs["submitted"] == 1 and tabs["accepted"] == 2 and tabs["publicised"] == 0
    assert 'href="/assistance/applications/new/"' in html
    assert 'href="/assistance/applications/?state=accepted"' in html


def test_reviewer_index_counts_what_awaits_a_decision_and_what_is_ready(
    english, caseworker, reviewer, standards
):
    application_in(caseworker, State.PUBLICISED, notice_days_ago=7)
    application_in(caseworker, State.PUBLICISED, notice_days_ago=2)
    english.force_login(reviewer)

    response = english.get("/assistance/")

    assert response.context["awaiting_decision"] == 2
    assert response.context["ready_for_decision"] == 1
    assert response.context["may_decide"] and not response.context["may_file"]
    assert 'href="/assistance/applications/new/"' not in response.content.decode()


def test_home_pages_link_to_the_assistance_pages(client, caseworker, reviewer):
    client.force_login(caseworker)
    assert 'href="/assistance/applications/new/"' in client.get("/").content.decode()

    client.force_login(reviewer)
    assert 'href="/assistance/review/"' in client.get("/").content.decode()


def test_viewer_may_not_open_case_pages(client, make_user):
    client.force_login(make_user(Role.VIEWER, "370114"))

    assert client.get("/assistance/").status_code == 403
    assert client.get("/assistance/applications/").status_code == 403
    assert client.get("/assistance/enrollments/").status_code == 403


def test_reviewer_may_not_file_applications(client, reviewer):
    client.force_login(reviewer)

    assert client.get("/assistance/applications/new/").status_code == 403


def test_pages_are_in_simplified_chinese_by_default(client, caseworker):
    client.force_login(caseworker)

    html = client.get("/assistance/applications/new/").content.decode()

    assert "身份证号" in html and "ID number" not in html


# --- Filing an application with its household ----------------------------------------------------------------


def test_filing_creates_the_household_its_members_and_the_application_in_one_go(
    english, caseworker, standards
):
    known = PersonFactory(name="王秀兰", id_number=id_number(11, 1972, "female"))
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/",
        filing_data(
            [
                member(id_number(21), "张建国", "self", "300"),
                member(known.id_number, "王秀兰", "spouse", "150.5"),
            ]
        ),
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assistance/applications/{application.pk}/"
    household = Household.objects.get()
    assert (household.division_id, household.address) == (MINGSHUI_VILLAGE, "明水街道幸福路1号")
    members = {m.person.name: m for m in HouseholdMember.objects.select_related("person")}
    assert members["张建国"].relation == "self" and members["张建国"].monthly_income == Decimal("300.00")
    assert members["王秀兰"].person == known and members["王秀兰"].monthly_income == Decimal("150.50")
    new_person = Person.objects.get(name="张建国")
    assert new_person.division_id == MINGSHUI_VILLAGE and new_person.id_number == id_number(21)
    assert application.household == household and application.state == State.SUBMITTED
    assert application.category == Category.DIBAO_URBAN and application.submitted_by == caseworker
    assert set(application.covered_members.all()) == {new_person, known}


def test_filing_covers_only_the_members_ticked(english, caseworker, standards):
    english.force_login(caseworker)

    english.post(
        "/assistance/applications/new/",
        filing_data(
            [
                member(id_number(21), "张建国", "self"),
                {**member(id_number(22, 1998), "张小军", "child", "2600"), "covered": False},
            ]
        ),
    )

    application = Application.objects.get()
    assert [p.name for p in application.covered_members.all()] == ["张建国"]
    assert application.household.members.count() == 2


def test_a_refused_household_rule_stores_nothing_and_shows_above_the_member_rows(
    english, caseworker, standards
):
    elsewhere = household_with(["0"])
    taken = elsewhere.members.get().person
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/",
        filing_data([member(id_number(21), "张建国", "self"), member(taken.id_number, taken.name, "spouse")]),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["members_errors"] == [f"Already a member of another household: {taken.name}."]
    assert 'id="members-errors"' in html and "Already a member of another household" in html
    assert not Person.objects.filter(name="张建国").exists()  # the new member's registration was rolled back
    assert Household.objects.count() == 1 and not Application.objects.exists()


def test_an_eligibility_refusal_stores_nothing(english, caseworker, standards):
    existing = application_in(caseworker, State.SUBMITTED, incomes=("0",))
    person = existing.covered_members.get()
    HouseholdMember.objects.filter(person=person).delete()  # moved out, but still in an open application
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/",
        filing_data(
            [member(person.id_number, person.name, "self"), member(id_number(23), "张小红", "child")]
        ),
    )

    assert response.status_code == 200
    assert "already has an open application or enrollment" in response.context["members_errors"][0]
    assert Application.objects.count() == 1 and Household.objects.count() == 1
    assert not Person.objects.filter(name="张小红").exists()


def test_a_member_registered_in_another_town_is_refused_next_to_the_row(english, caseworker, standards):
    stranger = PersonFactory(division_id=SHUANGSHAN_VILLAGE)
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/",
        filing_data([member(id_number(21), "张建国", "self"), member(stranger.id_number, "某某", "spouse")]),
    )

    assert ("id_members-1-id_number", "A person with this ID number is already registered.") in errors_of(
        response.content.decode()
    )
    assert not Person.objects.filter(name="张建国").exists()
    assert not Household.objects.exists() and not Application.objects.exists()


def test_shape_errors_of_every_row_and_field_show_together(english, caseworker):
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/",
        filing_data(
            [member("110105194912310021", "张三", "self"), member(id_number(22), "", "child", "-5")],
            category="",
        ),
    )

    fields = {field for field, _message in errors_of(response.content.decode())}
    assert {
        "id_category",
        "id_members-0-id_number",
        "id_members-1-name",
        "id_members-1-monthly_income",
    } <= fields
    assert not Person.objects.exists()


def test_a_registered_number_with_another_name_is_questioned(english, caseworker):
    known = PersonFactory(name="王秀兰")
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/", filing_data([member(known.id_number, "王秀英", "self")])
    )

    assert (
        "id_members-0-name",
        "This ID number is registered to 王秀兰; check the number or the name.",
    ) in errors_of(response.content.decode())
    assert not Household.objects.exists()


def test_two_heads_are_refused_by_the_service(english, caseworker):
    english.force_login(caseworker)

    response = english.post(
        "/assistance/applications/new/",
        filing_data([member(id_number(21), "张建国", "self"), member(id_number(22), "张建军", "self")]),
    )

    assert response.context["members_errors"] == ["Exactly one member must be the head of household."]
    assert not Person.objects.exists()


def test_filing_page_offers_blank_rows_and_a_row_template_for_the_add_button(client, caseworker):
    client.force_login(caseworker)

    html = client.get("/assistance/applications/new/").content.decode()

    assert html.count('class="member-row') == 5  # four rows and the template's empty row
    assert 'name="members-0-relation"' in html and 'value="self" selected' in html
    assert '<template id="member-template">' in html and "members-__prefix__-id_number" in html
    assert "<script>" not in html and "style=" not in html


def test_every_input_on_the_filing_page_has_a_label(client, caseworker):
    client.force_login(caseworker)

    html = client.get("/assistance/applications/new/").content.decode()
    html = html.split('<template id="member-template">')[0]

    ids = set(re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', html))
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and ids <= labelled, ids - labelled


def test_an_existing_household_applies_from_its_page(english, caseworker, standards):
    household = household_with(["0", "0"])
    child = household.members.get(relation="child").person
    Person.objects.filter(pk=child.pk).update(disability_kind="intellectual", disability_grade=2)
    services.application_submit(actor=caseworker, household=household, category=Category.DIBAO_URBAN)
    english.force_login(caseworker)

    response = english.post(
        f"/assistance/households/{household.pk}/",
        {"category": Category.DISABILITY_LIVING, "covered_members": [child.pk]},
    )

    application = Application.objects.get(category=Category.DISABILITY_LIVING)
    assert response.status_code == 302
    assert application.household == household and list(application.covered_members.all()) == [child]


def test_household_apply_form_shows_the_services_refusal(english, caseworker, standards):
    household = household_with(["0"])
    application_in_household = services.application_submit(
        actor=caseworker, household=household, category=Category.DIBAO_URBAN
    )
    english.force_login(caseworker)

    response = english.post(f"/assistance/households/{household.pk}/", {"category": Category.TEKUN_URBAN})

    assert "cannot be combined with this category" in response.content.decode()
    assert list(Application.objects.all()) == [application_in_household]


# --- The work queue and the application page ------------------------------------------------------------------


def test_work_queue_shows_the_chosen_state_only(english, caseworker, standards):
    submitted = application_in(caseworker, State.SUBMITTED)
    accepted = application_in(caseworker, State.ACCEPTED)
    english.force_login(caseworker)

    response = english.get("/assistance/applications/", {"state": "accepted"})

    assert [a.pk for a in response.context["page"]] == [accepted.pk]
    html = response.content.decode()
    assert f"/assistance/applications/{accepted.pk}/" in html
    assert f"/assistance/applications/{submitted.pk}/" not in html


def test_work_queue_runs_a_fixed_number_of_queries(client, caseworker, standards, queries_stay_fixed):
    for _ in range(3):
        application_in(caseworker, State.SUBMITTED)
    client.force_login(caseworker)

    _, response = queries_stay_fixed(
        9,
        lambda: client.get("/assistance/applications/"),
        lambda: [application_in(caseworker, State.SUBMITTED) for _ in range(27)],
    )

    assert len(response.context["page"]) == 25


def test_application_page_offers_the_actions_of_the_workflow_table(english, caseworker, reviewer, standards):
    application = application_in(caseworker, State.SUBMITTED)

    english.force_login(caseworker)
    caseworker_actions = [
        f["transition"].action
        for f in english.get(f"/assistance/applications/{application.pk}/").context["action_forms"]
    ]
    english.force_login(reviewer)
    reviewer_actions = [
        f["transition"].action
        for f in english.get(f"/assistance/applications/{application.pk}/").context["action_forms"]
    ]

    assert caseworker_actions == ["accept", "withdraw"]
    assert reviewer_actions == ["withdraw"]


def test_each_caseworker_action_moves_the_state(english, caseworker, standards):
    application = application_in(caseworker, State.SUBMITTED)
    english.force_login(caseworker)
    base = f"/assistance/applications/{application.pk}"
    notice = TODAY()

    accepted = english.post(f"{base}/accept/")
    investigated = english.post(f"{base}/investigate/", {"investigate-report": "家中无劳动力，收入属实"})
    publicised = english.post(f"{base}/publicise/", {"publicise-notice_from": notice.isoformat()})

    assert [r.status_code for r in (accepted, investigated, publicised)] == [302, 302, 302]
    application.refresh_from_db()
    assert application.state == State.PUBLICISED and application.notice_from == notice
    assert application.investigation_report == "家中无劳动力，收入属实"
    assert [step.action for step in history(application)] == [
        "submit",
        "accept",
        "investigate",
        "publicise",
    ]
    page = english.get(f"{base}/")
    html = page.content.decode()
    assert "家中无劳动力，收入属实" in html
    assert (notice + datetime.timedelta(days=7)).isoformat() in html  # when approval becomes possible


def test_a_missing_report_is_shown_next_to_the_report_field(english, caseworker, standards):
    application = application_in(caseworker, State.ACCEPTED)
    english.force_login(caseworker)

    response = english.post(
        f"/assistance/applications/{application.pk}/investigate/", {"investigate-report": ""}
    )

    assert response.status_code == 200
    assert [field for field, _ in errors_of(response.content.decode())] == ["id_investigate-report"]
    application.refresh_from_db()
    assert application.state == State.ACCEPTED


def test_a_notice_in_the_future_is_refused_next_to_the_date(english, caseworker, standards):
    application = application_in(caseworker, State.INVESTIGATED)
    english.force_login(caseworker)
    tomorrow = TODAY() + datetime.timedelta(days=1)

    response = english.post(
        f"/assistance/applications/{application.pk}/publicise/",
        {"publicise-notice_from": tomorrow.isoformat()},
    )

    assert ("id_publicise-notice_from", "The notice cannot start in the future.") in errors_of(
        response.content.decode()
    )
    application.refresh_from_db()
    assert application.state == State.INVESTIGATED


def test_reviewer_approves_after_the_notice_and_the_enrollment_is_created(
    english, caseworker, reviewer, standards
):
    application = application_in(caseworker, State.PUBLICISED, incomes=("300", "0", "0"), notice_days_ago=7)
    english.force_login(reviewer)

    response = english.post(f"/assistance/applications/{application.pk}/approve/", CONFIRMED, follow=True)

    application.refresh_from_db()
    enrollment = Enrollment.objects.get(application=application)
    assert application.state == State.APPROVED
    assert enrollment.monthly_amount == Decimal("2700.00")  # (1000 − 300/3) × 3
    assert "¥2,700.00 a month" in response.content.decode()


def test_approval_before_day_7_shows_the_conflict_and_changes_nothing(
    english, caseworker, reviewer, standards
):
    application = application_in(caseworker, State.PUBLICISED, notice_days_ago=6)
    english.force_login(reviewer)

    page = english.get(f"/assistance/applications/{application.pk}/").content.decode()
    response = english.post(f"/assistance/applications/{application.pk}/approve/", CONFIRMED)

    ready_on = (TODAY() + datetime.timedelta(days=1)).isoformat()
    assert re.search(r'<button type="submit" class="primary" disabled>Approve</button>', page)
    assert response.status_code == 200
    assert f"The public notice runs 7 full days: approval is possible from {ready_on}." in (
        response.content.decode()
    )
    application.refresh_from_db()
    assert application.state == State.PUBLICISED and not Enrollment.objects.exists()


def confirmation_fields(html):
    """The hidden fields the confirmation page posts back (what was typed, ``confirmed`` and ``next``)."""
    form = re.search(r'<form method="post" action="[^"]*">(.*?)</form>', html, re.S)
    assert form, "no confirmation form"
    return {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))
    }


def test_a_decision_asks_for_confirmation_and_changes_nothing_until_confirmed(
    english, caseworker, reviewer, standards
):
    application = application_in(caseworker, State.PUBLICISED)
    english.force_login(reviewer)
    url = f"/assistance/applications/{application.pk}/approve/"

    asked = english.post(url, {"next": "/assistance/review/"})

    assert asked.status_code == 200
    assert asked.templates[0].name == "confirm.html"
    html = asked.content.decode()
    assert "Confirm: Approve" in html and application.household.address in html
    application.refresh_from_db()
    assert application.state == State.PUBLICISED and not Enrollment.objects.exists()
    fields = confirmation_fields(html)
    assert (fields["confirmed"], fields["next"]) == ("1", "/assistance/review/")

    confirmed = english.post(url, fields)

    assert confirmed["Location"] == "/assistance/review/"
    application.refresh_from_db()
    assert application.state == State.APPROVED and Enrollment.objects.filter(application=application).exists()


def test_the_confirmation_repeats_the_rejection_reason_and_posts_it_again(
    english, caseworker, reviewer, standards
):
    application = application_in(caseworker, State.PUBLICISED)
    english.force_login(reviewer)
    url = f"/assistance/applications/{application.pk}/reject/"

    asked = english.post(url, {"reject-reason": "家庭人均收入高于当地低保标准 & 有车"})

    html = asked.content.decode()
    assert "Reason for rejection" in html and "家庭人均收入高于当地低保标准 &amp; 有车" in html
    application.refresh_from_db()
    assert application.state == State.PUBLICISED
    english.post(url, confirmation_fields(html))
    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert application.decision_reason == "家庭人均收入高于当地低保标准 & 有车"


def test_a_step_that_is_no_decision_is_taken_without_confirmation(english, caseworker, standards):
    application = application_in(caseworker, State.SUBMITTED)
    english.force_login(caseworker)

    response = english.post(f"/assistance/applications/{application.pk}/accept/")

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == State.ACCEPTED


def test_four_eyes_refuse_the_author_before_asking_for_confirmation(client, make_user, standards):
    administrator = make_user(Role.ADMINISTRATOR, "370114", "admin")
    application = application_in(administrator, State.PUBLICISED)  # filed, accepted… by the administrator
    client.force_login(administrator)

    response = client.post(f"/assistance/applications/{application.pk}/approve/")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.state == State.PUBLICISED


def test_terminating_an_enrollment_is_confirmed_first(english, reviewer, standards):
    enrollment = EnrollmentFactory()
    english.force_login(reviewer)
    url = f"/assistance/enrollments/{enrollment.pk}/terminate/"

    asked = english.post(url, {"terminate-reason": "收入超过标准"})

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    english.post(url, confirmation_fields(asked.content.decode()))
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.status_reason) == (EnrollmentStatus.TERMINATED, "收入超过标准")


def test_a_registry_office_caseworker_may_not_file_applications(client, make_user):
    client.force_login(make_user(Role.CASEWORKER, "370114", "registrar", lines=["marriage"]))

    assert client.get("/assistance/applications/new/").status_code == 403


def test_caseworker_may_not_approve(client, caseworker, standards):
    application = application_in(caseworker, State.PUBLICISED)
    client.force_login(caseworker)

    response = client.post(f"/assistance/applications/{application.pk}/approve/")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.state == State.PUBLICISED


def test_a_rejection_needs_its_reason(english, caseworker, reviewer, standards):
    application = application_in(caseworker, State.PUBLICISED)
    english.force_login(reviewer)
    url = f"/assistance/applications/{application.pk}/reject/"

    refused = english.post(url, {"reject-reason": " "})
    application.refresh_from_db()
    assert application.state == State.PUBLICISED
    assert [field for field, _ in errors_of(refused.content.decode())] == ["id_reject-reason"]

    english.post(url, {"reject-reason": "家庭人均收入高于当地低保标准", **CONFIRMED})
    application.refresh_from_db()
    assert application.state == State.REJECTED
    assert application.decision_reason == "家庭人均收入高于当地低保标准"


def test_withdrawal_records_its_reason(english, caseworker, standards):
    application = application_in(caseworker, State.ACCEPTED)
    english.force_login(caseworker)

    english.post(
        f"/assistance/applications/{application.pk}/withdraw/", {"withdraw-reason": "申请人主动撤回"}
    )

    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    assert [s.note for s in history(application) if s.action == "withdraw"] == ["申请人主动撤回"]


def test_an_action_no_longer_offered_explains_itself(english, caseworker, standards):
    application = application_in(caseworker, State.ACCEPTED)
    english.force_login(caseworker)

    response = english.post(f"/assistance/applications/{application.pk}/accept/")

    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["“Accept” is not allowed while the application is “Accepted”."]


def test_unknown_action_is_not_found(client, caseworker, standards):
    application = application_in(caseworker, State.SUBMITTED)
    client.force_login(caseworker)

    assert client.post(f"/assistance/applications/{application.pk}/explode/").status_code == 404


def test_application_page_shows_members_covered_and_history(english, caseworker, standards):
    application = application_in(caseworker, State.INVESTIGATED)
    english.force_login(caseworker)

    response = english.get(f"/assistance/applications/{application.pk}/")

    html = response.content.decode()
    for m in application.household.members.select_related("person"):
        assert m.person.name in html and m.person.masked_id_number in html
        assert m.person.id_number not in html
    assert [(row["label"], row["on"]) for row in response.context["history"]] == [
        ("Filed", application.received_on),
        ("Accept", application.received_on),
        ("Record home visit", application.received_on),
    ]
    assert "300.00" in html


# --- Jurisdiction -----------------------------------------------------------------------------------------------


def test_another_towns_cases_are_not_found(client, caseworker, other_caseworker, standards):
    application = application_in(caseworker, State.SUBMITTED)
    enrollment = EnrollmentFactory()
    client.force_login(other_caseworker)

    assert client.get(f"/assistance/applications/{application.pk}/").status_code == 404
    assert client.post(f"/assistance/applications/{application.pk}/accept/").status_code == 404
    assert client.get(f"/assistance/enrollments/{enrollment.pk}/").status_code == 404
    assert (
        client.post(f"/assistance/enrollments/{enrollment.pk}/suspend/", {"suspend-reason": "x"}).status_code
        == 404
    )
    assert client.get(f"/assistance/households/{application.household_id}/").status_code == 404
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert client.get("/assistance/applications/").context["page"].paginator.count == 0


# --- The reviewer's queue ---------------------------------------------------------------------------------------


def test_review_queue_lists_publicised_cases_with_their_notice_and_readiness(
    english, caseworker, reviewer, standards
):
    ready = application_in(caseworker, State.PUBLICISED, notice_days_ago=9)
    waiting = application_in(caseworker, State.PUBLICISED, notice_days_ago=3)
    application_in(caseworker, State.INVESTIGATED)
    english.force_login(reviewer)

    response = english.get("/assistance/review/")

    rows = {row["application"].pk: row for row in response.context["rows"]}
    assert set(rows) == {ready.pk, waiting.pk}
    assert rows[ready.pk]["ready"] and not rows[waiting.pk]["ready"]
    assert rows[waiting.pk]["approval_from"] == TODAY() + datetime.timedelta(days=4)
    only_ready = english.get("/assistance/review/", {"ready": "on"})
    assert [row["application"].pk for row in only_ready.context["rows"]] == [ready.pk]


def test_reviewer_approves_from_the_queue_and_returns_to_it(english, caseworker, reviewer, standards):
    application = application_in(caseworker, State.PUBLICISED)
    english.force_login(reviewer)

    response = english.post(
        f"/assistance/applications/{application.pk}/approve/", {"next": "/assistance/review/", **CONFIRMED}
    )

    assert response.status_code == 302 and response["Location"] == "/assistance/review/"
    application.refresh_from_db()
    assert application.state == State.APPROVED


def test_next_is_never_an_outside_address(english, caseworker, reviewer, standards):
    application = application_in(caseworker, State.PUBLICISED)
    english.force_login(reviewer)

    response = english.post(
        f"/assistance/applications/{application.pk}/approve/", {"next": "https://evil.example/", **CONFIRMED}
    )

    assert response["Location"] == f"/assistance/applications/{application.pk}/"


def test_review_queue_runs_a_fixed_number_of_queries(
    client, caseworker, reviewer, standards, queries_stay_fixed
):
    application_in(caseworker, State.PUBLICISED)
    client.force_login(reviewer)

    _, response = queries_stay_fixed(
        9,
        lambda: client.get("/assistance/review/"),
        lambda: [application_in(caseworker, State.PUBLICISED) for _ in range(12)],
    )

    assert len(response.context["rows"]) == 13


# --- Enrollments ----------------------------------------------------------------------------------------------


def test_enrollment_filters(english, caseworker, standards):
    overdue = EnrollmentFactory(next_review=TODAY() - datetime.timedelta(days=1))
    current = EnrollmentFactory(next_review=TODAY() + datetime.timedelta(days=30))
    suspended = EnrollmentFactory(
        status=EnrollmentStatus.SUSPENDED, next_review=TODAY() - datetime.timedelta(days=1)
    )
    flat = EnrollmentFactory(
        category=Category.DISABILITY_LIVING, next_review=TODAY() + datetime.timedelta(days=30)
    )
    other_street = EnrollmentFactory(
        division_id="370114001002", next_review=TODAY() + datetime.timedelta(days=30)
    )
    english.force_login(caseworker)

    def listed(**query):
        return {e.pk for e in english.get("/assistance/enrollments/", query).context["page"]}

    assert listed() == {overdue.pk, current.pk, suspended.pk, flat.pk, other_street.pk}
    assert listed(recheck_overdue="on") == {overdue.pk}
    assert listed(status="suspended") == {suspended.pk}
    assert listed(category=Category.DISABILITY_LIVING) == {flat.pk}


def test_the_overdue_badge_follows_the_one_definition_of_recheck_overdue(english, caseworker, standards):
    overdue = EnrollmentFactory(next_review=TODAY() - datetime.timedelta(days=1))
    suspended = EnrollmentFactory(
        status=EnrollmentStatus.SUSPENDED, next_review=TODAY() - datetime.timedelta(days=1)
    )
    due_today = EnrollmentFactory(next_review=TODAY())
    english.force_login(caseworker)

    badged = {e.pk for e in english.get("/assistance/enrollments/").context["page"] if e.recheck_is_overdue}
    detail = english.get(f"/assistance/enrollments/{overdue.pk}/").content.decode()
    not_yet = english.get(f"/assistance/enrollments/{due_today.pk}/").content.decode()

    assert badged == {overdue.pk}
    assert suspended.pk not in badged
    assert '<span class="badge waiting">Overdue</span>' in detail
    assert '<span class="badge waiting">Overdue</span>' not in not_yet


def test_enrollment_town_filter_and_scope(english, reviewer, standards):
    mingshui = EnrollmentFactory()
    shuangshan = EnrollmentFactory(division_id=SHUANGSHAN_VILLAGE)
    english.force_login(reviewer)

    def listed(**query):
        return {e.pk for e in english.get("/assistance/enrollments/", query).context["page"]}

    assert listed() == {mingshui.pk, shuangshan.pk}
    assert listed(division="370114002") == {shuangshan.pk}


def test_enrollment_list_runs_a_fixed_number_of_queries(client, caseworker, standards, queries_stay_fixed):
    EnrollmentFactory()
    client.force_login(caseworker)

    _, response = queries_stay_fixed(
        9,
        lambda: client.get("/assistance/enrollments/"),
        lambda: EnrollmentFactory.create_batch(30),
        lambda: client.get("/assistance/enrollments/", {"status": "active"}),
    )

    assert len(response.context["page"]) == 25


def test_enrollment_page_shows_the_amount_history(english, caseworker, standards):
    enrollment = EnrollmentFactory(standard=Decimal("962.00"))
    enrollment.amounts.create(monthly_amount=Decimal("1010.00"), effective_from=datetime.date(2024, 7, 1))
    english.force_login(caseworker)

    response = english.get(f"/assistance/enrollments/{enrollment.pk}/")

    html = response.content.decode()
    assert [(a.effective_from, a.monthly_amount) for a in response.context["amounts"]] == [
        (datetime.date(2024, 7, 1), Decimal("1010.00")),
        (datetime.date(2024, 1, 1), Decimal("962.00")),
    ]
    assert "¥1,010.00" in html and "¥962.00" in html


def test_caseworker_may_suspend_but_not_terminate(english, caseworker, standards):
    enrollment = EnrollmentFactory()
    english.force_login(caseworker)
    url = f"/assistance/enrollments/{enrollment.pk}"

    offered = [f["transition"].action for f in english.get(f"{url}/").context["action_forms"]]
    terminate = english.post(f"{url}/terminate/", {"terminate-reason": "迁出"})
    suspend = english.post(f"{url}/suspend/", {"suspend-reason": "外出务工，收入待核"})

    assert offered == ["suspend", "recheck"]
    assert terminate.status_code == 403
    assert suspend.status_code == 302
    enrollment.refresh_from_db()
    assert (
        enrollment.status == EnrollmentStatus.SUSPENDED and enrollment.status_reason == "外出务工，收入待核"
    )


def test_reviewer_resumes_and_terminates_with_reasons(english, reviewer, standards):
    enrollment = EnrollmentFactory(status=EnrollmentStatus.SUSPENDED)
    english.force_login(reviewer)
    url = f"/assistance/enrollments/{enrollment.pk}"

    missing = english.post(f"{url}/resume/", {"resume-reason": ""})
    assert [field for field, _ in errors_of(missing.content.decode())] == ["id_resume-reason"]
    english.post(f"{url}/resume/", {"resume-reason": "复核后恢复"})
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE

    end = TODAY()
    english.post(
        f"{url}/terminate/",
        {"terminate-reason": "收入超过标准", "terminate-end": end.isoformat(), **CONFIRMED},
    )
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.end, enrollment.status_reason) == (
        EnrollmentStatus.TERMINATED,
        end,
        "收入超过标准",
    )


# --- Households -------------------------------------------------------------------------------------------------


def test_household_list_searches_by_member_name(english, caseworker):
    wanted = household_with(["0"])
    household_with(["0"])
    name = wanted.members.get().person.name
    english.force_login(caseworker)

    response = english.get("/assistance/households/", {"search": name})

    assert [h.pk for h in response.context["page"]] == [wanted.pk]


# --- The annual uplift and the payment batches --------------------------------------------------------------


def test_caseworkers_may_not_open_the_district_jobs(client, caseworker):
    client.force_login(caseworker)

    assert client.get("/assistance/uplifts/").status_code == 403
    assert client.get("/assistance/payment-batches/").status_code == 403


def test_reviewer_previews_an_uplift_and_sees_its_lines(english, reviewer, make_user, standards):
    EnrollmentFactory(standard=Decimal("1000.00"))
    EnrollmentFactory(standard=Decimal("1000.00"))
    english.force_login(reviewer)
    year = TODAY().year

    response = english.post(
        "/assistance/uplifts/",
        {"year": year, "rate": "0.05", "effective_from": f"{year}-07-01"},
        follow=True,
    )

    uplift = Uplift.objects.get()
    assert response.redirect_chain[-1][0] == f"/assistance/uplifts/{uplift.pk}/"
    assert uplift.status == UpliftStatus.PREVIEW and uplift.rate == Decimal("0.05")
    lines = {str(line["category"]): line for line in response.context["lines"]}
    dibao = lines["Urban minimum living allowance"]
    assert (dibao["old_amount"], dibao["new_amount"]) == (Decimal("1000.00"), Decimal("1050.00"))
    assert (dibao["enrollments"], dibao["monthly_cost_change"]) == (2, Decimal("100.00"))
    assert dibao["annual_cost_change"] == Decimal("1200.00")  # a full year beside the month
    html = response.content.decode()
    assert "¥1,050.00" in html and "¥100.00" in html and "¥1,200.00" in html and "5%" in html
    # Four eyes: whoever made the preview may not approve it; another reviewer may.
    assert not response.context["may_approve"] and 'action="/assistance/uplifts/' not in html
    english.force_login(make_user(Role.DISTRICT_REVIEWER, "370114", "second-reviewer"))
    other = english.get(f"/assistance/uplifts/{uplift.pk}/")
    assert other.context["may_approve"] and 'action="/assistance/uplifts/' in other.content.decode()


def test_an_uplift_refusal_is_shown_next_to_its_field(english, reviewer, standards):
    english.force_login(reviewer)

    response = english.post(
        "/assistance/uplifts/", {"year": "2030", "rate": "0.05", "effective_from": "2031-01-01"}
    )

    assert ("id_effective_from", "The effective date must fall in 2030.") in errors_of(
        response.content.decode()
    )
    assert not Uplift.objects.exists()


def test_a_second_preview_for_the_year_replaces_the_unapproved_one(english, reviewer, standards):
    english.force_login(reviewer)
    data = {"year": "2030", "rate": "0.05", "effective_from": "2030-07-01"}
    english.post("/assistance/uplifts/", data)

    response = english.post("/assistance/uplifts/", {**data, "rate": "0.06"}, follow=True)

    assert "The preview of the 2030 uplift is ready" in response.content.decode()
    assert Uplift.objects.get().rate == Decimal("0.06")


def test_approving_an_uplift_shows_the_jobs_progress(english, reviewer, make_user, standards):
    EnrollmentFactory()
    english.force_login(make_user(Role.DISTRICT_REVIEWER, "370114", "previewer"))
    english.post("/assistance/uplifts/", {"year": "2030", "rate": "0.05", "effective_from": "2030-07-01"})
    uplift = Uplift.objects.get()
    english.force_login(reviewer)

    approved = english.post(f"/assistance/uplifts/{uplift.pk}/approve/", CONFIRMED, follow=True)

    uplift.refresh_from_db()
    assert uplift.status == UpliftStatus.APPROVED
    assert 'data-refresh-seconds="5"' in approved.content.decode()  # reloads itself while the job works
    assert not approved.context["may_approve"]
    jobs.uplift_run(uplift_id=uplift.pk)
    done = english.get(f"/assistance/uplifts/{uplift.pk}/")
    assert "1 of 1 enrollments recomputed" in done.content.decode()
    assert done.context["percent"] == 100 and done.context["refresh"] is None
    again = english.post(f"/assistance/uplifts/{uplift.pk}/approve/", CONFIRMED, follow=True)
    assert [str(m) for m in again.context["messages"]] == [
        "Only a preview can be approved; this uplift is “Completed”."
    ]


def test_caseworker_may_not_approve_an_uplift(client, caseworker, reviewer, standards):
    uplift = jobs.uplift_preview(
        actor=reviewer, year=2030, rate=Decimal("0.05"), effective_from=datetime.date(2030, 7, 1)
    )
    client.force_login(caseworker)

    assert client.post(f"/assistance/uplifts/{uplift.pk}/approve/").status_code == 403
    uplift.refresh_from_db()
    assert uplift.status == UpliftStatus.PREVIEW


def test_reviewer_makes_a_payment_batch_and_downloads_its_csv(english, reviewer, standards):
    enrollment = EnrollmentFactory(standard=Decimal("1000.00"))
    english.force_login(reviewer)

    created = english.post("/assistance/payment-batches/", {"month": "2024-07"}, follow=True)

    batch = PaymentBatch.objects.get()
    assert batch.month == datetime.date(2024, 7, 1) and batch.status == JobStatus.QUEUED
    assert 'data-refresh-seconds="5"' in created.content.decode()
    jobs.payment_batch_run(batch_id=batch.pk)
    listed = english.get("/assistance/payment-batches/").content.decode()
    export_url = f"/assistance/payment-batches/{batch.pk}/export/?format=csv"
    assert export_url in listed and "1,000.00" in listed
    assert f"/assistance/payment-batches/{batch.pk}/export/?format=xlsx" in listed

    response = english.get(export_url)

    lines = b"".join(response.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert response["Content-Disposition"] == 'attachment; filename="payments-2024-07.csv"'
    assert lines[0].startswith("Payee,ID number,Bank account,Bank,Amount (yuan),Category")
    assert lines[1].endswith(f",1000.00,Urban minimum living allowance,{enrollment.pk}")
    assert lines[-2:] == ["", "Total: 1 payments,,,,1000.00,,"]


def test_a_second_batch_for_the_month_is_refused_above_the_form(english, reviewer):
    english.force_login(reviewer)
    english.post("/assistance/payment-batches/", {"month": "2024-07"})

    response = english.post("/assistance/payment-batches/", {"month": "2024-07"})

    assert response.context["form"].non_field_errors() == ["The payment batch of 2024-07 already exists."]
    assert PaymentBatch.objects.count() == 1


def test_a_month_is_typed_as_year_and_month(english, reviewer):
    english.force_login(reviewer)

    response = english.post("/assistance/payment-batches/", {"month": "2024-13"})

    assert ("id_month", "Month to pay: Enter a month as YYYY-MM.") in errors_of(response.content.decode())
    assert not PaymentBatch.objects.exists()


def test_a_batch_not_yet_made_cannot_be_downloaded(english, reviewer):
    batch = jobs.payment_batch_create(actor=reviewer, month=datetime.date(2024, 7, 1), queue_job=False)
    english.force_login(reviewer)

    response = english.get(f"/assistance/payment-batches/{batch.pk}/export.csv", follow=True)

    assert response.redirect_chain[-1][0] == "/assistance/payment-batches/"
    assert [str(m) for m in response.context["messages"]] == [
        "The batch has not completed yet: export it once it has."
    ]


def test_household_list_runs_a_fixed_number_of_queries(client, caseworker, queries_stay_fixed):
    household_with(["0", "0"])
    client.force_login(caseworker)

    _, response = queries_stay_fixed(
        9,
        lambda: client.get("/assistance/households/"),
        lambda: [household_with(["0", "100", "200"]) for _ in range(30)],
    )

    assert len(response.context["page"]) == 25


# --- Exports of the list pages --------------------------------------------------------------------------------


def test_the_enrollment_list_exports_its_filtered_rows_as_excel_with_the_apis_columns(
    english, caseworker, standards
):
    overdue = EnrollmentFactory(next_review=TODAY() - datetime.timedelta(days=1))
    EnrollmentFactory(next_review=TODAY() + datetime.timedelta(days=30))
    english.force_login(caseworker)

    page = english.get("/assistance/enrollments/", {"recheck_overdue": "on"}).content.decode()
    response = english.get("/assistance/enrollments/", {"recheck_overdue": "on", "format": "xlsx"})

    assert 'href="?recheck_overdue=on&amp;format=xlsx"' in page
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [str(column.header) for column in ENROLLMENT_COLUMNS]
    assert [row[0] for row in rows[1:]] == [overdue.pk]
    event = AuditEvent.objects.get(action="export")
    assert event.object_type == "enrollments"
    assert event.changes == {"format": [None, "xlsx"], "query": [None, "recheck_overdue=on"]}


def test_the_work_queue_exports_the_tab_it_shows(english, caseworker, standards):
    accepted = application_in(caseworker, State.ACCEPTED)
    application_in(caseworker, State.SUBMITTED)
    english.force_login(caseworker)

    response = english.get("/assistance/applications/", {"state": "accepted", "format": "csv"})

    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == [str(column.header) for column in APPLICATION_COLUMNS]
    assert [row[0] for row in rows[1:]] == [str(accepted.pk)]


def test_the_household_list_exports_its_search(english, caseworker):
    wanted = household_with(["0"])
    household_with(["0"])
    name = wanted.members.get().person.name
    english.force_login(caseworker)

    response = english.get("/assistance/households/", {"search": name, "format": "csv"})

    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [str(wanted.pk)]
    assert AuditEvent.objects.get(action="export").object_type == "households"
