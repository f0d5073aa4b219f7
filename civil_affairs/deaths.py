"""The death event: the one kernel door through which a recorded death reaches every line of work (SPEC §7).

The funeral app's service records a death and calls :func:`announce` inside its transaction. The person is
marked deceased first, then every handler that an app connected in its ``AppConfig.ready`` runs, in ``order``
(lowest first), in the same transaction: assistance ends or recomputes enrollments, elder care ends services,
marriage ends the marriage. Each handler writes its own audit events. A handler that refuses raises a
DomainError, and the whole death record is rolled back. The kernel never imports an app.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction


@dataclass(frozen=True)
class DeathEvent:
    person: Any  # civil_affairs.people.models.Person, locked for update
    date_of_death: datetime.date
    actor: Any


Handler = Callable[[DeathEvent], None]
_handlers: dict[str, tuple[int, Handler]] = {}


def connect(name: str, handler: Handler, *, order: int) -> None:
    """Register ``handler`` under ``name`` (connecting the same name again replaces it, so reloads are safe)."""
    _handlers[name] = (order, handler)


def handlers() -> list[tuple[str, Handler]]:
    """The connected handlers in the order they run."""
    return [
        (name, handler)
        for name, (_order, handler) in sorted(_handlers.items(), key=lambda i: (i[1][0], i[0]))
    ]


def announce(*, person: Any, date_of_death: datetime.date, actor: Any) -> DeathEvent:
    """Mark ``person`` deceased and let every connected app react, all in the caller's transaction."""
    from civil_affairs.people.services import person_mark_deceased

    with transaction.atomic():
        locked = person_mark_deceased(actor=actor, person=person, date_of_death=date_of_death)
        event = DeathEvent(person=locked, date_of_death=date_of_death, actor=actor)
        for _name, handler in handlers():
            handler(event)
    return event
