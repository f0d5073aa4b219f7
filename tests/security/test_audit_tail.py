"""Finding 8 of issue 8: the audit chain's tail cut, or the chain re-hashed, by someone with the tables' owner
rights (SPEC §2.4): keyed hashes, anchors outside the database, `verify_audit` failing, `check --deploy`."""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from civil_affairs.audit.models import AuditEvent
from civil_affairs.audit.services import (
    GENESIS_HASH,
    _normalise,
    anchor_head,
    audit_record,
    event_hash,
    verify_chain,
)
from civil_affairs.audit.tasks import anchor_audit_head
from civil_affairs.celery import app
from civil_affairs.people import services
from tests.helpers import database_url_for_subprocess
from tests.people.factories import PersonFactory

ROOT = Path(__file__).resolve().parents[2]
CONTENT_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "changes",
    "ip_address",
)


@pytest.fixture
def chain(caseworker):
    """Five chained events from ordinary work."""
    person = PersonFactory()
    for phone in ("1", "2", "3", "4", "5"):
        services.person_update(actor=caseworker, person=person, phone=phone)
    return list(AuditEvent.objects.order_by("id"))


@pytest.fixture
def anchor(django_capture_on_commit_callbacks):
    """anchor_head() as a job calls it after its commit (inside the test's transaction it waits for one)."""

    def run():
        with django_capture_on_commit_callbacks(execute=True):
            anchor_head()
        return AuditEvent.objects.order_by("-id").values_list("id", "hash").first()

    return run


def as_owner(*statements):
    """What the tables' owner can do: switch every trigger off, change the table, switch them on again."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER ALL")


def plain_sha256(event: dict, prev_hash: str) -> str:
    """The chain's hash as it was before AUDIT_KEY: anyone could compute it."""
    return event_hash(prev_hash=prev_hash, keyed=False, **{field: event[field] for field in CONTENT_FIELDS})


@pytest.mark.django_db
def test_cutting_the_newest_events_with_the_triggers_off_fails_verify_audit(chain, anchor, audit_anchor_file):
    anchor()
    assert f'"id":{chain[-1].pk},"hash":"{chain[-1].hash}"' in audit_anchor_file.read_text()
    call_command("verify_audit")  # intact and reaching its anchor

    as_owner(("DELETE FROM audit_auditevent WHERE id >= %s", [chain[-2].pk]))

    assert [event.pk for event in AuditEvent.objects.order_by("id")] == [event.pk for event in chain[:-2]]
    assert list(verify_chain()) == []  # what is left is a perfect chain: only the anchor tells
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_verify_audit_exits_non_zero_on_a_cut_tail(chain, settings):
    anchor_head()
    as_owner(("DELETE FROM audit_auditevent WHERE id = %s", [chain[-1].pk]))
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocess(),
        "AUDIT_KEY": settings.AUDIT_KEY,
        "AUDIT_ANCHOR_PATH": str(settings.AUDIT_ANCHOR_PATH),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "tail was cut" in result.stderr


@pytest.mark.django_db
def test_editing_an_event_and_rehashing_the_chain_without_the_key_is_detected(chain):
    """Before the key, whoever could write the table could edit an event and recompute every later hash."""
    events = list(AuditEvent.objects.order_by("id").values())
    events[1]["changes"] = _normalise({"phone": ["1", "forged"]})
    statements = []
    prev_hash = events[0]["hash"]
    for event in events[1:]:
        event["prev_hash"], event["hash"] = prev_hash, plain_sha256(event, prev_hash)
        statements.append(
            (
                "UPDATE audit_auditevent SET changes = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(event["changes"]), event["prev_hash"], event["hash"], event["id"]],
            )
        )
        prev_hash = event["hash"]
    as_owner(*statements)

    breaks = list(verify_chain())

    assert [b.event_id for b in breaks] == [event["id"] for event in events[1:]]
    assert all("edited" in b.reason for b in breaks)
    with pytest.raises(CommandError):
        call_command("verify_audit")


