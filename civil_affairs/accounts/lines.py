"""Lines of work (SPEC §2.3): which of the bureau's five lines a user serves.

Administrators, district reviewers, viewers and API clients serve (read) every line; a caseworker serves the
lines listed on the account (a town caseworker: assistance, elder care, funeral and community; the registry
office: marriage only). Case data of a line the user does not serve reads as not existing (404); creating a
record in it is refused (403).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Line(models.TextChoices):
    ASSISTANCE = "assistance", _("Social assistance")
    ELDERCARE = "eldercare", _("Elder care")
    MARRIAGE = "marriage", _("Marriage registration")
    FUNERAL = "funeral", _("Funeral services")
    COMMUNITY = "community", _("Community governance")


ALL_LINES = frozenset(Line.values)
# What a town (street) caseworker serves: everything but marriage, which the district registry office runs.
TOWN_LINES = (Line.ASSISTANCE, Line.ELDERCARE, Line.FUNERAL, Line.COMMUNITY)


def lines_of(user: Any) -> frozenset[str]:
    """The lines ``user`` serves (none for an anonymous or inactive user)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    from .models import Role  # the model module imports this one

    if user.role != Role.CASEWORKER:
        return ALL_LINES
    return frozenset(user.lines or ())


def serves(user: Any, line: str | None) -> bool:
    """Whether ``user`` serves ``line`` (``None``: kernel data every line shares, such as people)."""
    if line is None:
        return bool(lines_of(user))
    return line in lines_of(user)
