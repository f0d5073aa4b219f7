"""Writing and checking the audit chain. Every service that changes data calls :func:`audit_record`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from .context import client_address
from .models import AuditEvent

GENESIS_HASH = "0" * 64
# One advisory lock orders all writers, so each event links to the one committed before it.
_CHAIN_LOCK_KEY = 0x41554449  # "AUDI"


def _normalise(value: Any) -> Any:
    """JSON as PostgreSQL will give it back, so the hash is the same when it is checked."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def event_hash(
    *,
    prev_hash: str,
    occurred_at: Any,
    actor_id: int | None,
    actor_username: str,
    action: str,
    object_type: str,
    object_id: str,
    changes: Any,
    ip_address: str | None,
) -> str:
    payload = json.dumps(
        {
            "prev": prev_hash,
            "at": occurred_at.isoformat(),
            "actor": actor_id,
            "username": actor_username,
            "action": action,
            "type": object_type,
            "id": object_id,
            "changes": changes,
            "ip": ip_address,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def object_label(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    changes: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event (who, when, what, which action, before/after, from where) to the chain."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    actor_username = actor.get_username() if actor_id else ""
    if obj is not None:
        object_type = object_type or object_label(obj)
        object_id = obj.pk if object_id is None else object_id
    fields = {
        "occurred_at": timezone.now(),
        "actor_id": actor_id,
        "actor_username": actor_username,
        "action": action,
        "object_type": object_type or "",
        "object_id": "" if object_id is None else str(object_id),
        "changes": _normalise(dict(changes or {})),
        "ip_address": client_address.get(),
    }
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        prev_hash = last or GENESIS_HASH
        return AuditEvent.objects.create(
            prev_hash=prev_hash, hash=event_hash(prev_hash=prev_hash, **fields), **fields
        )


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields whose value changed, as {field: [before, after]}."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    reason: str


def verify_chain(chunk_size: int = 5000) -> Iterator[ChainBreak]:
    """Walk the chain in order and yield every place where it is broken."""
    expected_prev = GENESIS_HASH
    events = AuditEvent.objects.order_by("id").values(
        "id",
        "occurred_at",
        "actor_id",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "changes",
        "ip_address",
        "prev_hash",
        "hash",
    )
    for event in events.iterator(chunk_size=chunk_size):
        if event["prev_hash"] != expected_prev:
            yield ChainBreak(
                event["id"], "previous hash does not match: an event before it was removed or changed"
            )
        recomputed = event_hash(
            prev_hash=event["prev_hash"],
            occurred_at=event["occurred_at"],
            actor_id=event["actor_id"],
            actor_username=event["actor_username"],
            action=event["action"],
            object_type=event["object_type"],
            object_id=event["object_id"],
            changes=event["changes"],
            ip_address=event["ip_address"],
        )
        if recomputed != event["hash"]:
            yield ChainBreak(event["id"], "content does not match its hash: the event was edited")
        expected_prev = event["hash"]
