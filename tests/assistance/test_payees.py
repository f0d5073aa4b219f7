"""The payee of an enrollment (SPEC §3.1, §4.3; issue 8 #3): the API and the enrollment page set the payee, bank
account and bank through one audited service; the bank file then pays them."""

import pytest

from assistance.models import Enrollment
from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from tests.assistance.factories import EnrollmentFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("divisions")]

ENROLLMENTS = "/api/v1/assistance/enrollments/"
DETAILS = {
    "payee": "王秀英",
    "bank_account": "6228 4800 1234 5678 901",
    "bank_name": "中国农业银行济南章丘支行",
}


def bank_details(enrollment):
    enrollment.refresh_from_db()
    return (enrollment.payee, enrollment.bank_account, enrollment.bank_name)


def test_a_caseworker_sets_the_payee_and_the_account_is_kept_as_its_digits_and_audited_masked(
    api_as, caseworker
):
    enrollment = EnrollmentFactory()

    response = api_as(caseworker).post(f"{ENROLLMENTS}{enrollment.pk}/payee/", DETAILS, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["payee"], body["bank_account"], body["bank_name"]) == (
        "王秀英",
        "6228480012345678901",
        "中国农业银行济南章丘支行",
    )
    assert bank_details(enrollment) == ("王秀英", "6228480012345678901", "中国农业银行济南章丘支行")
    event = AuditEvent.objects.get(
        object_type="assistance.enrollment", object_id=str(enrollment.pk), action="update"
    )
    assert event.changes == {
        "payee": ["", "王秀英"],
        "bank_account": ["", "****8901"],
        "bank_name": ["", "中国农业银行济南章丘支行"],
    }
    assert (
        api_as(caseworker).get(f"{ENROLLMENTS}{enrollment.pk}/").json()["bank_account"]
        == "6228480012345678901"
    )


@pytest.mark.parametrize(
    ("details", "fields"),
    [
        ({**DETAILS, "bank_account": "6228-4800-ABCD"}, {"bank_account"}),
        ({**DETAILS, "bank_account": "12345"}, {"bank_account"}),
        ({"payee": "王秀英", "bank_account": "", "bank_name": ""}, {"bank_account", "bank_name"}),
        ({**DETAILS, "payee": "\u202e王秀英"}, {"payee"}),
        ({**DETAILS, "bank_name": "\u200b"}, {"bank_name"}),
    ],
)
def test_incomplete_or_malformed_bank_details_are_400_naming_the_field_and_store_nothing(
    api_as, caseworker, details, fields
):
    enrollment = EnrollmentFactory()

    response = api_as(caseworker).post(f"{ENROLLMENTS}{enrollment.pk}/payee/", details, format="json")

    assert response.status_code == 400
    assert fields <= set(response.json())
    assert "rule" in response.json()
    assert bank_details(enrollment) == ("", "", "")
    assert not AuditEvent.objects.filter(object_type="assistance.enrollment", action="update").exists()


def test_clearing_all_three_is_allowed_and_audited(api_as, caseworker):
    enrollment = EnrollmentFactory()
    Enrollment.objects.filter(pk=enrollment.pk).update(
        payee="王秀英", bank_account="6228480012345678901", bank_name="中国农业银行"
    )

    response = api_as(caseworker).post(
        f"{ENROLLMENTS}{enrollment.pk}/payee/",
        {"payee": "", "bank_account": "", "bank_name": ""},
        format="json",
    )

    assert response.status_code == 200
    assert bank_details(enrollment) == ("", "", "")
    event = AuditEvent.objects.get(object_type="assistance.enrollment", action="update")
    assert event.changes["bank_account"] == ["****8901", ""]


@pytest.mark.parametrize("role", [Role.DISTRICT_REVIEWER, Role.VIEWER, Role.API_CLIENT])
def test_only_caseworkers_and_administrators_set_bank_details(api_as, make_user, role):
    enrollment = EnrollmentFactory()

    response = api_as(make_user(role, "370114")).post(
        f"{ENROLLMENTS}{enrollment.pk}/payee/", DETAILS, format="json"
    )

    assert response.status_code == 403
    assert bank_details(enrollment) == ("", "", "")


def test_an_enrollment_outside_the_jurisdiction_is_404(api_as, other_caseworker):
    enrollment = EnrollmentFactory(division_id="370114001001")

    response = api_as(other_caseworker).post(f"{ENROLLMENTS}{enrollment.pk}/payee/", DETAILS, format="json")

    assert response.status_code == 404
    assert bank_details(enrollment) == ("", "", "")


def test_the_enrollment_page_shows_the_account_masked_and_sets_the_bank_details(client, caseworker):
    enrollment = EnrollmentFactory()
    client.force_login(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    refused = client.post(
        f"/assistance/enrollments/{enrollment.pk}/payee/", {**DETAILS, "bank_account": "12"}
    )
    saved = client.post(f"/assistance/enrollments/{enrollment.pk}/payee/", DETAILS)
    detail = client.get(f"/assistance/enrollments/{enrollment.pk}/").content.decode()

    assert refused.status_code == 200
    assert refused.context["form"].errors["bank_account"] == ["A bank account number has 12 to 30 digits."]
    assert saved.status_code == 302
    assert saved["Location"] == f"/assistance/enrollments/{enrollment.pk}/"
    assert bank_details(enrollment) == ("王秀英", "6228480012345678901", "中国农业银行济南章丘支行")
    assert "****8901" in detail
    assert "6228480012345678901" not in detail
    assert f"/assistance/enrollments/{enrollment.pk}/payee/" in detail


def test_a_reviewer_sees_the_bank_details_but_no_way_to_change_them(client, reviewer):
    enrollment = EnrollmentFactory()
    client.force_login(reviewer)

    detail = client.get(f"/assistance/enrollments/{enrollment.pk}/").content.decode()
    form = client.get(f"/assistance/enrollments/{enrollment.pk}/payee/")

    assert f"/assistance/enrollments/{enrollment.pk}/payee/" not in detail
    assert form.status_code == 403
