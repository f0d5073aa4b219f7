"""Funeral data (SPEC §7): death records, eco-burial subsidies, basic funeral fee waivers, public-welfare
cemeteries and their plots, village councils for weddings and funerals and the events they handled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .rules import BurialType
from .workflow import SubsidyState


def money(verbose_name: Any = None, **options: Any) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **options)


class DeathRecord(models.Model):
    """A recorded death: one per person; recording it is the death event (civil_affairs/deaths.py)."""

    person = models.OneToOneField(
        "people.Person", verbose_name=_("deceased"), on_delete=models.PROTECT, related_name="death_record"
    )
    # The deceased's registration, copied so scoping needs no join.
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    date_of_death = models.DateField(_("date of death"))
    place = models.CharField(_("place of death"), max_length=200, blank=True)
    cremated = models.BooleanField(_("cremated"), default=False)
    cremated_on = models.DateField(_("cremated on"), null=True, blank=True)
    # The 低保/特困 category the deceased was enrolled in on the date of death, asked of assistance before
    # the death event changed anything (the fee waiver reads it).
    beneficiary_category = models.CharField(
        _("assistance category on the date of death"), max_length=24, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("death record")
        verbose_name_plural = _("death records")
        ordering = ["-date_of_death", "-id"]
        indexes = [models.Index(fields=["division", "-date_of_death"], name="death_division_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cremated_on__isnull=True)
                | (Q(cremated=True) & Q(cremated_on__gte=F("date_of_death"))),
                name="death_cremated_on_after_death",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} † {self.date_of_death}"


class BurialSubsidy(models.Model):
    """An eco-burial award (生态葬奖补): one per deceased, amount from the table of SPEC §11."""

    deceased = models.OneToOneField(
        "people.Person", verbose_name=_("deceased"), on_delete=models.PROTECT, related_name="burial_subsidy"
    )
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    burial_type = models.CharField(_("burial type"), max_length=16, choices=BurialType.choices)
    applicant = models.ForeignKey(
        "people.Person", verbose_name=_("applicant"), on_delete=models.PROTECT, related_name="+"
    )
    burial_date = models.DateField(_("burial date"))
    amount = money(_("amount (yuan)"))
    state = models.CharField(
        _("state"), max_length=10, choices=SubsidyState.choices, default=SubsidyState.SUBMITTED
    )
    decision_reason = models.TextField(_("decision reason"), blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("eco-burial subsidy")
        verbose_name_plural = _("eco-burial subsidies")
        ordering = ["-id"]
        indexes = [models.Index(fields=["division", "-id"], name="burial_subsidy_division_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="burial_subsidy_amount_positive"),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(decision_reason=""),
                name="burial_subsidy_rejection_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_burial_type_display()} {self.amount}"


class FeeWaiver(models.Model):
    """A basic funeral fee waiver (惠民殡葬) for a deceased 低保 or 特困 beneficiary: one per deceased."""

    deceased = models.OneToOneField(
        "people.Person", verbose_name=_("deceased"), on_delete=models.PROTECT, related_name="fee_waiver"
    )
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    amount = money(_("amount (yuan)"))
    category = models.CharField(_("assistance category"), max_length=24)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("basic funeral fee waiver")
        verbose_name_plural = _("basic funeral fee waivers")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fee_waiver_amount_positive")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount}"

    @property
    def category_label(self) -> str:
        """The category's name as people read it (assistance's labels); an unknown code is shown as it is."""
        from assistance.beneficiaries import category_label

        return category_label(self.category)


class Cemetery(models.Model):
    """A public-welfare cemetery (公益性公墓). The database never lets more plots be used than it has."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    division = models.ForeignKey(
        "divisions.Division", verbose_name=_("division"), on_delete=models.PROTECT, related_name="+"
    )
    plots_total = models.PositiveIntegerField(_("plots in total"))
    plots_used = models.PositiveIntegerField(_("plots used"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public-welfare cemetery")
        verbose_name_plural = _("public-welfare cemeteries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(plots_used__lte=F("plots_total")), name="cemetery_not_over_allocated"
            ),
            models.CheckConstraint(condition=Q(plots_used__gte=0), name="cemetery_plots_used_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def plots_free(self) -> int:
        return self.plots_total - self.plots_used


class PlotAllocation(models.Model):
    """A numbered plot of a cemetery given to one deceased."""

    cemetery = models.ForeignKey(Cemetery, on_delete=models.PROTECT, related_name="allocations")
    plot = models.PositiveIntegerField(_("plot number"))
    deceased = models.OneToOneField(
        "people.Person", verbose_name=_("deceased"), on_delete=models.PROTECT, related_name="cemetery_plot"
    )
    allocated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(_("allocated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plot allocation")
        verbose_name_plural = _("plot allocations")
        ordering = ["cemetery", "plot"]
        constraints = [
            models.UniqueConstraint(fields=["cemetery", "plot"], name="cemetery_plot_once"),
            models.CheckConstraint(condition=Q(plot__gte=1), name="cemetery_plot_numbered_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.cemetery_id}-{self.plot}"


class VillageCouncil(models.Model):
    """A village's council for weddings and funerals (红白理事会): one per village."""

    division = models.OneToOneField(
        "divisions.Division",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    chair = models.CharField(_("chair"), max_length=50)
    members = models.JSONField(_("members"), default=list, help_text=_("The members' names."))
    charter_date = models.DateField(_("charter date"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("village council for weddings and funerals")
        verbose_name_plural = _("village councils for weddings and funerals")
        ordering = ["division"]

    def __str__(self) -> str:
        return str(self.division_id)


class CouncilEventKind(models.TextChoices):
    WEDDING = "wedding", _("Wedding")
    FUNERAL = "funeral", _("Funeral")


class CouncilEvent(models.Model):
    """A wedding or funeral a village council handled."""

    council = models.ForeignKey(VillageCouncil, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("kind"), max_length=8, choices=CouncilEventKind.choices)
    # Its own context: the project catalogue's "held on" is marriage counselling's 辅导日期.
    held_on = models.DateField(pgettext_lazy("council event", "held on"))
    family = models.CharField(_("family"), max_length=50)
    guests = models.PositiveIntegerField(_("guests"), default=0)
    cost = money(_("cost (yuan)"), default=Decimal("0.00"))
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("council event")
        verbose_name_plural = _("council events")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="council_event_cost_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.held_on}"
