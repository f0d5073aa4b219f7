"""The payee of an enrollment (SPEC §3.1, §4.3; issue 8 #3): the API and the enrollment page set the payee, bank
account and bank through one audited service; the bank file then pays them."""

import csv
import datetime
import io

import openpyxl
import pytest
import yaml

from assistance.models import Enrollment
from assistance.workflow import EnrollmentStatus
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
    # The write response shows the account masked, as every enrollment the API answers does.
    assert (body["payee"], body["bank_account"], body["bank_name"]) == (
        "王秀英",
        "****8901",
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
    assert api_as(caseworker).get(f"{ENROLLMENTS}{enrollment.pk}/").json()["bank_account"] == "****8901"


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


# --- A terminated enrollment is closed: its bank details stay as its bank files paid them ---------------------


def with_status(status, end=None, **details):
    enrollment = EnrollmentFactory()
    Enrollment.objects.filter(pk=enrollment.pk).update(status=status, end=end, **details)
    enrollment.refresh_from_db()
    return enrollment


@pytest.mark.parametrize(
    "details", [DETAILS, {"payee": "", "bank_account": "", "bank_name": ""}], ids=["set", "clear"]
)
def test_the_bank_details_of_a_terminated_enrollment_are_409_and_unchanged(api_as, caseworker, details):
    enrollment = with_status(
        EnrollmentStatus.TERMINATED,
        end=datetime.date(2024, 6, 30),
        payee="李四",
        bank_account="6217000012345670000",
        bank_name="中国建设银行",
    )

    response = api_as(caseworker).post(f"{ENROLLMENTS}{enrollment.pk}/payee/", details, format="json")

    assert response.status_code == 409
    assert "terminated" in response.json()["detail"]
    assert bank_details(enrollment) == ("李四", "6217000012345670000", "中国建设银行")
    assert not AuditEvent.objects.filter(object_type="assistance.enrollment", action="update").exists()


@pytest.mark.parametrize("status", [EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED])
def test_an_active_or_suspended_enrollment_takes_bank_details(api_as, caseworker, status):
    enrollment = with_status(status)

    response = api_as(caseworker).post(f"{ENROLLMENTS}{enrollment.pk}/payee/", DETAILS, format="json")

    assert response.status_code == 200, response.json()
    assert bank_details(enrollment) == ("王秀英", "6228480012345678901", "中国农业银行济南章丘支行")


def test_the_terminated_refusal_is_in_simplified_chinese_by_default(api_as, caseworker):
    enrollment = with_status(EnrollmentStatus.TERMINATED, end=datetime.date(2024, 6, 30))

    response = api_as(caseworker).post(
        f"{ENROLLMENTS}{enrollment.pk}/payee/", DETAILS, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert response.status_code == 409
    assert (
        response.json()["detail"] == f"第{enrollment.pk}号保障对象已终止，其收款人和银行账户信息不能再更改。"
    )


def test_the_enrollment_page_refuses_bank_details_for_a_terminated_enrollment(client, caseworker):
    enrollment = with_status(EnrollmentStatus.TERMINATED, end=datetime.date(2024, 6, 30))
    client.force_login(caseworker)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    response = client.post(f"/assistance/enrollments/{enrollment.pk}/payee/", DETAILS)

    assert response.status_code != 302
    assert "its bank details can no longer be changed" in response.content.decode()
    assert bank_details(enrollment) == ("", "", "")


# --- Other systems read the account masked; the bank file carries it whole -----------------------------------


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.API_CLIENT, Role.ADMINISTRATOR])
def test_the_enrollment_list_and_detail_show_the_account_masked_to_every_reader(api_as, make_user, role):
    enrollment = with_status(
        EnrollmentStatus.ACTIVE, payee="王秀英", bank_account="6228480012345678901", bank_name="中国农业银行"
    )
    bare = EnrollmentFactory()
    client = api_as(make_user(role, "370114"))

    listed = {row["id"]: row for row in client.get(ENROLLMENTS).json()["results"]}
    detail = client.get(f"{ENROLLMENTS}{enrollment.pk}/")

    assert listed[enrollment.pk]["bank_account"] == "****8901"
    assert listed[bare.pk]["bank_account"] == ""
    assert detail.json()["bank_account"] == "****8901"
    assert (detail.json()["payee"], detail.json()["bank_name"]) == ("王秀英", "中国农业银行")
    assert "6228480012345678901" not in detail.content.decode()
    assert Enrollment.objects.get(pk=enrollment.pk).bank_account == "6228480012345678901"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_enrollment_list_export_carries_no_account_number(api_as, caseworker, fmt):
    with_status(
        EnrollmentStatus.ACTIVE, payee="王秀英", bank_account="6228480012345678901", bank_name="中国农业银行"
    )

    response = api_as(caseworker).get(ENROLLMENTS, {"format": fmt})

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        rows = [["" if cell.value is None else str(cell.value) for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == 2  # the header and the one enrollment
    assert not any("8901" in cell for row in rows for cell in row)


def test_the_schema_says_the_account_is_masked(api_as, caseworker):
    response = api_as(caseworker).get("/api/v1/schema/", {"format": "json"})
    schema = yaml.safe_load(response.content)

    field = schema["components"]["schemas"]["Enrollment"]["properties"]["bank_account"]

    assert field["readOnly"] is True
    assert "masked" in field["description"]
