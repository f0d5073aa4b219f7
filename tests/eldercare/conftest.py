from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role, User
from eldercare.models import Facility, FacilityKind, Ownership

MINGSHUI_COMMUNITY = "370114001001"
SHUANGSHAN_COMMUNITY = "370114002001"


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    """The district's elder-care officer: a caseworker serving elder care only."""
    return make_user(Role.CASEWORKER, "370114", "eldercare_officer", lines=[Line.ELDERCARE])


@pytest.fixture
def make_facility(divisions: Any) -> Callable[..., Facility]:
    counter = iter(range(1, 10_000))

    def make(**overrides: Any) -> Facility:
        values: dict[str, Any] = {
            "name": f"养老院{next(counter)}",
            "kind": FacilityKind.NURSING_HOME,
            "division_id": MINGSHUI_COMMUNITY,
            "ownership": Ownership.PRIVATE,
            "beds": 100,
            "has_escrow_account": True,
        }
        values.update(overrides)
        return Facility.objects.create(**values)

    return make
