"""The columns of marriage's list exports (SPEC §3), shared by the API and the pages. ID numbers masked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from civil_affairs.exports import Column, field

REGISTRATION_COLUMNS = [
    field(_("Marriage certificate number"), "certificate_number"),
    field(_("Registration date"), "registration_date"),
    field(_("Party A"), "party_a.name"),
    field(_("Party A ID number"), "party_a.masked_id_number", text=True),
    field(_("Party B"), "party_b.name"),
    field(_("Party B ID number"), "party_b.masked_id_number", text=True),
    field(_("Dissolved on"), "dissolved_on"),
]
DIVORCE_COLUMNS = [
    field(_("Application"), "id"),
    field(_("Marriage certificate number"), "registration.certificate_number"),
    field(_("Party A"), "registration.party_a.name"),
    field(_("Party B"), "registration.party_b.name"),
    field(_("Application date"), "application_date"),
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
