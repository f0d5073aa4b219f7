"""Community work (SPEC §8): community workers and their pay table, 幸福家园 mutual-aid funds with their
ledger, and village-affairs transparency assessments. Constraints here are the last guard; services.py
enforces the same rules first with a clear message."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField
from django.contrib.postgres.fields.ranges import RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Least
from django.utils.translation import gettext_lazy as _

from .rules import GRADE_RANGES, Certificate, Post


class _DateRangeClosed(Func):
    """``daterange(a, b, '[]')``: both days included."""

    function = "DATERANGE"
    template = "%(function)s(%(expressions)s, '[]')"
    output_field = DateRangeField()


class _SingleIdRange(Func):
    """``int8range(id, id, '[]')``: a one-value range, so a GiST exclusion can say "same person" without the
    btree_gist extension (the embedded PostgreSQL does not ship it)."""

    function = "INT8RANGE"
    template = "%(function)s(%(expressions)s, %(expressions)s, '[]')"


def _grade_range_q() -> Q:
    condition = Q()
    for post, (low, high) in GRADE_RANGES.items():
        condition |= Q(post=post, grade__gte=low, grade__lte=high)
    return condition


class CommunityWorker(models.Model):
    """A community worker's post (社区工作者): who, in which village or community, post and grade, the labour
    contract and the last day worked. A person holds one post at a time: their days in post never overlap."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.CharField(_("post"), max_length=10, choices=Post.choices)
    grade = models.PositiveSmallIntegerField(_("grade"))
    # The day the current grade was reached: the next step is due three years later.
    grade_since = models.DateField(_("in this grade since"))
    contract_start = models.DateField(_("contract start"))
    contract_end = models.DateField(_("contract end"))
    certificate = models.CharField(
        _("social-work certificate"), max_length=16, choices=Certificate.choices, default=Certificate.NONE
    )
    recruitment_batch = models.CharField(_("recruitment batch"), max_length=20, blank=True)
    left_on = models.DateField(_("last day worked"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("community worker")
        verbose_name_plural = _("community workers")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["community", "contract_start"], name="community_worker_place_idx"),
            models.Index(fields=["person"], name="community_worker_person_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=_grade_range_q(), name="community_worker_grade_in_post_range"),
            models.CheckConstraint(
                condition=Q(contract_end__gt=F("contract_start")),
                name="community_worker_contract_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("contract_start")),
                name="community_worker_left_after_start",
            ),
            ExclusionConstraint(
                name="community_worker_one_post_at_a_time",
                index_type="gist",
                expressions=[
                    (_SingleIdRange("person"), RangeOperators.OVERLAPS),
                    (
                        _DateRangeClosed("contract_start", Least("contract_end", "left_on")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_post_display()} {self.grade}"


class PayScale(models.Model):
    """The monthly pay of a post and grade (三岗十八级). The bureau keeps the table; demo figures say so."""

    post = models.CharField(_("post"), max_length=10, choices=Post.choices)
    grade = models.PositiveSmallIntegerField(_("grade"))
    monthly_pay = models.DecimalField(_("monthly pay (yuan)"), max_digits=10, decimal_places=2)
    is_demo = models.BooleanField(_("demo figure"), default=False)

    class Meta:
        verbose_name = _("pay scale")
        verbose_name_plural = _("pay scale")
        ordering = ["post", "grade"]
        constraints = [
            models.UniqueConstraint(fields=["post", "grade"], name="community_pay_scale_one_per_grade"),
            models.CheckConstraint(
                condition=_grade_range_q(), name="community_pay_scale_grade_in_post_range"
            ),
            models.CheckConstraint(condition=Q(monthly_pay__gt=0), name="community_pay_scale_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()} {self.grade}: {self.monthly_pay}"


class MutualAidFund(models.Model):
    """A village's 幸福家园 mutual-aid fund. The balance never goes below zero: a CHECK constraint, and every
    disbursement locks the row first (services.fund_disburse)."""

    village = models.OneToOneField(
        "divisions.Division",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    balance = models.DecimalField(_("balance (yuan)"), max_digits=14, decimal_places=2, default=0)
    created_at = models.DateTimeField(_("opened at"), auto_now_add=True)

    class Meta:
        verbose_name = _("mutual-aid fund")
        verbose_name_plural = _("mutual-aid funds")
        ordering = ["village_id"]
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=0), name="community_fund_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.village)


class MovementKind(models.TextChoices):
    DONATION = "donation", _("Donation")
    DISBURSEMENT = "disbursement", _("Disbursement")


class FundMovement(models.Model):
    """One line of a fund's ledger: money in (a donation) or out (a disbursement), with the balance after it."""

    fund = models.ForeignKey(
        MutualAidFund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="movements"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    date = models.DateField(_("date"))
    party = models.CharField(_("donor or recipient"), max_length=100)
    purpose = models.CharField(_("purpose"), max_length=200)
    balance_after = models.DecimalField(_("balance after (yuan)"), max_digits=14, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("fund movement")
        verbose_name_plural = _("fund movements")
        ordering = ["-id"]
        indexes = [models.Index(fields=["fund", "-id"], name="community_movement_fund_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="community_movement_amount_positive"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="community_movement_balance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


class VillageAssessment(models.Model):
    """A village's quarterly village-affairs transparency score (村务公开考核), one per quarter."""

    village = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quarter = models.CharField(_("quarter"), max_length=6)
    score = models.PositiveSmallIntegerField(_("score"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("village-affairs assessment")
        verbose_name_plural = _("village-affairs assessments")
        ordering = ["-quarter", "village_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "quarter"], name="community_assessment_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=Q(score__lte=100), name="community_assessment_score_at_most_100"
            ),
            models.CheckConstraint(
                condition=Q(quarter__regex=r"^[0-9]{4}Q[1-4]$"), name="community_assessment_quarter_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.quarter}: {self.score}"
