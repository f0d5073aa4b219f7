"""The kernel's workflow engine: one way for every app to move a record from state to state.

An app declares its states and a table of transitions in its own ``workflow.py`` (a :class:`Workflow`);
services call :func:`take` for every step. ``take`` locks the row, checks the state, the role, the line of
work and the four-eyes rule, applies the change, writes the history row and the audit event, all in one
transaction. Pages and the API ask :func:`actions_for` which buttons and endpoints a user may use, so the
rules are never written a second time in a template or a view. (Modelled on django-oscar's
``Order.set_status`` and Zulip's ``do_*`` actions: check, change, history, audit, in one transaction.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from civil_affairs.accounts.lines import serves
from civil_affairs.accounts.permissions import user_has_role
from civil_affairs.audit.services import audit_record, diff, object_label
from civil_affairs.errors import Conflict

from .models import StateChange

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Transition:
    """One row of a transition table: from ``sources``, users of ``roles`` may take ``action`` to ``target``.

    ``decides`` marks a decision: whoever took any step of the record before it (filed, accepted,
    investigated, publicised, previewed…) may not take it, administrators included (SPEC §2.3, four eyes).
    """

    action: str
    label: str | Promise
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    decides: bool = False


@dataclass(frozen=True)
class Workflow:
    """A record type's states and transitions, and the line of work they belong to."""

    line: str
    transitions: Mapping[str, Transition]
    state_field: str = "state"
    # The states' labels, for messages (a TextChoices class).
    states: Any = None
    # The record's name in messages, e.g. "the application".
    noun: str | Promise = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def state_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except (TypeError, ValueError):
            return state


def _plain(value: Any) -> Any:
    """A value as the audit event records it: a related record by its id."""
    return value.pk if isinstance(value, models.Model) else value


def table(*transitions: Transition) -> dict[str, Transition]:
    return {t.action: t for t in transitions}


def took_a_step(obj: models.Model, user: Any) -> bool:
    """Whether ``user`` has taken any step of ``obj`` so far (the four-eyes rule asks this)."""
    if not getattr(user, "pk", None):
        return False
    return StateChange.objects.filter(
        object_type=object_label(obj), object_id=obj.pk, actor_id=user.pk
    ).exists()


def may_take(workflow: Workflow, transition: Transition, user: Any) -> bool:
    """Role and line of work: what does not depend on the record."""
    return user_has_role(user, transition.roles) and serves(user, workflow.line)


def actions_for(workflow: Workflow, obj: models.Model, user: Any) -> list[Transition]:
    """The transitions ``user`` may take on ``obj`` now: state, role, line and four eyes (for buttons)."""
    state = getattr(obj, workflow.state_field)
    candidates = [
        t for t in workflow.transitions.values() if state in t.sources and may_take(workflow, t, user)
    ]
    if any(t.decides for t in candidates) and took_a_step(obj, user):
        candidates = [t for t in candidates if not t.decides]
    return candidates


def check_may_take(workflow: Workflow, transition: Transition, user: Any) -> None:
    """403 when the role or the line of work does not allow the action at all.

    ``user=None`` is the system itself (a management command run on the server), which the table allows.
    """
    if user is None:
        return
    if not user_has_role(user, transition.roles):
        raise PermissionDenied(_("Your role may not do this."))
    if not serves(user, workflow.line):
        raise PermissionDenied(_("You do not serve this line of work."))


def check_four_eyes(obj: models.Model, user: Any) -> None:
    if took_a_step(obj, user):
        raise PermissionDenied(
            _("Four eyes: whoever took a step in this case may not decide it (SPEC §2.3).")
        )


def record_step(
    *,
    workflow: Workflow,
    obj: models.Model,
    action: str,
    actor: Any,
    from_state: str,
    to_state: str,
    note: str = "",
    changes: Mapping[str, Any] | None = None,
    audit_action: str | None = None,
) -> StateChange:
    """Write the history row and the audit event of a step (also for a record's creation, e.g. "submit";
    ``audit_action`` names such a step in the audit log, by default ``transition:<action>``)."""
    step = StateChange.objects.create(
        object_type=object_label(obj),
        object_id=obj.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=actor if getattr(actor, "pk", None) else None,
        note=note,
    )
    audit_record(
        actor=actor,
        action=audit_action or f"transition:{action}",
        obj=obj,
        changes={workflow.state_field: [from_state or None, to_state], **(changes or {})},
    )
    return step


def take(
    workflow: Workflow,
    obj: M,
    action: str,
    *,
    actor: Any,
    note: str = "",
    fields: Mapping[str, Any] | Callable[[M], Mapping[str, Any]] | None = None,
    check: Callable[[M], None] | None = None,
    effect: Callable[[M], Mapping[str, Any] | None] | None = None,
    explain_state: Callable[[M], str] | None = None,
) -> M:
    """Take ``action`` on ``obj`` as ``actor``, in one transaction; returns the locked, updated record.

    The row lock makes concurrent actions on one record serial: of two, the second sees the new state and
    answers 409. ``check(locked)`` adds the app's own rules (raising RuleViolation/Conflict); ``fields``
    are set on the record; ``effect(locked)`` runs last (e.g. creating an enrollment) and may return extra
    changes for the audit event; ``fields`` may be a function of the locked record, called once the checks
    passed (e.g. to draw a certificate number only when the action goes ahead); ``explain_state(locked)`` words the 409 when the state does not allow the
    action. A transition whose ``target`` is empty leaves the new state to ``fields`` (e.g. an outcome chosen
    on closing). A refusal changes nothing.
    """
    transition = workflow.transitions[action]
    check_may_take(workflow, transition, actor)
    with transaction.atomic():
        model = type(obj)
        locked: M = model._default_manager.select_for_update().get(pk=obj.pk)
        from_state = getattr(locked, workflow.state_field)
        if from_state not in transition.sources:
            if explain_state is not None:
                raise Conflict(explain_state(locked))
            raise Conflict(
                _("“%(action)s” is not allowed while %(noun)s is “%(state)s”.")
                % {
                    "action": transition.label,
                    "noun": workflow.noun or _("the record"),
                    "state": workflow.state_label(from_state),
                }
            )
        if transition.decides:
            check_four_eyes(locked, actor)
        if check is not None:
            check(locked)
        values = dict((fields(locked) if callable(fields) else fields) or {})
        before = {name: _plain(getattr(locked, name)) for name in values}
        for name, value in values.items():
            setattr(locked, name, value)
        if transition.target:
            setattr(locked, workflow.state_field, transition.target)
        to_state = getattr(locked, workflow.state_field)
        update_fields = list(dict.fromkeys([workflow.state_field, *values]))
        if any(f.name == "updated_at" for f in locked._meta.get_fields()):
            update_fields.append("updated_at")
        locked.save(update_fields=update_fields)
        changes = dict(diff(before, {name: _plain(value) for name, value in values.items()}))
        if effect is not None:
            changes.update(effect(locked) or {})
        record_step(
            workflow=workflow,
            obj=locked,
            action=action,
            actor=actor,
            from_state=from_state,
            to_state=to_state,
            note=note,
            changes=changes,
        )
    return locked


def history(obj: models.Model) -> Iterable[StateChange]:
    """The steps of a record, oldest first, with who took them."""
    return (
        StateChange.objects.filter(object_type=object_label(obj), object_id=obj.pk)
        .select_related("actor")
        .order_by("id")
    )
