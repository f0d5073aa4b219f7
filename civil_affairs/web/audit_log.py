"""The audit log as people read it (issue 14 #5): actions and record types in the portal's language, changes
as "field: before → after" with the fields' own names and choices' labels.

The events keep what services wrote (``action``, ``object_type`` = ``app_label.model``, ``changes`` =
``{field: [before, after]}``); only the page translates them. A workflow step (``transition:<action>``) reads as
the transition's label in that app's workflow table; anything unknown reads as recorded.
"""

from __future__ import annotations

import datetime
import importlib
import importlib.util
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from civil_affairs.audit.models import AuditEvent
from civil_affairs.web.formatting import MISSING, as_decimal, moment
from civil_affairs.workflow.engine import Workflow

TRANSITION_PREFIX = "transition:"

# The verbs services write (audit_record(action=…)); a workflow step's label comes from its workflow table.
ACTION_LABELS: dict[str, Promise] = {
    "create": pgettext_lazy("audit action", "Created"),
    "update": pgettext_lazy("audit action", "Changed"),
    "delete": pgettext_lazy("audit action", "Deleted"),
    "export": pgettext_lazy("audit action", "Exported"),
    "view_full_id": pgettext_lazy("audit action", "Viewed the full ID number"),
    "revoke_token": pgettext_lazy("audit action", "Revoked the API token"),
    "load_demo": pgettext_lazy("audit action", "Loaded demo data"),
    "demo_load": pgettext_lazy("audit action", "Loaded demo data"),
    "death": pgettext_lazy("audit action", "Recorded the death"),
    "ended_by_death": pgettext_lazy("audit action", "Ended by a death"),
    "recompute_after_death": pgettext_lazy("audit action", "Recomputed after a death"),
    "child_turned_18": pgettext_lazy("audit action", "A child turned 18"),
    "submit": pgettext_lazy("audit action", "Submitted"),
    "file": pgettext_lazy("audit action", "Filed"),
    "extend_decision": pgettext_lazy("audit action", "Extended the decision deadline"),
    "run": pgettext_lazy("audit action", "Started the run"),
    "preview": pgettext_lazy("audit action", "Previewed"),
    "complete": pgettext_lazy("audit action", "Completed"),
    "fail": pgettext_lazy("audit action", "Failed"),
    "raise": pgettext_lazy("audit action", "Raised an alert"),
    "raise_alerts": pgettext_lazy("audit action", "Raised alerts"),
    "close": pgettext_lazy("audit action", "Closed"),
    "reopen": pgettext_lazy("audit action", "Reopened"),
    "end": pgettext_lazy("audit action", "Ended"),
    "rectify": pgettext_lazy("audit action", "Recorded the rectification"),
    "allocate": pgettext_lazy("audit action", "Allocated a plot"),
    "annul": pgettext_lazy("audit action", "Recorded the court ruling"),
    "dissolve": pgettext_lazy("audit action", "Dissolved"),
    "reissue": pgettext_lazy("audit action", "Issued the certificate again"),
    "record_session": pgettext_lazy("audit action", "Recorded a session"),
    "recalculate_periods": pgettext_lazy("audit action", "Recalculated the periods"),
    "lapse": pgettext_lazy("audit action", "Lapsed"),
    "donation": pgettext_lazy("audit action", "Recorded a donation"),
    "disbursement": pgettext_lazy("audit action", "Recorded a disbursement"),
}


@cache
def _workflow_labels() -> dict[tuple[str, str], Any]:
    """(app_label, action) → the transition's label, from every app's ``workflow.py``."""
    labels: dict[tuple[str, str], Any] = {}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.workflow"
        if importlib.util.find_spec(module_name) is None:
            continue
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, Workflow):
                for transition in value.transitions.values():
                    labels.setdefault((config.label, transition.action), transition.label)
    return labels


def action_label(action: str, object_type: str = "") -> str:
    """``transition:approve`` on ``funeral.burialsubsidy`` → "批准"; ``view_full_id`` → "查看完整身份证号码"."""
    verb = action.removeprefix(TRANSITION_PREFIX)
    app_label = object_type.split(".", 1)[0]
    if action.startswith(TRANSITION_PREFIX):
        label = _workflow_labels().get((app_label, verb))
        if label is None:
            label = next((text for (_app, name), text in _workflow_labels().items() if name == verb), None)
        if label is not None:
            return str(label)
    if verb in ACTION_LABELS:
        return str(ACTION_LABELS[verb])
    return action


