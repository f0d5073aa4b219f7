"""The one registry of residents, keyed by ID number (SPEC §2.2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .id_numbers import mask_id_number


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Person(models.Model):
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("full name"), max_length=50)
    # Derived from the ID number by the service, never typed.
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("date of birth"), editable=False)
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("household registration"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_deceased = models.BooleanField(_("deceased"), default=False)
    date_of_death = models.DateField(_("date of death"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            models.Index(fields=["division", "-id"], name="person_division_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id_number__regex=r"^[0-9]{17}[0-9X]$"), name="person_id_number_shape"
            ),
            models.CheckConstraint(
                condition=models.Q(is_deceased=False, date_of_death__isnull=True)
                | models.Q(is_deceased=True, date_of_death__isnull=False),
                name="person_date_of_death_iff_deceased",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id_number})"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)
