"""Social assistance data (SPEC §4): standards, households, applications, enrollments, payments, uplifts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .rules import Category
from .workflow import EnrollmentStatus, State, UpliftStatus


def money(verbose_name: Any = None, **options: Any) -> models.DecimalField:
    """Yuan with two places (SPEC §2.5)."""
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **options)


class Standard(models.Model):
    """A category's monthly amount from a date on. History is kept: a new standard is a new row."""

    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    monthly_amount = money(_("monthly amount (yuan)"))
    effective_from = models.DateField(_("effective from"))
    is_demo = models.BooleanField(_("demo figure"), default=False)
    uplift = models.ForeignKey(
        "Uplift", null=True, blank=True, on_delete=models.PROTECT, related_name="standards"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assistance standard")
        verbose_name_plural = _("assistance standards")
        ordering = ["category", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "effective_from"], name="standard_one_per_category_and_date"
            ),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="standard_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.monthly_amount} ({self.effective_from})"


class Relation(models.TextChoices):
    SELF = "self", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER = "other", _("Other")


# Indexes (README "Benchmarks" lists each with the query it serves): a division is looked up by prefix
# (jurisdiction scoping, ``division_id LIKE '370114001%'``), which only a ``varchar_pattern_ops`` index
# serves under the database's collation; the same index serves the foreign key's equality lookups. So the
# division foreign keys carry no index of their own (Django would add a plain one and a ``_like`` one).


