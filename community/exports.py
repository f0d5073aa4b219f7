"""The columns of community work's list exports (SPEC §3), shared by the API and the pages."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from civil_affairs.exports import Column, field


def _share_cell(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.4f}"


WORKER_COLUMNS = [
    field(_("Name"), "person.name"),
    field(_("ID number"), "person.masked_id_number", text=True),
    field(_("Town or street"), "community.parent.name"),
    field(_("Village or community"), "community.name"),
    field(_("Post"), "post"),
    field(_("Grade"), "grade"),
    Column(_("Monthly pay (yuan)"), lambda w: w.monthly_pay),
    field(_("Contract start"), "contract_start"),
    field(_("Contract end"), "contract_end"),
    field(_("Social-work certificate"), "certificate"),
    field(_("Recruitment batch"), "recruitment_batch"),
    field(_("Last day worked"), "left_on"),
]

STAFFING_COLUMNS = [
    Column(_("Code"), lambda r: r.division, text=True),
    Column(_("Town or street"), lambda r: r.name),
    Column(_("Urban population"), lambda r: r.urban_population),
    Column(_("Workers in post"), lambda r: r.workers),
    Column(_("Certified"), lambda r: r.certified),
    Column(_("Per 10,000 urban residents"), lambda r: r.per_10000),
    Column(_("Certified share"), lambda r: _share_cell(r.certified_share)),
    Column(_("Below target"), lambda r: r.below_target),
]

FUND_COLUMNS = [
    field(_("Code"), "village_id", text=True),
    field(_("Town or street"), "village.parent.name"),
    field(_("Village or community"), "village.name"),
    field(_("Balance (yuan)"), "balance"),
]

MOVEMENT_COLUMNS = [
    field(_("Date"), "date"),
    field(_("Village or community"), "fund.village.name"),
    field(_("Kind"), "kind"),
    field(_("Amount (yuan)"), "amount"),
    field(_("Donor or recipient"), "party"),
    field(_("Purpose"), "purpose"),
    field(_("Balance after (yuan)"), "balance_after"),
]

ASSESSMENT_COLUMNS = [
    field(_("Quarter"), "quarter"),
    field(_("Town or street"), "village.parent.name"),
    field(_("Village or community"), "village.name"),
    field(_("Score"), "score"),
    field(_("Note"), "note"),
]
