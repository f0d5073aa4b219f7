"""Marriage registration data (SPEC §6): registrations, divorce applications, counselling cases.

Marital status is never stored on a person: it is derived from these records (a registration's date, the
date its divorce certificate was issued, the parties' dates of death), so "married on a date" has one source.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from .civil_code import DivorceCalendar
from .workflow import (
    AnnulmentGround,
    CounsellingOutcome,
    DivorcePhase,
    DivorceState,
    RegistrationStanding,
    WithdrawalReason,
    divorce_phase,
)

MARRIAGE_CERTIFICATE = r"^(J|BJ)[0-9]{6}-[0-9]{4}-[0-9]{6}$"
DIVORCE_CERTIFICATE = r"^(L|BL)[0-9]{6}-[0-9]{4}-[0-9]{6}$"
REISSUED_MARRIAGE_CERTIFICATE = r"^BJ[0-9]{6}-[0-9]{4}-[0-9]{6}$"
REISSUED_DIVORCE_CERTIFICATE = r"^BL[0-9]{6}-[0-9]{4}-[0-9]{6}$"


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
    # A court's ruling that the marriage is void or annulled (Civil Code arts. 1051–1054): it never had effect.
    annulment_ground = models.CharField(
        _("ground of the court's ruling"), max_length=20, choices=AnnulmentGround.choices, blank=True
    )
    annulment_court = models.CharField(_("court"), max_length=100, blank=True)
    annulment_ruling_date = models.DateField(_("date of the ruling"), null=True, blank=True)
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
            models.CheckConstraint(
                condition=Q(annulment_ground="", annulment_court="", annulment_ruling_date__isnull=True)
                | (
                    ~Q(annulment_ground="")
                    & ~Q(annulment_court="")
                    & Q(annulment_ruling_date__gte=F("registration_date"))
                ),
                name="marriage_registration_annulment_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_number

    @property
    def is_annulled(self) -> bool:
        return self.annulment_ruling_date is not None

    @property
    def standing(self) -> RegistrationStanding:
        if self.is_annulled:
            return RegistrationStanding.ANNULLED
        if self.dissolved_on is not None:
            return RegistrationStanding.DISSOLVED
        return RegistrationStanding.IN_FORCE

    @property
    def husband(self) -> Any:
        """The male party (男方): party_a and party_b may come in either order (SPEC §6)."""
        return self.party_a if self.party_a.sex == "male" else self.party_b

    @property
    def wife(self) -> Any:
        """The female party (女方)."""
        return self.party_b if self.party_a.sex == "male" else self.party_a

    def spouse_of(self, person_id: int) -> int:
        return self.party_b_id if person_id == self.party_a_id else self.party_a_id


class DivorceApplication(models.Model):
    """A divorce by agreement (Civil Code arts. 1076–1078) through its cooling-off period."""

    registration = models.ForeignKey(
        Registration, verbose_name=_("marriage"), on_delete=models.PROTECT, related_name="divorces"
    )
    application_date = models.DateField(_("application date"))
    # The last days of the two periods on the holiday calendar (periods.py); kept so that filters and the lapse
    # job need no calendar, recomputed when the bureau's calendar changes (services.divorce_periods_refresh).
    cooling_off_ends = models.DateField(_("cooling-off period ends"))
    certificate_window_ends = models.DateField(_("certificate period ends"))
    # The couple's written agreement on children, property and debts (Civil Code art. 1076), and that both
    # came in person to apply.
    agreement = models.TextField(_("written agreement on children, property and debts"), blank=True)
    attended_in_person = models.BooleanField(_("both parties attended in person"), default=False)
    # Only for an archive record entered by an administrator with an earlier application date.
    archive_reason = models.TextField(_("reason for the archive record"), blank=True)
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
        indexes = [
            models.Index(fields=["state", "application_date"], name="marriage_divorce_phase_idx"),
            models.Index(fields=["state", "certificate_window_ends"], name="marriage_divorce_lapse_idx"),
        ]
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
            # 30 days each at least (Civil Code art. 1077), longer only where a rest day extends them.
            models.CheckConstraint(
                condition=Q(cooling_off_ends__gte=F("application_date") + datetime.timedelta(days=30))
                & Q(certificate_window_ends__gte=F("cooling_off_ends") + datetime.timedelta(days=30)),
                name="marriage_divorce_periods_at_least_30_days",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} ({self.application_date})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.application_date is not None and (
            self.cooling_off_ends is None or self.certificate_window_ends is None
        ):
            self.set_periods()
        super().save(*args, **kwargs)

    def set_periods(self) -> None:
        """Compute the two periods' last days from the application date on the holiday calendar."""
        from .periods import divorce_calendar

        calendar = divorce_calendar(self.application_date)
        self.cooling_off_ends = calendar.cooling_off_ends
        self.certificate_window_ends = calendar.certificate_window_ends

    @property
    def calendar(self) -> DivorceCalendar:
        return DivorceCalendar(
            application_date=self.application_date,
            cooling_off_ends=self.cooling_off_ends,
            certificate_from=self.cooling_off_ends + datetime.timedelta(days=1),
            certificate_window_ends=self.certificate_window_ends,
            lapses_on=self.certificate_window_ends + datetime.timedelta(days=1),
        )

    def phase_on(self, on: datetime.date) -> DivorcePhase:
        return divorce_phase(self.state, self.calendar, on)


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


class CertificateReissue(models.Model):
    """A certificate issued again (补领) for a marriage (``BJ…``) or a divorce (``BL…``); the original number
    stays the record's own (SPEC §6, §11)."""

    registration = models.ForeignKey(
        Registration,
        verbose_name=_("marriage"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
    )
    divorce = models.ForeignKey(
        DivorceApplication,
        verbose_name=_("divorce application"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reissues",
    )
    certificate_number = models.CharField(_("reissued certificate number"), max_length=24, unique=True)
    original_number = models.CharField(_("original certificate number"), max_length=24)
    issued_on = models.DateField(_("issued on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reissued certificate")
        verbose_name_plural = _("reissued certificates")
        ordering = ["issued_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(registration__isnull=False, divorce__isnull=True)
                    & Q(certificate_number__regex=REISSUED_MARRIAGE_CERTIFICATE)
                )
                | (
                    Q(registration__isnull=True, divorce__isnull=False)
                    & Q(certificate_number__regex=REISSUED_DIVORCE_CERTIFICATE)
                ),
                name="marriage_reissue_of_one_certificate",
            ),
        ]

    def __str__(self) -> str:
        return self.certificate_number


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
