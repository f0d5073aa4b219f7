"""Certificates issued again (补领) and court rulings that a marriage is void or annulled (SPEC §6, Civil Code
arts. 1051–1054; issue 9 #13): a reissue gets a BJ/BL number and the original stays the record's own; a void or
annulled marriage never had effect, so status/ treats the couple as never married to each other."""

import datetime
import re

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from marriage.models import CertificateReissue, DivorceApplication, Registration
from marriage.workflow import DivorceState, WithdrawalReason
from tests.marriage.factories import DivorceFactory, RegistrationFactory, man, woman

pytestmark = pytest.mark.django_db

D = datetime.date
RULING = {"ruling_date": "2024-06-03", "court": "济南市章丘区人民法院", "ground": "coercion"}


@pytest.fixture
def marriage(divisions):
    return RegistrationFactory(
        party_a=man(name="丈夫"), party_b=woman(name="妻子"), registration_date=D(2023, 9, 9)
    )


def status(client, person, on):
    response = client.get("/api/v1/marriage/status/", {"person": person.pk, "date": str(on)})
    assert response.status_code == 200, response.json()
    return response.json()


# --- Reissue -------------------------------------------------------------------------------------------------


def test_a_marriage_certificate_is_issued_again_with_a_bj_number_and_the_original_stays(
    registrar_api, marriage
):
    first = registrar_api.post(f"/api/v1/marriage/registrations/{marriage.pk}/reissue/")
    second = registrar_api.post(f"/api/v1/marriage/registrations/{marriage.pk}/reissue/")

    assert first.status_code == second.status_code == 201, first.json()
    assert first.json() == {
        "id": first.json()["id"],
        "certificate_number": "BJ370114-2024-000001",
        "original_number": marriage.certificate_number,
        "issued_on": "2024-06-20",
        "registration": marriage.pk,
        "divorce": None,
    }
    assert second.json()["certificate_number"] == "BJ370114-2024-000002"
    shown = registrar_api.get(f"/api/v1/marriage/registrations/{marriage.pk}/").json()
    assert shown["certificate_number"] == marriage.certificate_number  # the original stays the record's own
    assert shown["reissued_certificates"] == ["BJ370114-2024-000001", "BJ370114-2024-000002"]
    assert status(registrar_api, marriage.party_a, D(2024, 6, 20))["married"] is True
    event = AuditEvent.objects.filter(action="reissue").order_by("id").first()
    assert (event.object_type, event.object_id) == ("marriage.registration", str(marriage.pk))
    assert event.changes["reissued_certificate"] == [None, "BJ370114-2024-000001"]


def test_a_divorce_certificate_is_issued_again_with_a_bl_number(registrar_api, marriage):
    divorce = DivorceFactory(
        registration=marriage,
        application_date=D(2024, 1, 8),
        state=DivorceState.ISSUED,
        issued_on=D(2024, 3, 1),
        certificate_number="L370114-2024-000007",
    )

    response = registrar_api.post(f"/api/v1/marriage/divorces/{divorce.pk}/reissue/")

    assert response.status_code == 201, response.json()
    assert response.json()["certificate_number"] == "BL370114-2024-000001"
    assert response.json()["original_number"] == "L370114-2024-000007"
    shown = registrar_api.get(f"/api/v1/marriage/divorces/{divorce.pk}/").json()
    assert (shown["certificate_number"], shown["reissued_certificates"]) == (
        "L370114-2024-000007",
        ["BL370114-2024-000001"],
    )


def test_no_divorce_certificate_is_issued_again_before_one_was_issued(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=D(2024, 6, 10))

    response = registrar_api.post(f"/api/v1/marriage/divorces/{divorce.pk}/reissue/")

    assert response.status_code == 409
    assert not CertificateReissue.objects.exists()


def test_a_dissolved_marriages_certificate_is_not_issued_again(registrar_api, divisions):
    dissolved = RegistrationFactory(registration_date=D(2010, 1, 1), dissolved_on=D(2012, 1, 1))

    response = registrar_api.post(f"/api/v1/marriage/registrations/{dissolved.pk}/reissue/")

    assert response.status_code == 409
    assert "dissolved on 2012-01-01" in response.json()["detail"]
    assert not CertificateReissue.objects.exists()


