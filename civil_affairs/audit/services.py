"""Writing and checking the audit chain (SPEC §2.4). Every service that changes data calls :func:`audit_record`.

Each event's ``hash`` is an HMAC-SHA256, keyed with ``AUDIT_KEY``, over its content and the previous event's
hash: without the key nobody can re-hash the chain after an edit or a gap. Events written before the key was
introduced carry a plain SHA-256 over the same content; :func:`verify_chain` accepts that older scheme only for
the chain's first stretch, before the first keyed event, which pins them (its HMAC covers the last one's hash).
Re-hashing them under the key would have destroyed exactly the evidence the chain is for.

Cutting the newest events off leaves a chain that is intact as far as it goes, so its head (id, hash) is also
written outside the database, to the append-only file ``AUDIT_ANCHOR_PATH``, by :func:`anchor_head` (every 5
minutes from beat, and at the end of every batch job); :func:`verify_audit_log` checks that the chain still
reaches every anchor.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
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
    keyed: bool = True,
) -> str:
    """The event's hash: HMAC-SHA256 with ``AUDIT_KEY`` (``keyed=False``: the plain SHA-256 of events
    written before the key existed)."""
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
    ).encode()
    if not keyed:
        return hashlib.sha256(payload).hexdigest()
    return hmac.new(settings.AUDIT_KEY.encode(), payload, hashlib.sha256).hexdigest()


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


def verify_chain(chunk_size: int = 5000, anchors: Iterable[Anchor] = ()) -> Iterator[ChainBreak]:
    """Walk the chain in order and yield every place where it is broken, and every anchor it no longer
    reaches (an anchored event gone or changed, or a tail cut off after an anchor)."""
    anchored = {anchor.event_id: anchor for anchor in anchors}
    pending = sorted(anchored)  # anchored ids, met in order along the walk
    position = 0
    expected_prev = GENESIS_HASH
    keyed_seen = False
    last_id = 0
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
        event_id, stored_hash = event["id"], event["hash"]
        content: dict[str, Any] = {key: value for key, value in event.items() if key not in ("id", "hash")}
        while position < len(pending) and pending[position] < event_id:
            missing = anchored[pending[position]]
            yield ChainBreak(missing.event_id, f"the anchored event is missing ({missing.describe()})")
            position += 1
        if position < len(pending) and pending[position] == event_id:
            anchor = anchored[event_id]
            if anchor.hash != stored_hash:
                yield ChainBreak(event_id, f"the event is not the one anchored ({anchor.describe()})")
            position += 1
        last_id = event_id
        if event["prev_hash"] != expected_prev:
            yield ChainBreak(
                event_id, "previous hash does not match: an event before it was removed or changed"
            )
        if hmac.compare_digest(event_hash(**content), stored_hash):
            keyed_seen = True
        elif keyed_seen or not hmac.compare_digest(event_hash(**content, keyed=False), stored_hash):
            yield ChainBreak(
                event_id,
                "content does not match its hash: the event was edited (or AUDIT_KEY is not the key)",
            )
        expected_prev = stored_hash
    for event_id in pending[position:]:
        yield ChainBreak(
            event_id,
            f"the chain ends at event {last_id} but was anchored up to here ({anchored[event_id].describe()}): "
            "its tail was cut",
        )


# --- Anchors: the chain's head, written outside the database ---------------------------------------------


@dataclass(frozen=True)
class Anchor:
    event_id: int
    hash: str
    at: str = ""
    line: int = 0

    def describe(self) -> str:
        return f"anchored {self.at or 'at an unknown time'}, line {self.line} of the anchor file"


def _database_name() -> str:
    return str(connection.settings_dict["NAME"])


def _anchor_path(path: str | os.PathLike[str] | None) -> Path:
    return Path(path or settings.AUDIT_ANCHOR_PATH)


def read_anchors(path: str | os.PathLike[str] | None = None) -> tuple[list[Anchor], list[int]]:
    """This database's anchors in the file, and the numbers of lines that are not anchors at all.

    One file may hold several databases' anchors (a test run's next to the portal's); each line names its
    database and only this one's count.
    """
    anchors: list[Anchor] = []
    unreadable: list[int] = []
    file = _anchor_path(path)
    if not file.exists():
        return anchors, unreadable
    database = _database_name()
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
                anchor = Anchor(int(record["id"]), str(record["hash"]), str(record.get("at", "")), number)
                name = str(record["db"])
            except (ValueError, KeyError, TypeError):
                unreadable.append(number)
                continue
            if name == database:
                anchors.append(anchor)
    return anchors, unreadable


def _last_anchor(file: Path, database: str) -> tuple[int, str] | None:
    """The newest anchor of this database among the file's last lines (cheap on a long file)."""
    if not file.exists():
        return None
    with file.open("rb") as handle:
        handle.seek(max(0, file.stat().st_size - 16384))
        for raw in reversed(handle.read().splitlines()):
            try:
                record = json.loads(raw)
                if record["db"] == database:
                    return int(record["id"]), str(record["hash"])
            except (ValueError, KeyError, TypeError):
                continue
    return None


def anchor_head(path: str | os.PathLike[str] | None = None) -> tuple[int, str] | None:
    """Append the chain's head (id, hash) to the anchor file, unless it is already the last anchor.

    Call it at the end of every batch job. Inside a transaction it waits for the commit, so that it never
    anchors an event that is then rolled back.
    """
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _append_head(path))
        return None
    return _append_head(path)


def _append_head(path: str | os.PathLike[str] | None) -> tuple[int, str] | None:
    head = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if head is None:
        return None
    file, database = _anchor_path(path), _database_name()
    if _last_anchor(file, database) == head:
        return head
    record = {"at": timezone.now().isoformat(), "db": database, "id": head[0], "hash": head[1]}
    line = (json.dumps(record, separators=(",", ":")) + "\n").encode()
    file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(file, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(descriptor, line)  # one short write with O_APPEND: lines never interleave
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return head


@dataclass(frozen=True)
class AuditReport:
    breaks: list[ChainBreak]
    events: int
    anchors: int


def verify_audit_log(path: str | os.PathLike[str] | None = None) -> AuditReport:
    """The chain checked against itself and against every anchor of this database (``verify_audit``)."""
    anchors, unreadable = read_anchors(path)
    breaks = [ChainBreak(0, f"line {number} of the anchor file is not an anchor") for number in unreadable]
    breaks += list(verify_chain(anchors=anchors))
    return AuditReport(breaks=breaks, events=AuditEvent.objects.count(), anchors=len(anchors))
