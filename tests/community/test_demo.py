"""The community demo data: the seed's 386 recruits, towns on both sides of the targets, funds raising 10.65
million yuan in every village, a year of scores; loading twice creates nothing twice."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from civil_affairs import demo as kernel_demo
from civil_affairs.accounts.models import User
from civil_affairs.divisions.models import Division, DivisionLevel
from community import demo, selectors
from community.models import CommunityWorker, FundMovement, MutualAidFund, PayScale, VillageAssessment

pytestmark = pytest.mark.django_db


def test_demo_data_reads_like_the_seed_year_and_loads_once(divisions):
    kernel_demo.load_accounts()
    demo.load(io.StringIO())
    counts = (
        CommunityWorker.objects.count(),
        MutualAidFund.objects.count(),
        VillageAssessment.objects.count(),
    )
    demo.load(io.StringIO())
    assert (
        CommunityWorker.objects.count(),
        MutualAidFund.objects.count(),
        VillageAssessment.objects.count(),
    ) == counts

    assert CommunityWorker.objects.filter(recruitment_batch="2023").count() == 386
    officer = User.objects.get(username="community_officer")
    rows = selectors.staffing_by_town(user=officer, on=timezone.localdate())
    below = {row.name for row in rows if row.below_target}
    assert below == {"龙山街道", "文祖街道", "黄河街道", "圣井街道", "刁镇街道"}
    assert len(rows) == 18

    villages = Division.objects.filter(level=DivisionLevel.VILLAGE).count()
    assert MutualAidFund.objects.count() == villages
    raised = FundMovement.objects.filter(kind="donation").aggregate(total=Sum("amount"))["total"]
    assert raised == Decimal("10650000.00")
    balances = MutualAidFund.objects.aggregate(total=Sum("balance"))["total"]
    assert Decimal("10500000") < balances <= Decimal("10650000")
    assert VillageAssessment.objects.values("quarter").distinct().count() == 4
    assert PayScale.objects.filter(is_demo=True).count() == 36
