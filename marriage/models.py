"""Marriage registration data (SPEC §6): registrations, divorce applications, counselling cases.

Marital status is never stored on a person: it is derived from these records (a registration's date, the
date its divorce certificate was issued, the parties' dates of death), so "married on a date" has one source.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .civil_code import DivorceCalendar, divorce_calendar
from .workflow import CounsellingOutcome, DivorcePhase, DivorceState, WithdrawalReason, divorce_phase

MARRIAGE_CERTIFICATE = r"^(J|BJ)[0-9]{6}-[0-9]{4}-[0-9]{6}$"
DIVORCE_CERTIFICATE = r"^(L|BL)[0-9]{6}-[0-9]{4}-[0-9]{6}$"


class Registration(models.Model):
    """A marriage registered between two people (Civil Code arts. 1046–1049)."""

    party_a = models.ForeignKey(
        "people.Person", verbose_name=_("party A"), on_delete=models.PROTECT, related_name="+"
    )
    party_b = models.ForeignKey(
        "people.Person", verbose_name=_("party B"), on_delete=models.PROTECT, related_name="+"
    )
    registration_date = models.DateField(_("registration date"))
    certificate_number = models.CharField(_("marriage certificate number"), max_length=24, unique=True)
    declares_not_close_relatives = models.BooleanField(_("declares they are not close relatives"))
    # The day the divorce certificate was issued: from that day on they are no longer married.
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("marriage registration")
        verbose_name_plural = _("marriage registrations")
        ordering = ["-registration_date", "-id"]
        indexes = [models.Index(fields=["registration_date", "id"], name="marriage_reg_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(party_a=F("party_b")), name="marriage_registration_two_people"
            ),
            models.CheckConstraint(
                condition=Q(declares_not_close_relatives=True), name="marriage_registration_declared"
            ),
            models.CheckConstraint(
                condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gte=F("registration_date")),
                name="marriage_registration_dissolved_after_registered",
            ),
            models.CheckConstraint(
                condition=Q(certificate_number__regex=MARRIAGE_CERTIFICATE),
                name="marriage_registration_certificate_shape",
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    def spouse_of(self, person_id: int) -> int:
        return self.party_b_id if person_id == self.party_a_id else self.party_a_id


class DivorceApplication(models.Model):
    """A divorce by agreement (Civil Code arts. 1076–1078) through its cooling-off period."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("marriage"), on_delete=models.PROTECT, related_name="divorces"
    )
    application_date = models.DateField(_("application date"))
    state = models.CharField(
        _("state"), max_length=10, choices=DivorceState.choices, default=DivorceState.OPEN
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(
        _("withdrawal reason"), max_length=10, choices=WithdrawalReason.choices, blank=True
    )
    withdrawn_by = models.ForeignKey(
        "people.Person",
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_on = models.DateField(_("certificate issued on"), null=True, blank=True)
    certificate_number = models.CharField(
        _("divorce certificate number"), max_length=24, unique=True, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("divorce application")
        verbose_name_plural = _("divorce applications")
        ordering = ["-application_date", "-id"]
        indexes = [models.Index(fields=["state", "application_date"], name="marriage_divorce_phase_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(state=DivorceState.OPEN),
                name="marriage_divorce_one_open_per_marriage",
            ),
            models.UniqueConstraint(
                fields=["registration"],
                condition=Q(state=DivorceState.ISSUED),
                name="marriage_divorce_one_issued_per_marriage",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        state=DivorceState.OPEN,
                        issued_on__isnull=True,
                        certificate_number__isnull=True,
                        withdrawn_on__isnull=True,
                        withdrawal_reason="",
                    )
                    | Q(
                        state=DivorceState.ISSUED,
                        issued_on__isnull=False,
                        certificate_number__isnull=False,
                        withdrawn_on__isnull=True,
                        withdrawal_reason="",
                    )
                    | (
                        Q(
                            state=DivorceState.WITHDRAWN,
                            issued_on__isnull=True,
                            certificate_number__isnull=True,
                            withdrawn_on__isnull=False,
                        )
                        & ~Q(withdrawal_reason="")
                    )
                ),
                name="marriage_divorce_state_fields",
            ),
            models.CheckConstraint(
                condition=(Q(issued_on__isnull=True) | Q(issued_on__gte=F("application_date")))
                & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("application_date"))),
                name="marriage_divorce_dates_after_application",
            ),
            models.CheckConstraint(
                condition=Q(certificate_number__isnull=True)
                | Q(certificate_number__regex=DIVORCE_CERTIFICATE),
                name="marriage_divorce_certificate_shape",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} ({self.application_date})"

    @property
    def calendar(self) -> DivorceCalendar:
        return divorce_calendar(self.application_date)

    def phase_on(self, on: datetime.date) -> DivorcePhase:
        return divorce_phase(self.state, self.application_date, on)


class CounsellingCase(models.Model):
    """Marriage and family counselling (婚姻家庭辅导) of a couple, often during a divorce's cooling-off period."""

    party_a = models.ForeignKey(
        "people.Person", verbose_name=_("party A"), on_delete=models.PROTECT, related_name="+"
    )
    party_b = models.ForeignKey(
        "people.Person", verbose_name=_("party B"), on_delete=models.PROTECT, related_name="+"
    )
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("marriage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counselling_cases",
    )
    divorce = models.ForeignKey(
        DivorceApplication,
        verbose_name=_("divorce application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counselling_cases",
    )
    opened_on = models.DateField(_("opened on"))
    concern = models.TextField(_("what brings them"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=CounsellingOutcome.choices, default=CounsellingOutcome.ONGOING
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("counselling case")
        verbose_name_plural = _("counselling cases")
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["outcome", "opened_on"], name="marriage_counsel_outcome_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(party_a=F("party_b")), name="marriage_counselling_two_people"
            ),
            models.CheckConstraint(
                condition=Q(outcome=CounsellingOutcome.ONGOING, closed_on__isnull=True)
                | (~Q(outcome=CounsellingOutcome.ONGOING) & Q(closed_on__gte=F("opened_on"))),
                name="marriage_counselling_closed_iff_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.opened_on})"


class CounsellingSession(models.Model):
    case = models.ForeignKey(CounsellingCase, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField(_("held on"))
    counsellor = models.CharField(_("counsellor"), max_length=50)
    notes = models.TextField(_("notes"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        ordering = ["case", "held_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(notes=""), name="marriage_counselling_session_has_notes"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_on}"


class CertificateSequence(models.Model):
    """The last yearly sequence number issued per certificate kind, area and year (SPEC §11).

    Incremented with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (services.reserve_certificate_numbers),
    so concurrent registrations never draw the same number and no gap-finding is ever needed.
    """

    kind = models.CharField(max_length=2)
    area_code = models.CharField(max_length=6)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("certificate sequence")
        verbose_name_plural = _("certificate sequences")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "area_code", "year"], name="marriage_certificate_sequence_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}{self.area_code}-{self.year}: {self.last}"
