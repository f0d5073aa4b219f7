"""Fixtures of the assistance tests."""

import datetime
from decimal import Decimal

import pytest

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
