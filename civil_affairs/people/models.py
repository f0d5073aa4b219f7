"""The one registry of residents, keyed by ID number (SPEC §2.2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .id_numbers import mask_id_number


class Sex(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class DisabilityKind(models.TextChoices):
    """The kinds on a disability certificate (残疾人证, SPEC §2.2)."""

    VISUAL = "visual", _("Visual disability")
    HEARING = "hearing", _("Hearing disability")
    SPEECH = "speech", _("Speech disability")
    PHYSICAL = "physical", _("Physical disability")
    INTELLECTUAL = "intellectual", _("Intellectual disability")
    MENTAL = "mental", _("Mental disability")
    MULTIPLE = "multiple", _("Multiple disabilities")


DISABILITY_GRADES = (1, 2, 3, 4)


class Person(models.Model):
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    name = models.CharField(_("full name"), max_length=50)
    # Derived from the ID number by the service, never typed.
    sex = models.CharField(_("sex"), max_length=6, choices=Sex.choices, editable=False)
    birth_date = models.DateField(_("date of birth"), editable=False)
    # Residents of the district have their division; a person registered elsewhere in the country (marriage
    # registration is nationwide, SPEC §2.2, §6) has none, but the 6-digit area code of their registration.
    division = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("household registration"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    registration_area = models.CharField(
        _("household registration outside the district (area code)"), max_length=6, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # An optional disability certificate: its kind and grade (1 most severe … 4), both or neither.
    disability_kind = models.CharField(
        _("disability kind"), max_length=12, choices=DisabilityKind.choices, blank=True
    )
    disability_grade = models.PositiveSmallIntegerField(
        _("disability grade"), null=True, blank=True, choices=[(g, str(g)) for g in DISABILITY_GRADES]
    )
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
            # The deceased, few among many: where a death's effects start (overpayments, SPEC §7).
            models.Index(fields=["id"], condition=models.Q(is_deceased=True), name="person_deceased_idx"),
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
            models.CheckConstraint(
                condition=models.Q(division__isnull=False, registration_area="")
                | models.Q(division__isnull=True, registration_area__regex=r"^[0-9]{6}$"),
                name="person_division_or_registration_area",
            ),
            models.CheckConstraint(
                condition=models.Q(disability_kind="", disability_grade__isnull=True)
                | (
                    ~models.Q(disability_kind="") & models.Q(disability_grade__gte=1, disability_grade__lte=4)
                ),
                name="person_disability_certificate_whole",
            ),
        ]

    def __str__(self) -> str:
        # Names are Chinese text: full-width brackets around the number (issue 14 #3), in every language.
        return f"{self.name}（{self.masked_id_number}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_outside_district(self) -> bool:
        """Registered elsewhere in the country: visible only to users serving marriage (SPEC §2.2)."""
        return self.division_id is None

    @property
    def has_disability_certificate(self) -> bool:
        return bool(self.disability_kind and self.disability_grade)
