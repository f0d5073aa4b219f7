"""The columns of marriage's list exports (SPEC §3), shared by the API and the pages. ID numbers masked; the
parties as 男方/女方 by sex (SPEC §6)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civil_affairs.exports import Column, field

REGISTRATION_COLUMNS = [
    field(_("Marriage certificate number"), "certificate_number"),
    field(_("Registration date"), "registration_date"),
    field(_("Male party"), "husband.name"),
    field(_("Male party ID number"), "husband.masked_id_number", text=True),
    field(_("Female party"), "wife.name"),
    field(_("Female party ID number"), "wife.masked_id_number", text=True),
    field(_("Dissolved on"), "dissolved_on"),
    field(_("Date of the court's ruling"), "annulment_ruling_date"),
]
DIVORCE_COLUMNS = [
    field(_("Application"), "id"),
    field(_("Marriage certificate number"), "registration.certificate_number"),
    field(_("Male party"), "registration.husband.name"),
    field(_("Female party"), "registration.wife.name"),
    field(_("Application date"), "application_date"),
    field(_("Cooling-off period ends"), "cooling_off_ends"),
    field(_("Certificate period ends"), "certificate_window_ends"),
    field(_("State"), "state"),
    field(_("Certificate issued on"), "issued_on"),
    field(_("Divorce certificate number"), "certificate_number"),
    field(_("Withdrawn on"), "withdrawn_on"),
]
COUNSELLING_COLUMNS = [
    field(_("Case"), "id"),
    field(_("Party A"), "party_a.name"),
    field(_("Party B"), "party_b.name"),
    field(_("Opened on"), "opened_on"),
    field(_("Outcome"), "outcome"),
    field(_("Closed on"), "closed_on"),
    Column(_("Sessions"), lambda case: len(case.sessions.all())),
]
