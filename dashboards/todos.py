"""Each role's to-dos for its home page (SPEC §9): counts of the work waiting, each linking to the list that shows
it, for the lines of work the user may read (never a link to a page their role may not open).

Counts come from each app's statistics module (its scoped selectors), so a to-do equals its list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from assistance import statistics as assistance_statistics
from civil_affairs.accounts.permissions import may
from community import statistics as community_statistics
from eldercare import statistics as eldercare_statistics
from funeral import statistics as funeral_statistics
from marriage import statistics as marriage_statistics

from .figures import section_title


@dataclass(frozen=True)
class Todo:
    section: str
    section_title: Promise
    title: Promise
    count: int
    url: str
    # Late work (overdue, alerts) rather than the day's queue.
    late: bool = False


def _assistance(user: Any, today: datetime.date) -> list[Todo]:
    counts = assistance_statistics.open_cases(user=user, today=today)
    queue = reverse("assistance:application-queue")
    review = reverse("assistance:review-queue")
    items = []
    if may(user, "work_assistance"):
        items += [
            (_("Applications to accept"), counts["to_accept"], f"{queue}?state=submitted", False),
            (_("Home visits due"), counts["visits_due"], f"{queue}?state=accepted", False),
            (_("Public notices to post"), counts["notices_to_post"], f"{queue}?state=investigated", False),
        ]
    if may(user, "decide_application"):
        items.append(
            (_("Notices over, ready for decision"), counts["ready_for_decision"], f"{review}?ready=on", False)
        )
    # The work queue shows one state at a time: the first tab holding an overdue decision.
    tab = next(
        (
            state
            for state in ("accepted", "investigated", "publicised")
            if counts[f"decisions_overdue_{state}"]
        ),
        "publicised",
    )
    items.append(
        (
            _("Decisions overdue"),
            counts["decisions_overdue"],
            f"{queue}?state={tab}&decision_overdue=on",
            True,
        )
    )
    items.append(
        (
            _("Re-checks overdue"),
            counts["rechecks_overdue"],
            f"{reverse('assistance:enrollment-list')}?recheck_overdue=on",
            True,
        )
    )
    return [Todo("assistance", section_title("assistance"), *item) for item in items]


def _eldercare(user: Any, today: datetime.date) -> list[Todo]:
    counts = eldercare_statistics.open_work(user=user, today=today)
    alerts = reverse("eldercare:alert-list")
    return [
        Todo("eldercare", section_title("eldercare"), _("Open alerts"), counts["open_alerts"], alerts, True),
        Todo(
            "eldercare",
            section_title("eldercare"),
            _("Hazards overdue for rectification"),
            counts["hazards_overdue"],
            f"{alerts}?kind=rectification_overdue",
            True,
        ),
    ]


def _marriage(user: Any, today: datetime.date) -> list[Todo]:
    counts = marriage_statistics.open_work(user=user, today=today)
    title = section_title("marriage")
    return [
        Todo(
            "marriage",
            title,
            _("Registrations today"),
            counts["registrations_today"],
            reverse("marriage:registrations"),
        ),
        Todo(
            "marriage",
            title,
            _("Divorces awaiting certificates"),
            counts["awaiting_certificate"],
            f"{reverse('marriage:divorces')}?phase=awaiting_certificate",
        ),
    ]


def _funeral(user: Any) -> list[Todo]:
    if not may(user, "decide_funeral"):
        return []
    counts = funeral_statistics.open_work(user=user)
    subsidies = reverse("funeral:subsidy-list")
    title = section_title("funeral")
    return [
        Todo(
            "funeral",
            title,
            _("Eco-burial subsidies to decide"),
            counts["to_decide"],
            f"{subsidies}?state=submitted",
        ),
        Todo(
            "funeral",
            title,
            _("Eco-burial subsidies to pay"),
            counts["to_pay"],
            f"{subsidies}?state=approved",
        ),
    ]


def _community(user: Any, today: datetime.date) -> list[Todo]:
    counts = community_statistics.open_work(user=user, today=today)
    title = section_title("community")
    return [
        Todo("community", title, _("Grade steps due"), counts["steps_due"], reverse("community:steps-due")),
        Todo(
            "community",
            title,
            _("Towns/streets below the staffing targets"),
            counts["towns_below_target"],
            reverse("community:staffing") + "?below_target=on",
            True,
        ),
    ]


def todos_for(user: Any, today: datetime.date) -> list[Todo]:
    """The user's to-dos, section by section, for the lines whose lists they may read."""
    items: list[Todo] = []
    if may(user, "read_assistance"):
        items += _assistance(user, today)
    if may(user, "read_eldercare"):
        items += _eldercare(user, today)
    if may(user, "read_marriage"):
        items += _marriage(user, today)
    if may(user, "read_funeral"):
        items += _funeral(user)
    if may(user, "read_community"):
        items += _community(user, today)
    return items
