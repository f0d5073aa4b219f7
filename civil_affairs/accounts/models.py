"""Users with one role and one jurisdiction (SPEC §2.3)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from .lines import Line, serves


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    DISTRICT_REVIEWER = "district_reviewer", _("District reviewer")
    CASEWORKER = "caseworker", _("Caseworker")
    VIEWER = "viewer", _("Viewer")
    API_CLIENT = "api_client", _("API client")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.VIEWER)
    jurisdiction = models.ForeignKey(
        "divisions.Division",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The user sees case data of this division and everything under it."),
    )
    lines = ArrayField(
        models.CharField(max_length=20, choices=Line.choices),
        verbose_name=_("lines of work"),
        default=list,
        blank=True,
        help_text=_("For caseworkers: the lines of work they serve. Other roles read every line."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.role in roles

    def serves(self, line: str | None) -> bool:
        return serves(self, line)