@pytest.mark.django_db
def test_events_from_before_the_key_still_verify_and_are_pinned_by_the_first_keyed_one(caseworker):
    """A portal upgraded with events hashed the old way: they keep their hashes, which the chain accepts
    only before its first keyed event."""
    prev_hash = GENESIS_HASH
    statements = []
    for number in range(3):
        event = audit_record(actor=caseworker, action="legacy", object_type="x.y", object_id=number)
        content = AuditEvent.objects.filter(pk=event.pk).values().get()
        legacy = plain_sha256(content, prev_hash)
        statements.append(
            (
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                [prev_hash, legacy, event.pk],
            )
        )
        prev_hash = legacy
    as_owner(*statements)
    keyed = audit_record(actor=caseworker, action="after_the_key", object_type="x.y", object_id=9)

    assert keyed.prev_hash == prev_hash
    assert list(verify_chain()) == []

    # A plain hash after the first keyed event is a forgery, not history.
    forged = audit_record(actor=caseworker, action="forged", object_type="x.y", object_id=10)
    content = AuditEvent.objects.filter(pk=forged.pk).values().get()
    as_owner(
        (
            "UPDATE audit_auditevent SET hash = %s WHERE id = %s",
            [plain_sha256(content, keyed.hash), forged.pk],
        )
    )
    assert [b.event_id for b in verify_chain()] == [forged.pk]


@pytest.mark.django_db
def test_the_head_is_anchored_once_per_change_in_an_append_only_file(
    chain, anchor, audit_anchor_file, caseworker
):
    anchor()
    anchor()  # unchanged head: nothing new
    audit_record(actor=caseworker, action="more", object_type="x.y", object_id=1)
    anchor()

    lines = [json.loads(line) for line in audit_anchor_file.read_text().splitlines()]
    newest = AuditEvent.objects.order_by("-id").first()
    assert [(line["id"], line["hash"]) for line in lines] == [
        (chain[-1].pk, chain[-1].hash),
        (newest.pk, newest.hash),
    ]
    assert {line["db"] for line in lines} == {connection.settings_dict["NAME"]}
    assert oct(audit_anchor_file.stat().st_mode & 0o777) == "0o600"


@pytest.mark.django_db
def test_anchors_of_another_database_in_the_same_file_are_not_this_ones(chain, audit_anchor_file):
    audit_anchor_file.write_text(
        json.dumps({"at": "x", "db": "another_database", "id": 10**9, "hash": "f" * 64}) + "\n"
    )

    call_command("verify_audit")  # no error: the other database's anchor is not this chain's


@pytest.mark.django_db
def test_a_garbled_anchor_file_fails_verify_audit(chain, anchor, audit_anchor_file):
    anchor()
    with audit_anchor_file.open("a") as file:
        file.write("not an anchor\n")

    with pytest.raises(CommandError):
        call_command("verify_audit")


@pytest.mark.django_db
def test_anchoring_inside_a_transaction_waits_for_the_commit(
    chain, audit_anchor_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        anchor_head()

    assert not audit_anchor_file.exists()
    assert len(callbacks) == 1


@pytest.mark.django_db(transaction=True)
def test_the_anchor_job_runs_on_a_real_worker(celery_worker_running, caseworker, audit_anchor_file):
    audit_record(actor=caseworker, action="work", object_type="x.y", object_id=1)
    newest = AuditEvent.objects.order_by("-id").first()

    assert anchor_audit_head.delay().get(timeout=30) == newest.pk
    assert json.loads(audit_anchor_file.read_text().splitlines()[-1])["hash"] == newest.hash


@pytest.mark.django_db(transaction=True)  # the scheduler closes its connection, as beat does
def test_beat_anchors_the_head_every_five_minutes():
    DatabaseScheduler(app=app)

    task = PeriodicTask.objects.get(name="anchor-audit-head")
    assert task.task == "civil_affairs.audit.tasks.anchor_audit_head"
    assert (task.crontab.minute, task.crontab.hour) == ("*/5", "*")


# --- check --deploy -------------------------------------------------------------------------------------


def deploy_check(database_url: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "-a-real-production-secret-" + "y" * 20,
        "AUDIT_KEY": hashlib.sha256(b"test audit key").hexdigest(),
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


@pytest.fixture
def app_role(transactional_db):
    """A login role that does not own the tables, as the README's production set-up makes one."""
    name = f"ca_app_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE ROLE "{name}" LOGIN')
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP ROLE "{name}"')


@pytest.mark.django_db(transaction=True)
def test_check_deploy_warns_when_the_portal_connects_as_the_tables_owner():
    result = deploy_check(database_url_for_subprocess())

    assert result.returncode != 0
    assert "audit.W001" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_check_deploy_is_clean_with_production_settings_and_a_role_that_does_not_own_the_tables(app_role):
    settings_dict = {**connection.settings_dict, "USER": app_role, "PASSWORD": ""}

    result = deploy_check(database_url_for_subprocess(settings_dict))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout  # audit.W003 would say the role could not even connect


def test_check_deploy_warns_without_an_audit_key(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "AUDIT_KEY")},
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "-a-real-production-secret-" + "y" * 20,
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )

    assert "audit.W002" in result.stderr
