"""The figures of the summary (SPEC §9) and their names, in one place for the API's export, the page's tables
and the charts. A section is one line of work; a user sees the sections of the lines they serve."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.lines import Line

SECTIONS: list[tuple[str, Promise]] = [
    (Line.ASSISTANCE, _("Social assistance")),
    (Line.ELDERCARE, _("Elder care")),
    (Line.MARRIAGE, _("Marriage registration")),
    (Line.FUNERAL, _("Funeral services")),
    (Line.COMMUNITY, _("Community governance")),
]

# Per section: the figures of a division, in the order pages and exports show them.
FIGURES: dict[str, list[tuple[str, Promise]]] = {
    Line.ASSISTANCE: [
        ("paid", _("Funds paid (yuan)")),
        ("person_times", _("Person-times assisted")),
        ("people", _("People assisted")),
        ("active_enrollments", _("Enrollments in force")),
        ("rechecks_overdue", _("Re-checks overdue")),
        ("decisions_overdue", _("Decisions overdue")),
        ("overpayments", _("Payments to recover after a death")),
        ("overpayment_amount", _("Amount to recover (yuan)")),
    ],
    Line.ELDERCARE: [
        ("facilities", _("Facilities in operation")),
        ("beds", _("Beds")),
        ("open_alerts", _("Open alerts")),
        ("hazards_overdue", _("Hazards overdue")),
    ],
    Line.MARRIAGE: [
        ("registrations", _("Marriage registrations")),
        ("divorces", _("Divorce certificates issued")),
        ("reissues", _("Certificates reissued")),
    ],
    Line.FUNERAL: [
        ("deaths", _("Deaths recorded")),
        ("burial_subsidies", _("Eco-burial subsidies")),
        ("burial_subsidy_amount", _("Eco-burial subsidies (yuan)")),
        ("fee_waivers", _("Funeral fee waivers")),
    ],
    Line.COMMUNITY: [
        ("workers", _("Community workers in post")),
        ("per_10000", _("Workers per 10,000 urban residents")),
        ("certified_share", _("Share certified")),
        ("towns_below_target", _("Towns/streets below target")),
    ],
}

# The columns of the by-town table per section (a town's "below target" instead of the count of towns).
TOWN_FIGURES: dict[str, list[tuple[str, Promise]]] = {
    **{section: figures for section, figures in FIGURES.items() if section != Line.COMMUNITY},
    Line.COMMUNITY: [*FIGURES[Line.COMMUNITY][:3], ("below_target", _("Below target"))],
}

BY_CATEGORY: list[tuple[str, Promise]] = [
    ("paid", _("Funds paid (yuan)")),
    ("person_times", _("Person-times assisted")),
    ("people", _("People assisted")),
]

BY_MONTH: dict[str, list[tuple[str, Promise]]] = {
    Line.ASSISTANCE: BY_CATEGORY,
    Line.MARRIAGE: [("registrations", _("Marriage registrations"))],
    Line.FUNERAL: [("deaths", _("Deaths recorded"))],
}


def section_title(section: str) -> Promise:
    return dict(SECTIONS)[section]
