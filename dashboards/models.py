"""The dashboards' summary tables (SPEC §9): small aggregates of the big tables, refreshed every few minutes by a
beat job (services.summaries_refresh), so that a summary for any period answers from thousands of rows, never
from the payments or enrollments themselves.

Towns are 9-digit division codes; ``""`` in ``town`` or ``category`` means "all" (the district, every category),
for figures that cannot be summed from the parts (distinct people).
"""

from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# "Never paid before": the previous month of a person's first payment (no month precedes it).
NEVER = datetime.date(1, 1, 1)


class PaymentTotal(models.Model):
    """One month's payments in one town and category (assistance.statistics.payment_totals)."""

    month = models.DateField()
    town = models.CharField(max_length=9)
    category = models.CharField(max_length=24)
    paid = models.DecimalField(max_digits=16, decimal_places=2)
    payments = models.PositiveIntegerField()
    person_times = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("payment total")
        constraints = [
            models.UniqueConstraint(fields=["month", "town", "category"], name="payment_total_once"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.town} {self.category}: {self.paid}"


class PeopleStart(models.Model):
    """People paid in ``month`` whose previous payment (in the same town and category, ``""`` for any) was in
    ``previous`` (NEVER: the first one). The distinct people paid from month a to month b are then the sum over
    a ≤ month ≤ b with previous < a: each person counts once, at their first payment in the period."""

    month = models.DateField()
    previous = models.DateField()
    town = models.CharField(max_length=9, blank=True)
    category = models.CharField(max_length=24, blank=True)
    people = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("people first paid")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "category", "month", "previous"], name="people_start_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} after {self.previous:%Y-%m} {self.town} {self.category}: {self.people}"


class LastPaid(models.Model):
    """The last month each person was paid in, per town and category: what a new month's PeopleStart rows
    need to know, so a month is added without reading the earlier months' payments again."""

    person_id = models.BigIntegerField()
    town = models.CharField(max_length=9)
    category = models.CharField(max_length=24)
    month = models.DateField()

    class Meta:
        verbose_name = _("last month paid")
        constraints = [
            models.UniqueConstraint(fields=["person_id", "town", "category"], name="last_paid_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.town} {self.category}: {self.month:%Y-%m}"


class EnrollmentLevel(models.Model):
    """Enrollments of a town and category in ``kind`` (in force, re-check overdue) from ``day`` on, until the
    next row of the same town, category and kind (assistance.statistics.Level)."""

    kind = models.CharField(max_length=16)
    town = models.CharField(max_length=9)
    category = models.CharField(max_length=24)
    day = models.DateField()
    count = models.IntegerField()

    class Meta:
        verbose_name = _("enrollment level")
        constraints = [
            # Also the index that finds the level on a day: the latest row at or before it.
            models.UniqueConstraint(fields=["kind", "town", "category", "day"], name="enrollment_level_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.town} {self.category} from {self.day}: {self.count}"


class SummaryState(models.Model):
    """What the summary tables were last built from, and when (the "as of" the pages show)."""

    name = models.CharField(max_length=24, primary_key=True)
    refreshed_at = models.DateTimeField()
    # Payments: {month: batch fingerprint} of the months summarised.
    sources = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("summary state")

    def __str__(self) -> str:
        return f"{self.name} at {self.refreshed_at}"