@pytest.mark.parametrize("role", [Role.VIEWER, Role.API_CLIENT, Role.DISTRICT_REVIEWER])
def test_only_writers_reissue_or_record_rulings(api_as, make_user, marriage, role):
    client = api_as(make_user(role, "370114"))

    assert client.post(f"/api/v1/marriage/registrations/{marriage.pk}/reissue/").status_code == 403
    assert (
        client.post(f"/api/v1/marriage/registrations/{marriage.pk}/annul/", RULING, format="json").status_code
        == 403
    )
    assert not CertificateReissue.objects.exists()
    assert Registration.objects.get().annulment_ruling_date is None


def test_a_marriage_outside_the_jurisdiction_is_404(api_as, caseworker, divisions):
    elsewhere = RegistrationFactory(
        party_a=man(division_id="370114002001"), party_b=woman(division_id="370114002001")
    )
    client = api_as(caseworker)

    assert client.post(f"/api/v1/marriage/registrations/{elsewhere.pk}/reissue/").status_code == 404
    assert (
        client.post(
            f"/api/v1/marriage/registrations/{elsewhere.pk}/annul/", RULING, format="json"
        ).status_code
        == 404
    )


# --- Court rulings -----------------------------------------------------------------------------------------------


def test_an_annulled_marriage_never_had_effect_in_status(registrar_api, marriage):
    response = registrar_api.post(
        f"/api/v1/marriage/registrations/{marriage.pk}/annul/", RULING, format="json"
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (
        body["annulled"],
        body["annulment_ruling_date"],
        body["annulment_court"],
        body["annulment_ground"],
    ) == (
        True,
        "2024-06-03",
        "济南市章丘区人民法院",
        "coercion",
    )
    single = {"married": False, "spouse": None, "since": None, "registration": None}
    for on in (D(2023, 9, 9), D(2024, 1, 1), D(2024, 6, 2), D(2024, 6, 20)):  # before the ruling too
        assert status(registrar_api, marriage.party_a, on) == single
        assert status(registrar_api, marriage.party_b, on) == single
    event = AuditEvent.objects.get(action="annul")
    assert event.changes["annulment_ground"] == ["", "coercion"]
    assert event.changes["annulment_ruling_date"] == [None, "2024-06-03"]


def test_after_an_annulment_either_party_may_marry_someone_else(registrar_api, marriage):
    registrar_api.post(
        f"/api/v1/marriage/registrations/{marriage.pk}/annul/", {**RULING, "ground": "bigamy"}, format="json"
    )

    response = registrar_api.post(
        "/api/v1/marriage/registrations/",
        {
            "party_a": marriage.party_a_id,
            "party_b": woman(name="新娘").pk,
            "registration_date": "2024-06-20",
            "declares_not_close_relatives": True,
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert status(registrar_api, marriage.party_a, D(2024, 6, 20))["registration"] == response.json()["id"]


def test_an_annulment_closes_an_open_divorce_application(registrar_api, marriage):
    divorce = DivorceFactory(registration=marriage, application_date=D(2024, 6, 10))

    registrar_api.post(f"/api/v1/marriage/registrations/{marriage.pk}/annul/", RULING, format="json")
    issue = registrar_api.post(f"/api/v1/marriage/divorces/{divorce.pk}/issue/")
    again = registrar_api.post(
        "/api/v1/marriage/divorces/",
        {"registration": marriage.pk, "agreement": "无", "attended_in_person": True},
        format="json",
    )

    divorce.refresh_from_db()
    assert (divorce.state, divorce.withdrawal_reason, divorce.withdrawn_on) == (
        DivorceState.WITHDRAWN,
        WithdrawalReason.ANNULLED,
        D(2024, 6, 20),
    )
    assert issue.status_code == 409 and "void or annulled" in issue.json()["detail"]
    assert again.status_code == 400 and again.json()["rule"] == "marriage_annulled"
    assert DivorceApplication.objects.count() == 1


def test_a_ruling_is_recorded_once(registrar_api, marriage):
    registrar_api.post(f"/api/v1/marriage/registrations/{marriage.pk}/annul/", RULING, format="json")

    again = registrar_api.post(
        f"/api/v1/marriage/registrations/{marriage.pk}/annul/",
        {**RULING, "ground": "under_age"},
        format="json",
    )
    reissue = registrar_api.post(f"/api/v1/marriage/registrations/{marriage.pk}/reissue/")

    assert again.status_code == reissue.status_code == 409
    assert Registration.objects.get().annulment_ground == "coercion"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RULING, "ruling_date": "2024-06-21"}, "ruling_date"),  # tomorrow
        ({**RULING, "ruling_date": "2023-09-08"}, "ruling_date"),  # before the registration
        ({**RULING, "court": "  "}, "court"),
        ({**RULING, "ground": "unhappiness"}, "ground"),
    ],
)
def test_a_ruling_with_an_impossible_date_court_or_ground_is_refused(registrar_api, marriage, body, field):
    response = registrar_api.post(f"/api/v1/marriage/registrations/{marriage.pk}/annul/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Registration.objects.get().annulment_ruling_date is None


# --- Pages -------------------------------------------------------------------------------------------------------


def confirmation_fields(html):
    form = re.search(r'<form method="post" action="[^"]*">(.*?)</form>', html, re.S)
    assert form, "no confirmation form"
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1)))