def model_for(object_type: str) -> type[models.Model] | None:
    app_label, _dot, model_name = object_type.partition(".")
    if not model_name:
        return None
    try:
        return apps.get_model(app_label, model_name)
    except LookupError:
        return None


def object_type_label(object_type: str) -> str:
    """``people.person`` → "人员"; an app's own label (``community``) → the app's name; else as recorded."""
    model = model_for(object_type)
    if model is not None:
        return str(model._meta.verbose_name)
    try:
        return str(apps.get_app_config(object_type).verbose_name)
    except LookupError:
        return object_type


def object_type_choices() -> list[tuple[str, str]]:
    """Every kind of record the portal keeps, by its name: the audit log's filter."""
    choices = []
    for model in apps.get_models():
        if model._meta.app_label in {"auth", "contenttypes", "sessions", "admin"}:
            continue
        choices.append((model._meta.label_lower, str(model._meta.verbose_name)))
    return sorted(choices, key=lambda choice: choice[1])


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


# Related records named in a change read by their own name; others by their number (no query per row).
NAMED_RELATIONS = frozenset({"people.person", "divisions.division", "accounts.user"})
Names = dict[tuple[str, str], str]


def _related_label(field: models.Field | None) -> str | None:
    if field is None or not field.is_relation or field.related_model is None:
        return None
    return field.related_model._meta.label_lower  # type: ignore[union-attr]


def _readable(value: Any, field: models.Field | None, names: Names | None = None) -> str:
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.choices:
        choices = {str(key): label for key, label in field.flatchoices}
        if str(value) in choices:
            return str(choices[str(value)])
    related = _related_label(field)
    if related is not None:
        return (names or {}).get((related, str(value)), f"#{value}")
    if isinstance(field, models.DecimalField):
        figure = as_decimal(value)
        if figure is not None:
            return f"{figure:,.{field.decimal_places or 0}f}"
    if isinstance(value, str) and "T" in value:
        moment_value = parse_datetime(value)
        if moment_value is not None:
            return moment(moment_value)
    if isinstance(value, datetime.date):
        return moment(value)
    if isinstance(value, list):
        return "、".join(_readable(item, None) for item in value) or MISSING
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    before: str | None  # None: the event recorded a value, not a change
    after: str


def _recorded(event: AuditEvent) -> dict[str, Any]:
    return event.changes if isinstance(event.changes, dict) else {"": event.changes}


def related_names(events: Any) -> Names:
    """The names of the people, divisions and users the events' changes point at: one query per kind."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        model = model_for(event.object_type)
        for name, value in _recorded(event).items():
            related = _related_label(_field(model, name))
            if related not in NAMED_RELATIONS:
                continue
            values = value if isinstance(value, list | tuple) and len(value) == 2 else [value]
            wanted.setdefault(related, set()).update(str(v) for v in values if v not in (None, ""))
    names: Names = {}
    for label, keys in wanted.items():
        related_model = apps.get_model(label)
        try:
            found = related_model._default_manager.in_bulk(list(keys))
        except (ValueError, TypeError, ValidationError):  # a value that is not a key of that model
            continue
        for key, obj in found.items():
            names[(label, str(key))] = str(obj)
    return names


def changes(event: AuditEvent, names: Names | None = None) -> list[Change]:
    """The event's changes as "field: before → after", fields by their verbose names."""
    model = model_for(event.object_type)
    rows = []
    for name, value in _recorded(event).items():
        field = _field(model, name)
        label = str(field.verbose_name) if field is not None else name
        if isinstance(value, list | tuple) and len(value) == 2:
            rows.append(Change(label, _readable(value[0], field, names), _readable(value[1], field, names)))
        else:
            rows.append(Change(label, None, _readable(value, field, names)))
    return rows


def user_label(user: Any, username: str = "") -> str:
    """ "明水街道经办人（mingshui_caseworker）": the name people know, and the account it was."""
    if user is None:
        return username or MISSING
    full_name = user.get_full_name()
    name = user.get_username()
    return f"{full_name}（{name}）" if full_name and full_name != name else name


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    user: str
    action: str
    object_type: str
    changes: list[Change]


def entries(events: Any) -> list[Entry]:
    """The events of a page (loaded with ``select_related("actor")``) as people read them."""
    events = list(events)
    names = related_names(events)
    return [
        Entry(
            event=event,
            user=user_label(event.actor, event.actor_username),
            action=action_label(event.action, event.object_type),
            object_type=object_type_label(event.object_type),
            changes=changes(event, names),
        )
        for event in events
    ]
