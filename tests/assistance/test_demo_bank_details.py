"""The demo data carries what the bank file needs (SPEC §4.3, issue 8 #3): every demo enrollment has its payee
(the household head), a 19-digit account and a bank; suspended ones have their dated suspension; the demo
standards uplift as the issue says (低保 1010 → 1061, 特困 1313 → 1380). Loading twice changes nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance import demo, jobs
from assistance.models import Enrollment, EnrollmentSuspension, HouseholdMember
from assistance.workflow import EnrollmentStatus
from civil_affairs import demo as kernel_demo

pytestmark = pytest.mark.django_db


def test_demo_enrollments_carry_bank_details_and_suspensions_and_load_once(divisions):
    kernel_demo.load_accounts()
    demo.load(io.StringIO())
    before = sorted(Enrollment.objects.values_list("id", "payee", "bank_account", "bank_name"))
    suspensions = EnrollmentSuspension.objects.count()

    demo.load(io.StringIO())

    assert sorted(Enrollment.objects.values_list("id", "payee", "bank_account", "bank_name")) == before
    assert EnrollmentSuspension.objects.count() == suspensions
    heads = dict(HouseholdMember.objects.filter(relation="self").values_list("household_id", "person__name"))
    banks = {bank for bank, _prefix in demo.DEMO_BANKS}
    enrollments = list(Enrollment.objects.all())
    assert len(enrollments) > 1000
    for enrollment in enrollments:
        assert enrollment.payee == heads[enrollment.household_id]
        assert enrollment.bank_account.isdigit() and len(enrollment.bank_account) == 19
        assert enrollment.bank_name in banks
    suspended = Enrollment.objects.filter(status=EnrollmentStatus.SUSPENDED)
    assert suspended.exists()
    assert set(suspended.values_list("id", flat=True)) == set(
        EnrollmentSuspension.objects.filter(end__isnull=True).values_list("enrollment_id", flat=True)
    )
    assert not EnrollmentSuspension.objects.filter(
        start__gt=timezone.localdate() + datetime.timedelta(days=40)
    )


def test_the_demo_standards_uplift_keeps_tekun_at_1_3_times_dibao(divisions):
    demo.load_standards(timezone.localdate().year)
    year = timezone.localdate().year

    lines = jobs.uplift_lines(rate=Decimal("0.05"), effective_from=datetime.date(year, 7, 1))

    new = {line["category"]: line["new_amount"] for line in lines}
    assert (new["dibao_urban"], new["tekun_urban"]) == ("1061.00", "1380.00")
    assert Decimal(new["tekun_rural"]) >= Decimal("1.3") * Decimal(new["dibao_rural"])
