"""幸福家园 mutual-aid funds (SPEC §8): one per village, donations and disbursements with an audited ledger,
never below zero, also when disbursements race."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, close_old_connections, transaction

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import RuleViolation
from community import services
from community.models import FundMovement, MutualAidFund
from tests.community.factories import FundFactory, days_from_today
from tests.helpers import race

pytestmark = pytest.mark.django_db

URL = "/api/v1/community/funds/"


def movement(amount: str, **changes) -> dict:
    return {
        "amount": amount,
        "date": str(days_from_today(0)),
        "party": "张三",
        "purpose": "大病救助",
        **changes,
    }


def test_opening_a_fund_starts_at_zero_and_a_second_answers_409(officer_api, divisions):
    response = officer_api.post(URL, {"village": "370114001001"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["balance"] == "0.00"
    assert MutualAidFund.objects.get().village_id == "370114001001"
    again = officer_api.post(URL, {"village": "370114001001"}, format="json")
    assert again.status_code == 409
    assert MutualAidFund.objects.count() == 1


def test_a_fund_belongs_to_a_village_not_a_town(officer_api, divisions):
    assert officer_api.post(URL, {"village": "370114001"}, format="json").status_code == 400
    assert not MutualAidFund.objects.exists()


def test_a_donation_raises_the_balance_and_is_audited(officer_api, divisions):
    fund = FundFactory(balance=Decimal("100.00"))
    response = officer_api.post(
        f"{URL}{fund.pk}/donations/", movement("250.50", party="某企业"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["balance_after"] == "350.50"
    fund.refresh_from_db()
    assert fund.balance == Decimal("350.50")
    line = FundMovement.objects.get()
    assert (line.kind, line.amount, line.party) == ("donation", Decimal("250.50"), "某企业")
    assert AuditEvent.objects.filter(action="donation", object_id=str(line.pk)).exists()


def test_a_disbursement_lowers_the_balance_and_is_audited(officer_api, divisions):
    fund = FundFactory(balance=Decimal("100.00"))
    response = officer_api.post(f"{URL}{fund.pk}/disbursements/", movement("100.00"), format="json")
    assert response.status_code == 201, response.content
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    assert AuditEvent.objects.filter(action="disbursement").count() == 1


def test_a_disbursement_beyond_the_balance_is_refused_and_nothing_stored(officer_api, divisions):
    fund = FundFactory(balance=Decimal("100.00"))
    response = officer_api.post(f"{URL}{fund.pk}/disbursements/", movement("100.01"), format="json")
    assert response.status_code == 400
    assert "exceeds the fund's balance" in response.json()["amount"][0]
    fund.refresh_from_db()
    assert fund.balance == Decimal("100.00")
    assert not FundMovement.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5.00"])
def test_an_amount_must_be_positive(officer_api, divisions, amount):
    fund = FundFactory()
    assert officer_api.post(f"{URL}{fund.pk}/donations/", movement(amount), format="json").status_code == 400
    assert not FundMovement.objects.exists()


def test_the_database_refuses_a_negative_balance(divisions):
    fund = FundFactory(balance=Decimal("1.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        MutualAidFund.objects.filter(pk=fund.pk).update(balance=Decimal("-0.01"))


def test_another_towns_fund_answers_404(api_as, make_user, divisions):
    fund = FundFactory(village_id="370114002001")
    caseworker = make_user(Role.CASEWORKER, "370114001", lines=["community"])
    api = api_as(caseworker)
    assert api.get(f"{URL}{fund.pk}/").status_code == 404
    assert api.post(f"{URL}{fund.pk}/disbursements/", movement("1.00"), format="json").status_code == 404


def test_a_user_not_serving_community_work_reads_404_and_may_not_create(api_as, make_user, divisions):
    fund = FundFactory()
    registrar = make_user(Role.CASEWORKER, "370114", lines=["marriage"])
    api = api_as(registrar)
    assert api.get(f"{URL}{fund.pk}/").status_code == 404
    assert api.post(URL, {"village": "370114002001"}, format="json").status_code == 403
    assert api.post(f"{URL}{fund.pk}/donations/", movement("1.00"), format="json").status_code == 403


def test_the_ledger_lists_a_funds_movements(officer_api, officer, divisions):
    fund = FundFactory(balance=Decimal("0"))
    services.fund_donate(
        actor=officer, fund=fund, amount=Decimal("50"), date=days_from_today(0), party="甲", purpose="捐赠"
    )
    services.fund_disburse(
        actor=officer, fund=fund, amount=Decimal("20"), date=days_from_today(0), party="乙", purpose="救助"
    )
    rows = officer_api.get(f"/api/v1/community/fund-movements/?fund={fund.pk}").json()["results"]
    assert [(r["kind"], r["amount"], r["balance_after"]) for r in rows] == [
        ("disbursement", "20.00", "30.00"),
        ("donation", "50.00", "50.00"),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_disbursements_never_overdraw(make_user, divisions):
    officer = make_user(Role.CASEWORKER, "370114", "racer", lines=["community"])
    fund = FundFactory(balance=Decimal("1000.00"))
    amounts = [Decimal("150.00")] * 10  # 1,500 asked of 1,000

    results = race(
        lambda amount: services.fund_disburse(
            actor=officer, fund=fund, amount=amount, date=days_from_today(0), party="张三", purpose="救助"
        ),
        amounts,
        refusals=(RuleViolation,),
    )
    close_old_connections()

    succeeded = [
        amount for amount, r in zip(amounts, results, strict=True) if not isinstance(r, RuleViolation)
    ]
    refused = [r.code for r in results if isinstance(r, RuleViolation)]

    fund.refresh_from_db()
    assert len(succeeded) == 6 and sum(succeeded) == Decimal("900.00")
    assert refused == ["beyond_balance"] * 4
    assert fund.balance == Decimal("100.00") >= 0
    assert FundMovement.objects.filter(kind="disbursement").count() == 6
    assert min(FundMovement.objects.values_list("balance_after", flat=True)) == Decimal("100.00")


# --- Dates of the ledger: from 2000-01-01 (rules.EARLIEST_DAY) to today --------------------------------------


@pytest.mark.parametrize("kind", ["donations", "disbursements"])
@pytest.mark.parametrize(
    ("date", "rule"),
    [("1900-01-01", "date_too_early"), ("1999-12-31", "date_too_early"), (None, "date_in_future")],
)
def test_a_movement_dated_before_2000_or_in_the_future_is_400_naming_the_date_and_stores_nothing(
    officer_api, divisions, kind, date, rule
):
    fund = FundFactory(balance=Decimal("100.00"))
    response = officer_api.post(
        f"{URL}{fund.pk}/{kind}/", movement("10.00", date=date or str(days_from_today(1))), format="json"
    )
    assert response.status_code == 400
    assert response.json()["rule"] == rule
    assert set(response.json()) == {"date", "rule"}
    fund.refresh_from_db()
    assert fund.balance == Decimal("100.00")
    assert not FundMovement.objects.exists()
    assert not AuditEvent.objects.filter(action=kind.rstrip("s")).exists()


@pytest.mark.parametrize("kind", ["donations", "disbursements"])
@pytest.mark.parametrize("date", ["2000-01-01", None])
def test_a_movement_dated_from_2000_01_01_to_today_is_recorded(officer_api, divisions, kind, date):
    fund = FundFactory(balance=Decimal("100.00"))
    day = date or str(days_from_today(0))
    response = officer_api.post(f"{URL}{fund.pk}/{kind}/", movement("10.00", date=day), format="json")
    assert response.status_code == 201, response.content
    line = FundMovement.objects.get()
    assert (str(line.date), line.kind) == (day, kind.rstrip("s"))
    assert response.json()["balance_after"] == ("110.00" if kind == "donations" else "90.00")


def test_the_early_date_refusal_is_in_simplified_chinese_by_default(officer_api, divisions):
    fund = FundFactory()
    response = officer_api.post(
        f"{URL}{fund.pk}/donations/",
        movement("10.00", date="1999-12-31"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert response.json()["date"] == ["日期不能早于 2000-01-01。"]
