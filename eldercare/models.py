"""Elder-care data (SPEC §5): facilities, escrow statements and their alerts, safety inspections with hazards,
home-care projects, meal-site reports, 情暖夕阳 meal delivery (SPEC §4.5), caregiver training and awards."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


def money(verbose_name: Any = None, **options: Any) -> models.DecimalField:
    """Yuan with two places (SPEC §2.5)."""
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **options)


class FacilityKind(models.TextChoices):
    NURSING_HOME = "nursing_home", _("Nursing home")
    TOWN_CENTRE = "town_centre", _("Town elder-care service centre")
    HAPPINESS_HOME = "happiness_home", _("Rural happiness home")
    DAY_CARE = "day_care", _("Community day-care centre")
    MEAL_SITE = "meal_site", _("Meal site")


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class FacilityStatus(models.TextChoices):
    OPERATING = "operating", _("Operating")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Facility(models.Model):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=FacilityKind.choices)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    beds = models.IntegerField(_("beds"), default=0)
    star_rating = models.SmallIntegerField(_("star rating"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=FacilityStatus.choices, default=FacilityStatus.OPERATING
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    has_escrow_account = models.BooleanField(_("escrow account"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("elder-care facility")
        verbose_name_plural = _("elder-care facilities")
        ordering = ["division_id", "name"]
        indexes = [
            models.Index(fields=["kind", "division"], name="facility_kind_division_idx"),
            models.Index(
                fields=["division"], name="facility_division_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="facility_name_unique_in_division"),
            models.CheckConstraint(condition=Q(beds__gte=0), name="facility_beds_not_negative"),
            models.CheckConstraint(
                condition=Q(star_rating__isnull=True) | Q(star_rating__gte=1, star_rating__lte=5),
                name="facility_star_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EscrowStatement(models.Model):
    """A nursing home's monthly statement of its escrow account (监管账户)."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    residents = models.IntegerField(_("residents"))
    monthly_fee = money(_("average monthly fee (yuan)"))
    prepaid_fees_held = money(_("prepaid fees held (yuan)"))
    deposits_held = money(_("deposits held (yuan)"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("escrow statement")
        verbose_name_plural = _("escrow statements")
        ordering = ["-month", "facility_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "month"], name="statement_one_per_facility_and_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="statement_month_first_day"),
            models.CheckConstraint(condition=Q(residents__gte=0), name="statement_residents_not_negative"),
            models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="statement_fee_not_negative"),
            models.CheckConstraint(
                condition=Q(prepaid_fees_held__gte=0), name="statement_prepaid_not_negative"
            ),
            models.CheckConstraint(condition=Q(deposits_held__gte=0), name="statement_deposits_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.month:%Y-%m}"


class AlertKind(models.TextChoices):
    PREPAID_OVER_CAP = "prepaid_over_cap", _("Prepaid fees over the cap")
    DEPOSIT_OVER_CAP = "deposit_over_cap", _("Deposits over the cap")
    STATEMENT_MISSING = "statement_missing", _("Statement missing")
    RECTIFICATION_OVERDUE = "rectification_overdue", _("Rectification overdue")


MONTH_KINDS = (AlertKind.PREPAID_OVER_CAP, AlertKind.DEPOSIT_OVER_CAP, AlertKind.STATEMENT_MISSING)


class Alert(models.Model):
    """An early sign of trouble, raised once per cause: (facility, kind, month) for the escrow alerts, the
    hazard for an overdue rectification. It closes itself when the cause goes, or is closed with a note."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="alerts"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=AlertKind.choices)
    month = models.DateField(_("month"), null=True, blank=True)
    hazard = models.ForeignKey(
        "Hazard", verbose_name=_("hazard"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    close_note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["kind", "closed_at"], name="alert_kind_open_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "kind", "month"],
                condition=Q(month__isnull=False),
                name="alert_once_per_facility_kind_month",
            ),
            models.UniqueConstraint(
                fields=["hazard", "kind"], condition=Q(hazard__isnull=False), name="alert_once_per_hazard"
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[k.value for k in MONTH_KINDS], month__isnull=False, hazard__isnull=True)
                )
                | Q(kind=AlertKind.RECTIFICATION_OVERDUE, hazard__isnull=False, month__isnull=True),
                name="alert_has_its_cause",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.facility_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")
    CRITICAL = "critical", _("Critical")


class Inspection(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="inspections"
    )
    date = models.DateField(_("inspection date"))
    inspector = models.CharField(_("inspector"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("safety inspection")
        verbose_name_plural = _("safety inspections")
        ordering = ["-date", "-id"]
        constraints = [
            # A form sent twice is one inspection, not two (another inspector the same day is another).
            models.UniqueConstraint(
                fields=["facility", "date", "inspector"], name="inspection_once_per_inspector_and_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.date}"


class Hazard(models.Model):
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("inspection"), on_delete=models.PROTECT, related_name="hazards"
    )
    # The inspection's facility, kept here so hazard lists scope and filter without a join through it.
    facility = models.ForeignKey(
        Facility, verbose_name=_("facility"), on_delete=models.PROTECT, related_name="hazards"
    )
    description = models.TextField(_("description"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    deadline = models.DateField(_("rectification deadline"))
    rectified_on = models.DateField(_("rectified on"), null=True, blank=True)
    rectification_note = models.TextField(_("rectification note"), blank=True)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(
                fields=["deadline"], condition=Q(rectified_on__isnull=True), name="hazard_open_deadline_idx"
            )
        ]

    def __str__(self) -> str:
        return self.description[:40]


class HomeCareKind(models.TextChoices):
    FAMILY_BED = "family_bed", _("Family elder-care bed")
    HOME_SERVICE = "home_service", _("Home elder-care service")
    RENOVATION = "renovation", _("Age-friendly renovation")


class HomeCareStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    ENDED = "ended", _("Ended")


class HomeCareProject(models.Model):
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    # The person's household registration when the project started (scopes the project).
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=HomeCareKind.choices)
    contractor = models.CharField(_("contractor"), max_length=100, blank=True)
    subsidy = money(_("subsidy (yuan)"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=HomeCareStatus.choices, default=HomeCareStatus.PLANNED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("home-care project")
        verbose_name_plural = _("home-care projects")
        ordering = ["-id"]
        indexes = [models.Index(fields=["person", "status"], name="homecare_person_status_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(subsidy__gte=0), name="homecare_subsidy_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.person_id}"


class MealReport(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("meal site"), on_delete=models.PROTECT, related_name="meal_reports"
    )
    month = models.DateField(_("month"))
    meals_served = models.IntegerField(_("meals served"))
    subsidised_meals = models.IntegerField(_("subsidised meals"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meal report")
        verbose_name_plural = _("meal reports")
        ordering = ["-month", "facility_id"]
        constraints = [
            models.UniqueConstraint(fields=["facility", "month"], name="meal_report_one_per_site_and_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="meal_report_month_first_day"),
            models.CheckConstraint(condition=Q(meals_served__gte=0), name="meal_report_served_not_negative"),
            models.CheckConstraint(
                condition=Q(subsidised_meals__gte=0, subsidised_meals__lte=F("meals_served")),
                name="meal_report_subsidised_within_served",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.facility_id} {self.month:%Y-%m}"


class MealDeliveryEnrolment(models.Model):
    """情暖夕阳 (SPEC §4.5): a 低保 or 特困 beneficiary aged 60 or over with a disability, enrolled with a meal
    site that delivers meals to the home. Open until ended (by hand or by the person's death)."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    # The person's household registration on enrolment (scopes the enrolment).
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("meal site"), on_delete=models.PROTECT, related_name="meal_enrolments"
    )
    # The assistance category that made the person eligible on the day of enrolment.
    category = models.CharField(_("assistance category"), max_length=20)
    enrolled_on = models.DateField(_("enrolled on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meal-delivery enrolment")
        verbose_name_plural = _("meal-delivery enrolments")
        ordering = ["-enrolled_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(ended_on__isnull=True),
                name="meal_enrolment_one_open_per_person",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("enrolled_on")),
                name="meal_enrolment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.facility_id}"

    @property
    def category_label(self) -> str:
        """低保 or 特困, urban or rural, as people read it (assistance's door gives the name)."""
        from assistance.beneficiaries import category_label

        return category_label(self.category)


class MealDelivery(models.Model):
    """The meals a site delivered to one enrolled person in one month."""

    enrolment = models.ForeignKey(
        MealDeliveryEnrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    month = models.DateField(_("month"))
    meals_delivered = models.IntegerField(_("meals delivered"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("meal delivery")
        verbose_name_plural = _("meal deliveries")
        ordering = ["-month", "enrolment_id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "month"], name="meal_delivery_one_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="meal_delivery_month_first_day"),
            models.CheckConstraint(condition=Q(meals_delivered__gt=0), name="meal_delivery_meals_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} {self.month:%Y-%m}"


class CertificateLevel(models.TextChoices):
    JUNIOR = "junior", _("Junior")
    INTERMEDIATE = "intermediate", _("Intermediate")
    SENIOR = "senior", _("Senior")
    TECHNICIAN = "technician", _("Technician")


class CaregiverTraining(models.Model):
    """One person's attendance of one course (the seed counts person-times, 人次)."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("caregiver"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    course = models.CharField(_("course"), max_length=100)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    date = models.DateField(_("date"))
    certificate_level = models.CharField(
        _("certificate level"), max_length=12, choices=CertificateLevel.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("caregiver training")
        verbose_name_plural = _("caregiver trainings")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "course", "date"], name="training_once_per_course_day"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.course}"


class AwardLevel(models.TextChoices):
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")


class CaregiverAward(models.Model):
    person = models.ForeignKey(
        "people.Person", verbose_name=_("caregiver"), on_delete=models.PROTECT, related_name="+"
    )
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("award"), max_length=100)
    level = models.CharField(_("level"), max_length=12, choices=AwardLevel.choices)
    awarded_on = models.DateField(_("awarded on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("caregiver award")
        verbose_name_plural = _("caregiver awards")
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "title", "awarded_on"], name="award_once"),
        ]

    def __str__(self) -> str:
        return self.title
