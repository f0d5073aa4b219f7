"""Fixtures of the assistance tests."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from assistance.rules import Category
from tests.assistance.factories import StandardFactory


@pytest.fixture
def standards(db):
    """The standards in force since 1 January 2020: 低保 (urban) 1000, 特困 (urban) 1300, disability 100."""
    for category, amount in [
        (Category.DIBAO_URBAN, "1000.00"),
        (Category.TEKUN_URBAN, "1300.00"),
        (Category.DISABILITY_LIVING, "100.00"),
    ]:
        StandardFactory(
            category=category, monthly_amount=Decimal(amount), effective_from=datetime.date(2020, 1, 1)
        )


@pytest.fixture
def freeze(monkeypatch):
    """Freeze the clock on a day (10:00 in Asia/Shanghai): ``freeze(datetime.date(2024, 9, 20))``. Everything
    that asks ``django.utils.timezone`` for now or today (services, auto_now fields, tokens) sees that day;
    call it again to move on."""

    def at(day, hour=10):
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Asia/Shanghai"))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return day

    return at


# The demo figures of every category, in force since 1 January 2020.
ALL_STANDARDS = {
    Category.DIBAO_URBAN: "1010.00",
    Category.DIBAO_RURAL: "865.00",
    Category.TEKUN_URBAN: "1313.00",
    Category.TEKUN_RURAL: "1125.00",
    Category.ORPHAN_INSTITUTION: "2000.00",
    Category.ORPHAN_COMMUNITY: "1500.00",
    Category.UNSUPPORTED_CHILD: "1500.00",
    Category.DISABILITY_LIVING: "100.00",
    Category.DISABILITY_CARE: "100.00",
}


@pytest.fixture
def all_standards(db):
    """A standard for every category (the demo figures), in force since 1 January 2020."""
    for category, amount in ALL_STANDARDS.items():
        StandardFactory(
            category=category, monthly_amount=Decimal(amount), effective_from=datetime.date(2020, 1, 1)
        )