class Household(models.Model):
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("division"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    address = models.CharField(_("address"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(
                fields=["division"], name="household_division_like_idx", opclasses=["varchar_pattern_ops"]
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} (#{self.pk})"


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    # A person belongs to one household at a time.
    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="household_membership"
    )
    relation = models.CharField(_("relation to the head"), max_length=12, choices=Relation.choices)
    monthly_income = money(_("monthly income (yuan)"), default=Decimal("0.00"))

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(relation="self"), name="household_member_one_head"
            ),
            models.CheckConstraint(
                condition=Q(monthly_income__gte=0), name="household_member_income_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.relation})"


class Application(models.Model):
    """A household's application for one category, through the review workflow (SPEC §4.2)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applications")
    # Denormalised from the household so scoping and queues need no join.
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    covered_members = models.ManyToManyField("people.Person", related_name="assistance_applications")
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.SUBMITTED)
    irregular_income = models.BooleanField(
        _("irregular income"),
        default=False,
        help_text=_("Members able to work with irregular income: re-check every 6 months."),
    )
    investigation_report = models.TextField(_("home-visit report"), blank=True)
    # The case's dates follow one another (SPEC §4.2): the paper application arrived, the town accepted it,
    # visited the home, posted the notice; none in the future.
    received_on = models.DateField(_("received on"))
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)
    visited_on = models.DateField(_("home visit on"), null=True, blank=True)
    notice_from = models.DateField(_("public notice from"), null=True, blank=True)
    # 20 working days after acceptance, 30 once extended with a reason (SPEC §4.2, §11).
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    decision_extension_reason = models.TextField(_("reason for extending the decision period"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    # No index: no query reads applications by who filed them (a user is deactivated, never deleted).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("assistance application")
        verbose_name_plural = _("assistance applications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["state", "division"], name="application_queue_idx"),
            models.Index(
                fields=["division"], name="application_division_like_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="publicised") | Q(notice_from__isnull=False),
                name="application_notice_when_publicised",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(decision_reason=""),
                name="application_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True) | Q(accepted_on__gte=F("received_on")),
                name="application_accepted_after_received",
            ),
            models.CheckConstraint(
                condition=Q(visited_on__isnull=True)
                | Q(accepted_on__isnull=True)
                | Q(visited_on__gte=F("accepted_on")),
                name="application_visited_after_accepted",
            ),
            models.CheckConstraint(
                condition=Q(notice_from__isnull=True)
                | Q(visited_on__isnull=True)
                | Q(notice_from__gte=F("visited_on")),
                name="application_notice_after_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} ({self.get_state_display()})"


class Enrollment(models.Model):
    """What gets paid: a household's (covered members') benefit in one category (SPEC §4.3).

    The income figures are the snapshot the amount was computed from, so an uplift can recompute every
    amount in one set-based UPDATE.
    """

    application = models.OneToOneField(
        Application, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollment"
    )
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="enrollments")
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    category = models.CharField(_("category"), max_length=24, choices=Category.choices)
    covered_members = models.ManyToManyField("people.Person", related_name="assistance_enrollments")
    total_income = money(_("household monthly income"))
    member_count = models.PositiveSmallIntegerField(_("number of household members"))
    covered_count = models.PositiveSmallIntegerField(_("number of members covered"))
    monthly_amount = money(_("monthly amount (yuan)"))
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=EnrollmentStatus.choices, default=EnrollmentStatus.ACTIVE
    )
    status_reason = models.TextField(_("status reason"), blank=True)
    next_review = models.DateField(_("next review"))
    # Who the bank pays, and where (SPEC §4.3): the bank file's payee columns.
    payee = models.CharField(_("payee"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("enrollment")
        verbose_name_plural = _("enrollments")
        ordering = ["-id"]
        # Only what a query needs: every index is rewritten by each update that cannot stay on its page
        # (HOT), and the uplift updates every row. The table's fill factor of 50 (migration 0007) leaves
        # room on each page for a new version of every row, so the uplift's updates of the amount, which
        # no index covers, stay HOT and touch no index at all.
        indexes = [
            models.Index(
                fields=["division"], name="enrollment_division_like_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["next_review"], condition=Q(status="active"), name="enrollment_review_due_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount__gte=0), name="enrollment_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(covered_count__gte=1) & Q(member_count__gte=F("covered_count")),
                name="enrollment_covered_within_household",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="enrollment_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} {self.monthly_amount}"


class EnrollmentAmount(models.Model):
    """The amount history of an enrollment: the amount in force from a date (SPEC §4.4: old amounts stay).

    The uplift writes a million of these rows in one run, so each row costs as little as it can: the key
    is (enrollment, effective_from), the one index, which also serves every look-up by enrollment (no
    surrogate id and its second index), and neither reference is a per-row foreign key, which PostgreSQL
    checks row by row at each commit. Both are checked once per statement instead, by triggers over the
    statement's rows (migration 0008), with the same guarantees:

    - ``enrollment``: the rows' enrollments exist when the statement ends; deleting an enrollment that
      still has history rows is refused (Django deletes them first, as CASCADE says), after waiting for
      every transaction writing history rows, so a row written concurrently is seen.
    - ``uplift``: the rows name an uplift that has been approved; an uplift can only be deleted while it
      is a preview and never returns to one, so the uplift a row names always exists. No index: nothing
      reads the history by uplift, and a preview's deletion needs no look-up (DO_NOTHING).
    """

    pk = models.CompositePrimaryKey("enrollment", "effective_from")
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="amounts", db_index=False, db_constraint=False
    )
    monthly_amount = money()
    effective_from = models.DateField()
    uplift = models.ForeignKey(
        "Uplift",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        ordering = ["enrollment", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.monthly_amount} from {self.effective_from}"

    @property
    def reason(self) -> str:
        """Why this amount took effect: ``uplift`` (the annual uplift wrote it), ``approval`` (the enrollment's
        first amount) or ``recomputed`` (a re-check or a change in the household). The one definition, read by
        the enrollment page and the amount-history API."""
        if self.uplift_id is not None:
            return "uplift"
        if self.effective_from == self.enrollment.start:
            return "approval"
        return "recomputed"


class Recheck(models.Model):
    """A periodic re-check of an enrollment (动态管理, SPEC §4.2, §11): the home visit, the members' incomes it
    found, the amount it set from the next month and the next re-check's date."""

    # Served by recheck_enrollment_idx (enrollment, -visited_on), which the re-check list reads.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="rechecks", db_index=False
    )
    visited_on = models.DateField(_("home visit on"))
    report = models.TextField(_("re-check report"))
    # The members' incomes as found: [{"person": id, "monthly_income": "0.00"}, ...].
    incomes = models.JSONField(_("members' monthly incomes"), default=list)
    total_income = money(_("household monthly income"))
    member_count = models.PositiveSmallIntegerField(_("number of household members"))
    irregular_income = models.BooleanField(_("irregular income"), default=False)
    amount_before = money(_("monthly amount before"))
    amount_after = money(_("monthly amount after"))
    effective_from = models.DateField(_("effective from"))
    next_review = models.DateField(_("next re-check"))
    terminated = models.BooleanField(_("terminated the enrollment"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("re-check")
        verbose_name_plural = _("re-checks")
        ordering = ["enrollment", "-visited_on", "-id"]
        indexes = [models.Index(fields=["enrollment", "-visited_on"], name="recheck_enrollment_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_after__gte=0), name="recheck_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(next_review__gt=F("visited_on")), name="recheck_next_after_visit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.visited_on}: {self.amount_before} → {self.amount_after}"


class EnrollmentSuspension(models.Model):
    """A period an enrollment was suspended: from ``start`` (the day of the suspension) until ``end`` (the day
    it was resumed or ended, not itself suspended; empty while it lasts). Payment batches read it to know
    whether an enrollment was suspended on a month's first day, whatever its status today (SPEC §4.3).
    Written by ``status_history`` from the suspend/resume/terminate services."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="suspensions")
    start = models.DateField(_("suspended from"))
    end = models.DateField(_("suspended until"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("suspension")
        verbose_name_plural = _("suspensions")
        ordering = ["enrollment", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(end__isnull=True),
                name="suspension_one_open_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=F("start")), name="suspension_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}: {self.start} – {self.end or ''}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")


class PaymentBatch(models.Model):
    """One month's payments, made once (SPEC §4.3)."""

    month = models.DateField(_("month"), unique=True, help_text=_("The first day of the month paid."))
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    count = models.PositiveIntegerField(_("payments"), default=0)
    total = models.DecimalField(_("total (yuan)"), max_digits=16, decimal_places=2, default=Decimal("0.00"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="payment_batch_month_first_day")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class Payment(models.Model):
    """One enrollment's payment for one month, made by the month's batch (SPEC §4.3).

    A batch writes a million of these in one run, so, as for the amount history, the references are
    checked once per statement by triggers (migration 0009) instead of row by row at each commit: the
    rows' enrollments and batch exist when the statement ends, and deleting an enrollment or a batch
    that still has payments is refused (after a SHARE lock on the payments, so a concurrent writer is
    waited for). Django still refuses such deletions first (PROTECT).
    """

    # A batch's payments are written together, one batch after another, so they lie together in the
    # table: a BRIN index (a few pages, next to nothing to maintain) finds them, where a B-tree would be
    # written row by row for a column that changes once a month.
    batch = models.ForeignKey(
        PaymentBatch, on_delete=models.PROTECT, related_name="payments", db_index=False, db_constraint=False
    )
    # Served by the unique (enrollment, month) index, as above.
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="payments", db_index=False, db_constraint=False
    )
    month = models.DateField()
    amount = money()

    class Meta:
        ordering = ["batch", "enrollment"]
        indexes = [BrinIndex(fields=["batch"], name="payment_batch_brin")]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "month"], name="payment_once_per_enrollment_month")
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id} {self.month:%Y-%m} {self.amount}"


class Uplift(models.Model):
    """The annual benefit-standard uplift (SPEC §4.4): a preview, then one job per year."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4)
    effective_from = models.DateField(_("effective from"))
    status = models.CharField(
        _("status"), max_length=10, choices=UpliftStatus.choices, default=UpliftStatus.PREVIEW
    )
    lines = models.JSONField(_("preview lines"), default=list)
    # The standards the preview uplifted ({category: standard id}): approving is refused once they are no
    # longer the ones in force (SPEC §4.4).
    base_standards = models.JSONField(default=dict)
    # Progress of the job, so a crashed run resumes after the last finished chunk.
    total_enrollments = models.PositiveIntegerField(default=0)
    processed_enrollments = models.PositiveIntegerField(default=0)
    last_enrollment_id = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("standard uplift")
        verbose_name_plural = _("standard uplifts")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate__gt=0) & Q(rate__lt=1), name="uplift_rate_between_0_and_1"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} +{self.rate}"
