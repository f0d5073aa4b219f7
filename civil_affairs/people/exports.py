"""The columns of the people list's export (SPEC §3): ID numbers masked, as on the list."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civil_affairs.exports import field

PERSON_COLUMNS = [
    field(_("Name"), "name"),
    field(_("ID number"), "masked_id_number", text=True),
    field(_("Sex"), "sex"),
    field(_("Birth date"), "birth_date"),
    field(_("Division"), "division.name"),
    field(_("Phone"), "phone", text=True),
    field(_("Deceased"), "is_deceased"),
    field(_("Date of death"), "date_of_death"),
]
