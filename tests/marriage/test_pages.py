"""The registrar's pages: the form checks before saving and shows each refusal beside its party, the day's
registrations, divorce applications by phase with the days left and their actions, counselling cases."""

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civil_affairs.accounts.lines import TOWN_LINES
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from marriage.exports import DIVORCE_COLUMNS, REGISTRATION_COLUMNS
from marriage.models import CounsellingCase, DivorceApplication, Registration
from tests.marriage.conftest import days_ago
from tests.marriage.factories import CounsellingCaseFactory, DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

# What the confirmation page posts back: issuing, withdrawing and closing are taken only with it.
CONFIRMED = {"confirmed": "1"}


@pytest.fixture
def browser_as(client):
    """The Django test client, signed in, reading the pages in English so the assertions can read them."""

    def sign_in(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return sign_in


def years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - datetime.timedelta(days=days)


def form_data(party_a, party_b, step, declares=True, on=None):
    data = {
        "party_a": party_a.id_number,
        "party_b": party_b.id_number,
        "registration_date": str(on or timezone.localdate()),
        "step": step,
    }
    if declares:
        data["declares_not_close_relatives"] = "on"
    return data


def test_checking_shows_each_refusal_beside_its_party_and_saves_nothing(browser_as, registrar):
    young = man(years_ago(21), name="小伙")
    widow = woman(years_ago(30), name="新娘")
    RegistrationFactory(party_a=man(name="前夫"), party_b=widow, registration_date=years_ago(5))

    response = browser_as(registrar).post("/marriage/registrations/new/", form_data(young, widow, "check"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_party_a_error"' in html and "小伙 is under the legal marriage age" in html
    assert 'id="id_party_b_error"' in html and "新娘 is married to 前夫" in html
    assert "Age on the registration date" in html  # the parties were looked up and shown
    assert Registration.objects.count() == 1


def test_checking_a_couple_that_meets_every_condition_saves_nothing_yet(browser_as, registrar):
    response = browser_as(registrar).post(
        "/marriage/registrations/new/", form_data(man(years_ago(30)), woman(years_ago(28)), "check")
    )

    assert "Both parties meet every condition" in response.content.decode()
    assert not Registration.objects.exists()


def test_registering_issues_the_certificate_and_lists_it_among_todays(browser_as, registrar):
    groom, bride = man(years_ago(22), name="新郎"), woman(years_ago(20), name="新娘")
    client = browser_as(registrar)

    response = client.post("/marriage/registrations/new/", form_data(groom, bride, "register"), follow=True)

    registration = Registration.objects.get()
    html = response.content.decode()
    assert registration.certificate_number in html
    assert "Today&#x27;s registrations" in html or "Today's registrations" in html
    assert "新郎" in html and "新娘" in html
    assert groom.id_number not in html  # lists show masked numbers


def test_the_declaration_is_required_on_the_form_too(browser_as, registrar):
    response = browser_as(registrar).post(
        "/marriage/registrations/new/", form_data(man(), woman(), "register", declares=False)
    )

    assert 'id="id_declares_not_close_relatives_error"' in response.content.decode()
    assert not Registration.objects.exists()


def test_an_unknown_or_out_of_jurisdiction_id_number_is_reported(browser_as, caseworker):
    stranger = woman(division_id="370114002001")

    response = browser_as(caseworker).post(
        "/marriage/registrations/new/", form_data(man(), stranger, "check")
    )

    assert "No one with this ID number is registered in your jurisdiction" in response.content.decode()


def test_only_writers_open_the_registration_form(client, make_user):
    client.force_login(make_user(Role.DISTRICT_REVIEWER, "370114"))

    assert client.get("/marriage/registrations/new/").status_code == 403
    assert client.get("/marriage/registrations/").status_code == 200


def test_the_day_list_shows_another_date_on_request(browser_as, registrar, divisions):
    old = RegistrationFactory(registration_date=datetime.date(2020, 5, 20))

    today = browser_as(registrar).get("/marriage/registrations/").content.decode()
    that_day = browser_as(registrar).get("/marriage/registrations/", {"date": "2020-05-20"}).content.decode()

    assert old.certificate_number not in today
    assert old.certificate_number in that_day


def test_divorces_are_listed_by_phase_with_both_end_dates_and_days_left(browser_as, registrar, divisions):
    # Today is Thursday 2024-06-20.
    cooling = DivorceFactory(application_date=datetime.date(2024, 5, 23))  # 30th day: Saturday 22 June
    waiting = DivorceFactory(application_date=datetime.date(2024, 4, 22))
    lapsed = DivorceFactory(application_date=datetime.date(2024, 4, 11))  # 60th day: Dragon Boat Festival
    client = browser_as(registrar)

    cooling_page = client.get("/marriage/divorces/", {"phase": "cooling_off"}).content.decode()
    waiting_page = client.get("/marriage/divorces/", {"phase": "awaiting_certificate"}).content.decode()
    lapsed_page = client.get("/marriage/divorces/", {"phase": "lapsed"}).content.decode()

    assert cooling.registration.certificate_number in cooling_page and "4 days" in cooling_page
    assert "2024-06-24" in cooling_page and "extended" in cooling_page  # to Monday
    assert "2024-07-24" in cooling_page  # its certificate period ends 30 days after that
    assert "Withdraw the application" in cooling_page
    assert waiting.registration.certificate_number in waiting_page and "1 day" in waiting_page
    assert "2024-05-22" in waiting_page and "2024-06-21" in waiting_page
    assert "Issue the divorce certificate" in waiting_page
    assert lapsed.registration.certificate_number in lapsed_page
    # 11 May 2024 was a make-up working day; 10 June the Dragon Boat Festival: the period ran to 11 June.
    assert "2024-05-11" in lapsed_page and "2024-06-11" in lapsed_page
    assert "Lapsed on 2024-06-12" in lapsed_page
    assert waiting.registration.certificate_number not in cooling_page
    assert f"Male party {cooling.registration.husband.name}" in cooling_page


def test_the_certificate_is_issued_from_the_list(browser_as, registrar, divisions):
    divorce = DivorceFactory(application_date=days_ago(45))

    response = browser_as(registrar).post(
        f"/marriage/divorces/{divorce.pk}/issue/",
        {"next": "/marriage/divorces/?phase=awaiting_certificate", **CONFIRMED},
        follow=True,
    )

    divorce.refresh_from_db()
    assert divorce.state == "issued"
    assert divorce.certificate_number in response.content.decode()
    assert response.redirect_chain == [("/marriage/divorces/?phase=awaiting_certificate", 302)]


def test_issuing_too_early_shows_the_refusal_and_changes_nothing(browser_as, registrar, divisions):
    divorce = DivorceFactory(application_date=days_ago(10))

    response = browser_as(registrar).post(f"/marriage/divorces/{divorce.pk}/issue/", CONFIRMED, follow=True)

    assert "cooling-off period runs until" in response.content.decode()
    divorce.refresh_from_db()
    assert divorce.state == "open"


AGREEMENT = "婚生子由女方抚养，男方每月支付抚养费1500元；共同住房归女方所有；无共同债务。"


def test_the_divorce_form_looks_the_couple_up_and_shows_both_parties_before_saving(
    browser_as, registrar, divisions
):
    # party_a is the woman here: the page still shows the man as 男方 first.
    marriage = RegistrationFactory(party_a=woman(name="王芳"), party_b=man(name="李强"))
    client = browser_as(registrar)

    checked = client.post(
        "/marriage/divorces/new/",
        {"certificate_number": marriage.certificate_number.lower(), "step": "check"},
    )

    html = checked.content.decode()
    assert not DivorceApplication.objects.exists()
    assert html.index('aria-label="Male party 李强"') < html.index('aria-label="Female party 王芳"')
    assert "Married to 王芳 since 2020-05-20" in html
    assert 'name="step" value="apply"' in html
    assert 'name="application_date"' not in html  # a caseworker's application is dated today

    response = client.post(
        "/marriage/divorces/new/",
        {
            "certificate_number": marriage.certificate_number.lower(),
            "agreement": AGREEMENT,
            "attended_in_person": "on",
            "step": "apply",
        },
        follow=True,
    )

    divorce = DivorceApplication.objects.get()
    assert (divorce.registration, divorce.agreement, divorce.attended_in_person) == (
        marriage,
        AGREEMENT,
        True,
    )
    assert divorce.application_date == datetime.date(2024, 6, 20)
    html = response.content.decode()
    assert marriage.certificate_number in html
    assert "the cooling-off period runs until 2024-07-22" in html


def test_the_divorce_form_shows_missing_agreement_and_attendance_beside_their_fields(
    browser_as, registrar, divisions
):
    marriage = RegistrationFactory()

    response = browser_as(registrar).post(
        "/marriage/divorces/new/", {"certificate_number": marriage.certificate_number, "step": "apply"}
    )

    html = response.content.decode()
    assert 'id="id_agreement_error"' in html and "Civil Code art. 1076" in html
    assert 'id="id_attended_in_person_error"' in html
    assert not DivorceApplication.objects.exists()


def test_an_administrator_enters_an_archive_record_on_the_form(browser_as, make_user, divisions):
    marriage = RegistrationFactory()
    client = browser_as(make_user(Role.ADMINISTRATOR, "370114"))
    data = {
        "certificate_number": marriage.certificate_number,
        "agreement": AGREEMENT,
        "attended_in_person": "on",
        "application_date": "2024-05-02",
        "step": "apply",
    }

    refused = client.post("/marriage/divorces/new/", data).content.decode()
    client.post("/marriage/divorces/new/", {**data, "archive_reason": "补录纸质档案"})

    assert 'id="id_archive_reason_error"' in refused
    divorce = DivorceApplication.objects.get()
    assert (divorce.application_date, divorce.archive_reason) == (datetime.date(2024, 5, 2), "补录纸质档案")


def test_the_divorce_form_shows_a_refusal_beside_the_certificate_number(browser_as, registrar, divisions):
    dissolved = RegistrationFactory(
        registration_date=datetime.date(2010, 1, 1), dissolved_on=datetime.date(2011, 1, 1)
    )

    response = browser_as(registrar).post(
        "/marriage/divorces/new/",
        {
            "certificate_number": dissolved.certificate_number,
            "agreement": AGREEMENT,
            "attended_in_person": "on",
            "step": "apply",
        },
    )

    html = response.content.decode()
    assert 'id="id_certificate_number_error"' in html and "dissolved on 2011-01-01" in html
    assert not DivorceApplication.objects.exists()


def test_a_counselling_case_is_opened_worked_and_closed_in_the_pages(browser_as, registrar, divisions):
    divorce = DivorceFactory(application_date=days_ago(3))
    marriage = divorce.registration
    client = browser_as(registrar)

    opened = client.post(
        "/marriage/counselling/new/",
        {
            "party_a": marriage.party_a.id_number,
            "party_b": marriage.party_b.id_number,
            "opened_on": str(days_ago(2)),
            "concern": "沟通不畅",
        },
        follow=True,
    )
    case = CounsellingCase.objects.get()
    client.post(
        f"/marriage/counselling/{case.pk}/",
        {
            "action": "record_session",
            "record_session-held_on": str(days_ago(1)),
            "record_session-counsellor": "刘老师",
            "record_session-notes": "第一次谈话",
        },
    )
    closed = client.post(
        f"/marriage/counselling/{case.pk}/",
        {"action": "close", "close-outcome": "reconciled", "close-closed_on": str(days_ago(0)), **CONFIRMED},
        follow=True,
    )

    assert opened.status_code == 200
    assert (case.registration, case.divorce) == (
        marriage,
        divorce,
    )  # linked to their marriage and application
    case.refresh_from_db()
    assert case.outcome == "reconciled"
    html = closed.content.decode()
    assert "第一次谈话" in html and "Reconciled" in html
    listed = client.get("/marriage/counselling/", {"outcome": "reconciled"}).content.decode()
    assert marriage.party_a.name in listed


def test_counselling_of_another_town_is_404(browser_as, caseworker, divisions):
    case = CounsellingCaseFactory(
        party_a=man(division_id="370114002001"), party_b=woman(division_id="370114002001")
    )

    assert browser_as(caseworker).get(f"/marriage/counselling/{case.pk}/").status_code == 404


def test_the_index_counts_todays_work(browser_as, registrar, divisions):
    RegistrationFactory(registration_date=days_ago(0))
    DivorceFactory(application_date=days_ago(40))

    response = browser_as(registrar).get("/marriage/")

    assert response.status_code == 200
    assert response.context["registrations_today"] == 1
    assert response.context["divorce_counts"] == {"cooling_off": 0, "awaiting_certificate": 1, "lapsed": 0}


def test_a_viewer_sees_the_index_without_case_data(browser_as, make_user, divisions):
    response = browser_as(make_user(Role.VIEWER, "370114")).get("/marriage/")

    assert response.status_code == 200
    assert "registrations_today" not in response.context


@pytest.mark.parametrize(
    "url", ["/marriage/registrations/", "/marriage/divorces/?phase=cooling_off", "/marriage/counselling/"]
)
def test_list_pages_run_a_fixed_number_of_queries(browser_as, registrar, divisions, queries_stay_fixed, url):
    client = browser_as(registrar)

    def add_rows(count):
        for day in range(count):
            marriage = RegistrationFactory(registration_date=days_ago(0))
            DivorceFactory(registration=marriage, application_date=days_ago(day))
            CounsellingCaseFactory(party_a=marriage.party_a, party_b=marriage.party_b)

    add_rows(3)
    queries_stay_fixed(20, lambda: client.get(url), lambda: add_rows(10))


def test_the_registrars_pages_are_in_simplified_chinese_by_default(client, registrar, compiled_catalogue):
    client.force_login(registrar)

    form = client.get("/marriage/registrations/new/").content.decode()
    divorces = client.get("/marriage/divorces/").content.decode()

    assert 'lang="zh-hans"' in form
    assert "办理结婚登记" in form and "甲方身份证号码" in form and "核验登记条件" in form
    assert "Register a marriage" not in form
    assert "离婚冷静期" in divorces and "剩余天数" in divorces


def test_a_refusal_reads_in_chinese_on_the_page(client, registrar, compiled_catalogue):
    client.force_login(registrar)
    young = man(years_ago(21), name="小伙")

    html = client.post(
        "/marriage/registrations/new/", form_data(young, woman(years_ago(25)), "check")
    ).content.decode()

    assert "小伙未达法定婚龄：男方结婚年龄不得早于22周岁（《民法典》第一千零四十七条）" in html


def confirmation_fields(html):
    """The hidden fields the confirmation page posts back."""
    form = re.search(r'<form method="post" action="[^"]*">(.*?)</form>', html, re.S)
    assert form, "no confirmation form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


def test_issuing_a_certificate_is_confirmed_first_and_returns_to_the_tab(browser_as, registrar, divisions):
    divorce = DivorceFactory(application_date=days_ago(45))
    client = browser_as(registrar)
    tab = "/marriage/divorces/?phase=awaiting_certificate"
    listed = client.get(tab).content.decode()
    assert f'<input type="hidden" name="next" value="{tab.replace("&", "&amp;")}">' in listed

    asked = client.post(f"/marriage/divorces/{divorce.pk}/issue/", {"next": tab})

    html = asked.content.decode()
    assert "Confirm: Issue the divorce certificate" in html
    assert divorce.registration.certificate_number in html
    divorce.refresh_from_db()
    assert divorce.state == "open"
    done = client.post(f"/marriage/divorces/{divorce.pk}/issue/", confirmation_fields(html))
    assert done["Location"] == tab
    divorce.refresh_from_db()
    assert divorce.state == "issued"


def test_closing_a_counselling_case_is_confirmed_first(browser_as, registrar, divisions):
    case = CounsellingCaseFactory()
    client = browser_as(registrar)
    url = f"/marriage/counselling/{case.pk}/"

    asked = client.post(
        url, {"action": "close", "close-outcome": "divorced", "close-closed_on": str(days_ago(0))}
    )

    case.refresh_from_db()
    assert case.outcome == "ongoing"
    fields = confirmation_fields(asked.content.decode())
    assert (fields["action"], fields["close-outcome"]) == ("close", "divorced")
    client.post(url, fields)
    case.refresh_from_db()
    assert case.outcome == "divorced"


def test_a_closed_case_offers_no_forms(browser_as, registrar, divisions):
    case = CounsellingCaseFactory(opened_on=days_ago(3), outcome="reconciled", closed_on=days_ago(1))

    response = browser_as(registrar).get(f"/marriage/counselling/{case.pk}/")

    assert response.context["action_forms"] == []
    assert 'name="action"' not in response.content.decode()


def test_a_town_caseworker_may_not_register_marriages(client, make_user):
    town_caseworker = make_user(Role.CASEWORKER, "370114001", lines=TOWN_LINES)
    client.force_login(town_caseworker)

    assert client.get("/marriage/registrations/new/").status_code == 403
    assert client.get("/marriage/divorces/new/").status_code == 403
    assert 'href="/marriage/registrations/new/"' not in client.get("/marriage/").content.decode()


def _csv_rows(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def test_the_divorce_tab_exports_its_own_applications(browser_as, registrar, divisions):
    waiting = DivorceFactory(application_date=days_ago(45))
    DivorceFactory(application_date=days_ago(3))
    client = browser_as(registrar)

    page = client.get("/marriage/divorces/", {"phase": "awaiting_certificate"}).content.decode()
    rows = _csv_rows(client.get("/marriage/divorces/", {"phase": "awaiting_certificate", "format": "csv"}))

    assert 'href="?phase=awaiting_certificate&amp;format=csv"' in page
    assert rows[0] == [str(column.header) for column in DIVORCE_COLUMNS]
    assert [row[0] for row in rows[1:]] == [str(waiting.pk)]
    event = AuditEvent.objects.get(action="export")
    assert (event.object_type, event.changes["format"]) == ("divorces-awaiting_certificate", [None, "csv"])


def test_the_registrations_of_a_day_export_as_excel(browser_as, registrar, divisions):
    on = days_ago(2)
    kept = RegistrationFactory(registration_date=on)
    RegistrationFactory(registration_date=days_ago(1))

    response = browser_as(registrar).get("/marriage/registrations/", {"date": str(on), "format": "xlsx"})

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == [str(column.header) for column in REGISTRATION_COLUMNS]
    assert [row[0] for row in rows[1:]] == [kept.certificate_number]
    assert kept.party_a.id_number not in str(rows)  # masked, as on the list


def test_the_counselling_list_exports_the_outcome_chosen(browser_as, registrar, divisions):
    CounsellingCaseFactory()
    closed = CounsellingCaseFactory(opened_on=days_ago(3), outcome="reconciled", closed_on=days_ago(1))

    rows = _csv_rows(
        browser_as(registrar).get("/marriage/counselling/", {"outcome": "reconciled", "format": "csv"})
    )

    assert [row[0] for row in rows[1:]] == [str(closed.pk)]
