"""What each role may do (SPEC §2.3), for the API and the pages alike.

A view names the roles allowed per action; reads of case data default to CASE_READERS.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .lines import serves
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


class RolePermission(BasePermission):
    """Reads ``view.roles_by_action`` ({action: roles}); unnamed reads need CASE_READERS, writes are refused."""

    message = "Your role may not do this."

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        roles_by_action: dict[str, Iterable[str]] = getattr(view, "roles_by_action", {})
        action = getattr(view, "action", None) or request.method.lower()
        line = getattr(view, "line", None)
        if request.method not in SAFE_METHODS and line is not None and not serves(request.user, line):
            self.message = _("You do not serve this line of work.")
            return False
        if action in roles_by_action:
            return user_has_role(request.user, roles_by_action[action])
        if request.method in SAFE_METHODS:
            return user_has_role(request.user, getattr(view, "read_roles", CASE_READERS))
        return False
