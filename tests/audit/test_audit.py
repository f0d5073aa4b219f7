"""The audit log: written by every change, append-only in PostgreSQL, hash-chained (SPEC §2.4)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from civil_affairs.accounts.models import Role
from civil_affairs.audit.models import AuditEvent
from civil_affairs.audit.services import GENESIS_HASH, audit_record, verify_chain
from civil_affairs.people import services
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(caseworker):
    """Three chained events."""
    person = PersonFactory()
    for phone in ("1", "2", "3"):
        services.person_update(actor=caseworker, person=person, phone=phone)
    return list(AuditEvent.objects.order_by("id"))


def as_owner(sql, params=()):
    """Tamper as the database owner would: switch the append-only trigger off for one statement."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks, so the table may be altered
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def test_a_change_writes_who_what_and_before_after(caseworker):
    person = PersonFactory(name="旧名")

    services.person_update(actor=caseworker, person=person, name="新名")

    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_username, event.action) == (caseworker.pk, "mingshui", "update")
    assert (event.object_type, event.object_id) == ("people.person", str(person.pk))
    assert event.changes == {"name": ["旧名", "新名"]}


def test_events_link_to_the_previous_hash(chain):
    assert chain[0].prev_hash == GENESIS_HASH
    assert [event.prev_hash for event in chain[1:]] == [event.hash for event in chain[:-1]]
    assert list(verify_chain()) == []


def test_update_from_the_application_connection_fails(chain):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=chain[0].pk).update(action="forged")
    assert AuditEvent.objects.get(pk=chain[0].pk).action == "update"


def test_delete_from_the_application_connection_fails(chain):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 3


def test_orm_delete_of_one_event_fails(chain):
    with pytest.raises(DatabaseError), transaction.atomic():
        chain[1].delete()


def test_verify_detects_an_edited_event(chain):
    as_owner('UPDATE audit_auditevent SET changes = \'{"phone": ["1", "9"]}\' WHERE id = %s', [chain[1].pk])

    breaks = list(verify_chain())

    assert [b.event_id for b in breaks] == [chain[1].pk]
    assert "edited" in breaks[0].reason


def test_verify_detects_a_removed_event(chain):
    as_owner("DELETE FROM audit_auditevent WHERE id = %s", [chain[1].pk])

    breaks = list(verify_chain())

    assert [b.event_id for b in breaks] == [chain[2].pk]
    assert "removed" in breaks[0].reason


def test_verify_audit_command_exits_non_zero_on_a_break(chain):
    call_command("verify_audit")  # intact: no error
    as_owner("UPDATE audit_auditevent SET actor_username = 'someone' WHERE id = %s", [chain[0].pk])

    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


def test_request_address_is_recorded(client, caseworker):
    person = PersonFactory()
    client.force_login(caseworker)

    client.post(f"/people/{person.pk}/id-number/", REMOTE_ADDR="10.1.2.3")

    assert AuditEvent.objects.get(action="view_full_id").ip_address == "10.1.2.3"


def test_audit_events_api_is_for_administrators_only(api_as, make_user, chain):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    reviewer = make_user(Role.DISTRICT_REVIEWER, "370114")

    assert api_as(reviewer).get("/api/v1/audit-events/").status_code == 403
    response = api_as(admin).get(
        "/api/v1/audit-events/", {"object_type": "people.person", "action": "update"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 3


def test_audit_events_filter_by_user(api_as, make_user, chain, caseworker):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    audit_record(actor=admin, action="custom", object_type="x.y", object_id=1)

    response = api_as(admin).get("/api/v1/audit-events/", {"actor": caseworker.pk})

    assert {row["actor_username"] for row in response.json()["results"]} == {"mingshui"}


def test_audit_events_api_cannot_change_events(api_as, make_user, chain):
    admin = make_user(Role.ADMINISTRATOR, "370114")
    client = api_as(admin)

    assert client.delete(f"/api/v1/audit-events/{chain[0].pk}/").status_code in (403, 405)
    assert client.patch(
        f"/api/v1/audit-events/{chain[0].pk}/", {"action": "x"}, format="json"
    ).status_code in (403, 405)
    assert AuditEvent.objects.get(pk=chain[0].pk).action == "update"
    assert AuditEvent.objects.count() == 3
