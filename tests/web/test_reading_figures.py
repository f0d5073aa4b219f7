"""Figures read at a glance (issue 14 #2): money with ¥ and thousands separators, rates as percentages, counts
with separators, one date format — as filters of ``{% load portal %}``, whatever the language."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from civil_affairs.web import formatting


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("4143575"), "¥4,143,575.00"),
        (Decimal("4143575.005"), "¥4,143,575.01"),  # half up to the fen
        (Decimal("0.5"), "¥0.50"),
        (Decimal("-12.5"), "-¥12.50"),
        (1700, "¥1,700.00"),
        ("3799.5", "¥3,799.50"),
        (None, "—"),
        ("", "—"),
        ("not a number", "—"),
    ],
)
def test_yuan_reads_as_money(value, expected):
    assert formatting.yuan(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.0500"), "5%"),
        (Decimal("0.75"), "75%"),
        (Decimal("0.125"), "12.5%"),
        (Decimal("0.12345"), "12.35%"),
        (Decimal("1"), "100%"),
        (Decimal("0"), "0%"),
        (Decimal("12.5"), "1,250%"),
        (None, "—"),
    ],
)
def test_percent_reads_a_share_of_one_as_a_percentage(value, expected):
    assert formatting.percent(value) == expected


def test_number_groups_thousands():
    assert formatting.number(1888) == "1,888"
    assert formatting.number(Decimal("1234567.50")) == "1,234,567.50"
    assert formatting.number(None) == "—"


def test_dates_read_in_one_format_and_a_moment_in_local_time():
    moment = datetime.datetime(2026, 2, 28, 17, 30, tzinfo=datetime.UTC)  # 01:30 on 1 March in Jinan

    assert formatting.day(datetime.date(2026, 3, 1)) == "2026-03-01"
    assert formatting.day(moment) == "2026-03-01"
    assert formatting.month(datetime.date(2026, 3, 1)) == "2026-03"
    assert formatting.moment(moment) == "2026-03-01 01:30"
    assert formatting.day(None) == "—"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_filters_read_the_same_in_every_language(language):
    template = Template(
        "{% load portal %}{{ amount|yuan }} {{ rate|percent }} {{ count|number }} {{ on|day }} {{ at|moment }} {{ on }}"
    )
    context = Context(
        {
            "amount": Decimal("4143575.00"),
            "rate": Decimal("0.0500"),
            "count": 1888,
            "on": datetime.date(2026, 3, 1),
            "at": datetime.datetime(2026, 3, 1, 1, 5, tzinfo=datetime.UTC),  # 09:05 in Jinan
        }
    )

    with translation.override(language):
        rendered = template.render(context)

    assert rendered == "¥4,143,575.00 5% 1,888 2026-03-01 2026-03-01 09:05 2026-03-01"
