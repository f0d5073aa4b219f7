"""What each role may do (SPEC §2.3), for the API and the pages alike.

A view names the roles allowed per action; reads of case data default to CASE_READERS.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .lines import Line, serves
from .models import Role

ALL_ROLES = frozenset(Role.values)
# Who may read case data: everyone but the dashboard-only viewer.
CASE_READERS = frozenset({Role.ADMINISTRATOR, Role.DISTRICT_REVIEWER, Role.CASEWORKER, Role.API_CLIENT})
# Who files and investigates cases.
CASE_WRITERS = frozenset({Role.ADMINISTRATOR, Role.CASEWORKER})
# Who decides cases.
DECIDERS = frozenset({Role.ADMINISTRATOR, Role.DISTRICT_REVIEWER})
# Who reads dashboards.
DASHBOARD_READERS = frozenset({Role.ADMINISTRATOR, Role.DISTRICT_REVIEWER, Role.VIEWER, Role.CASEWORKER})
ADMINISTRATORS = frozenset({Role.ADMINISTRATOR})


def user_has_role(user: Any, roles: Iterable[str]) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in set(roles))


# --- What a user may do, by name (for pages: templates ask these, never a role name) -------------------------


@dataclass(frozen=True)
class Ability:
    """One thing a user may do: the roles allowed, and the line of work it belongs to (``None``: kernel data
    every line shares, such as people)."""

    roles: frozenset[str]
    line: str | None = None


BATCH_READERS = DECIDERS | {Role.API_CLIENT}

ABILITIES: dict[str, Ability] = {
    # Every line: read its cases, work them (file, investigate, record), decide them.
    **{f"read_{line}": Ability(CASE_READERS, line) for line in Line.values},
    **{f"work_{line}": Ability(CASE_WRITERS, line) for line in Line.values},
    **{f"decide_{line}": Ability(DECIDERS, line) for line in Line.values},
    # The kernel.
    "read_people": Ability(CASE_READERS),
    "register_person": Ability(CASE_WRITERS),
    "correct_person": Ability(CASE_WRITERS),
    "read_audit_log": Ability(ADMINISTRATORS),
    # Social assistance.
    "file_application": Ability(CASE_WRITERS, Line.ASSISTANCE),
    "decide_application": Ability(DECIDERS, Line.ASSISTANCE),
    "read_district_jobs": Ability(BATCH_READERS, Line.ASSISTANCE),
    "run_district_jobs": Ability(DECIDERS, Line.ASSISTANCE),
    # Marriage registration.
    "register_marriage": Ability(CASE_WRITERS, Line.MARRIAGE),
}


def may(user: Any, what: str) -> bool:
    """Whether ``user`` may do ``what`` (a name in ABILITIES): the role, then the line of work (SPEC §2.3).

    An unknown name is a programming error (KeyError), never a silent "no".
    """
    ability = ABILITIES[what]
    return user_has_role(user, ability.roles) and serves(user, ability.line)


class RolePermission(BasePermission):
    """Reads ``view.roles_by_action`` ({action: roles}); unnamed reads need CASE_READERS, writes are refused."""

    message: Any = _("Your role may not do this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        roles_by_action: dict[str, Iterable[str]] = getattr(view, "roles_by_action", {})
        action = getattr(view, "action", None) or request.method.lower()
        line = getattr(view, "line", None)
        if request.method not in SAFE_METHODS and line is not None and not serves(request.user, line):
            self.message = str(_("You do not serve this line of work."))
            return False
        if action in roles_by_action:
            return user_has_role(request.user, roles_by_action[action])
        if request.method in SAFE_METHODS:
            return user_has_role(request.user, getattr(view, "read_roles", CASE_READERS))
        return False