@pytest.fixture
def english(client, registrar):
    client.force_login(registrar)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_registration_page_shows_the_couple_as_male_and_female_party(english, divisions):
    marriage = RegistrationFactory(party_a=woman(name="王芳"), party_b=man(name="李强"))

    html = english.get(f"/marriage/registrations/{marriage.pk}/").content.decode()

    assert html.index('aria-label="Male party 李强"') < html.index('aria-label="Female party 王芳"')
    assert "Issue the marriage certificate again" in html and "Record a court ruling" in html


def test_a_reissue_on_the_page_is_confirmed_first(english, marriage):
    url = f"/marriage/registrations/{marriage.pk}/"

    asked = english.post(url, {"action": "reissue"})
    assert not CertificateReissue.objects.exists()
    done = english.post(url, confirmation_fields(asked.content.decode()), follow=True)

    reissue = CertificateReissue.objects.get()
    assert reissue.certificate_number == "BJ370114-2024-000001"
    assert "BJ370114-2024-000001" in done.content.decode()


def test_a_court_ruling_on_the_page_is_confirmed_and_then_shown(english, marriage):
    url = f"/marriage/registrations/{marriage.pk}/"
    posted = {
        "action": "annul",
        "annul-ruling_date": "2024-06-03",
        "annul-court": "济南市章丘区人民法院",
        "annul-ground": "under_age",
    }

    asked = english.post(url, posted)
    assert Registration.objects.get().annulment_ruling_date is None
    done = english.post(url, confirmation_fields(asked.content.decode()), follow=True)

    assert Registration.objects.get().annulment_ground == "under_age"
    html = done.content.decode()
    assert "never had effect" in html and "Void or annulled by a court" in html
    assert "Issue the marriage certificate again" not in html


def test_a_divorce_certificate_is_issued_again_from_the_issued_tab(english, marriage):
    divorce = DivorceFactory(
        registration=marriage,
        application_date=D(2024, 1, 8),
        state=DivorceState.ISSUED,
        issued_on=D(2024, 3, 1),
        certificate_number="L370114-2024-000007",
    )
    tab = "/marriage/divorces/?phase=issued"
    assert "Issue the divorce certificate again" in english.get(tab).content.decode()

    asked = english.post(f"/marriage/divorces/{divorce.pk}/reissue/", {"next": tab})
    english.post(f"/marriage/divorces/{divorce.pk}/reissue/", confirmation_fields(asked.content.decode()))

    assert CertificateReissue.objects.get().certificate_number == "BL370114-2024-000001"
    assert "BL370114-2024-000001" in english.get(tab).content.decode()


def test_the_registration_page_reads_in_chinese(client, registrar, marriage, compiled_catalogue):
    client.force_login(registrar)

    html = client.get(f"/marriage/registrations/{marriage.pk}/").content.decode()

    assert "补领结婚证" in html and "登记法院判决：婚姻无效或撤销" in html
    assert "男方" in html and "女方" in html
