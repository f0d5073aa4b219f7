"""Funeral rules (SPEC §7, §11): eco-burial award amounts and the basic funeral fee waiver. Pure functions.

The amounts are Jinan's eco-burial awards (2018–2023 policy) and the basic funeral fee reduction at
cremation, kept configurable: ``FUNERAL_BURIAL_SUBSIDY_AMOUNTS`` (a dict burial type → yuan) and
``FUNERAL_FEE_WAIVER_AMOUNT`` in the settings override the defaults below.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BurialType(models.TextChoices):
    SCATTERING = "scattering", _("Ash scattering")
    SEA = "sea", _("Sea or river burial")
    DEGRADABLE_URN = "degradable_urn", _("Degradable urn")
    TREE = "tree", _("Tree burial")
    FLOWER = "flower", _("Flower burial")
    LAWN = "lawn", _("Lawn burial without marker")
    DEEP_NO_MOUND = "deep_no_mound", _("Deep burial without mound")
    NICHE = "niche", _("Niche in a columbarium or wall")


# SPEC §11: 4,000 for scattering or sea/river burial; 3,000 for a degradable urn or burial without marker;
# 2,000 for deep burial without mound; 1,000 for a niche.
DEFAULT_BURIAL_SUBSIDY_AMOUNTS: dict[str, str] = {
    BurialType.SCATTERING: "4000.00",
    BurialType.SEA: "4000.00",
    BurialType.DEGRADABLE_URN: "3000.00",
    BurialType.TREE: "3000.00",
    BurialType.FLOWER: "3000.00",
    BurialType.LAWN: "3000.00",
    BurialType.DEEP_NO_MOUND: "2000.00",
    BurialType.NICHE: "1000.00",
}
DEFAULT_FEE_WAIVER_AMOUNT = "630.00"

# The beneficiaries whose basic funeral fees are waived (惠民殡葬): 低保 and 特困, urban and rural.
FEE_WAIVER_CATEGORIES = ("dibao_urban", "dibao_rural", "tekun_urban", "tekun_rural")


def burial_subsidy_amounts() -> dict[str, Decimal]:
    """The award table in force: the settings' table if set, else the defaults of SPEC §11."""
    table = getattr(settings, "FUNERAL_BURIAL_SUBSIDY_AMOUNTS", None) or DEFAULT_BURIAL_SUBSIDY_AMOUNTS
    return {str(kind): Decimal(str(amount)).quantize(Decimal("0.01")) for kind, amount in table.items()}


def burial_subsidy_amount(burial_type: str) -> Decimal | None:
    """The award for a burial type, or None when the table has no such type."""
    return burial_subsidy_amounts().get(burial_type)


def fee_waiver_amount() -> Decimal:
    return Decimal(str(getattr(settings, "FUNERAL_FEE_WAIVER_AMOUNT", DEFAULT_FEE_WAIVER_AMOUNT))).quantize(
        Decimal("0.01")
    )


def month_end(day: datetime.date) -> datetime.date:
    """The last day of ``day``'s month."""
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
