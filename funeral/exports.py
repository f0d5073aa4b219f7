"""The columns of funeral's list exports (SPEC §3), shared by the API and the pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civil_affairs.exports import Column, field


def _deceased_columns(person: str, heading: Any) -> list[Column]:
    """Who died and where: the person's name under ``heading``, the ID number and the record's village or
    community (the same three columns head the deaths, subsidies and waivers). The number is masked, as in
    every list (SPEC §2.2: the full number only on an audited detail view)."""
    return [
        field(heading, f"{person}.name"),
        field(_("ID number"), f"{person}.masked_id_number", text=True),
        field(_("Village or community"), "division.name"),
    ]


DEATH_COLUMNS = [
    *_deceased_columns("person", _("Name")),
    field(_("Date of death"), "date_of_death"),
    field(_("Place of death"), "place"),
    field(_("Cremated"), "cremated"),
    field(_("Cremated on"), "cremated_on"),
]

SUBSIDY_COLUMNS = [
    *_deceased_columns("deceased", _("Deceased")),
    field(_("Burial type"), "burial_type"),
    field(_("Burial date"), "burial_date"),
    field(_("Applicant"), "applicant.name"),
    field(_("Amount (yuan)"), "amount"),
    field(_("State"), "state"),
]

WAIVER_COLUMNS = [
    *_deceased_columns("deceased", _("Deceased")),
    field(_("Date of death"), "deceased.date_of_death"),
    field(_("Assistance category"), "category_label"),
    field(_("Amount (yuan)"), "amount"),
]

CEMETERY_COLUMNS = [
    field(_("Name"), "name"),
    field(_("Division"), "division.name"),
    field(_("Plots in total"), "plots_total"),
    field(_("Plots used"), "plots_used"),
]

COUNCIL_COLUMNS = [
    field(_("Village or community"), "division.name"),
    field(_("Chair"), "chair"),
    Column(_("Members"), lambda c: "、".join(c.members)),
    field(_("Charter date"), "charter_date"),
    Column(_("Events handled"), lambda c: c.event_count),
]
EVENT_COLUMNS = [
    field(_("Village or community"), "council.division.name"),
    field(_("Kind"), "kind"),
    field(pgettext_lazy("council event", "Held on"), "held_on"),
    field(_("Family"), "family"),
    field(_("Guests"), "guests"),
    field(_("Cost (yuan)"), "cost"),
]
