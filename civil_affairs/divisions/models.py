"""Administrative divisions: district → town/street → village/community (SPEC §2.1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DivisionLevel(models.TextChoices):
    DISTRICT = "district", _("District")
    TOWN = "town", _("Town/street")
    VILLAGE = "village", _("Village/community")


# Statistical codes are hierarchical: 6 digits for a district, 9 for a town or street, 12 for a
# village or community. A subtree is therefore every code that starts with its root's code.
CODE_LENGTH_BY_LEVEL = {DivisionLevel.DISTRICT: 6, DivisionLevel.TOWN: 9, DivisionLevel.VILLAGE: 12}


class Division(models.Model):
    code = models.CharField(_("statistical code"), max_length=12, primary_key=True)
    name = models.CharField(_("division name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_urban = models.BooleanField(_("urban"), default=False)
    population = models.PositiveIntegerField(_("resident population"), default=0)
    urban_population = models.PositiveIntegerField(_("urban resident population"), default=0)

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]
        indexes = [
            # Prefix (subtree) lookups: code LIKE '370114001%'.
            models.Index(fields=["code"], name="division_code_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{6}([0-9]{3}){0,2}$"), name="division_code_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(urban_population__lte=models.F("population")),
                name="division_urban_population_within_population",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, code: str | None) -> bool:
        """Whether the division with ``code`` lies in this division's subtree."""
        return bool(code) and str(code).startswith(self.code)
