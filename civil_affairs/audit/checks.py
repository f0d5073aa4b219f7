"""``manage.py check --deploy`` warnings for the audit log (SPEC §2.4).

The append-only triggers stop the application's own writes only if its database role cannot switch them off:
the tables' owner (or a superuser, or a member of the owner's role) can, delete the newest events, and leave
a chain that is intact as far as it goes. So production connects as a role that does not own the tables
(README, "Production").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError, connection


@register(Tags.security, deploy=True)
def database_role_does_not_own_the_audit_log(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT current_user, pg_get_userbyid(c.relowner), r.rolsuper,
                       pg_has_role(current_user, c.relowner, 'MEMBER')
                FROM pg_class c JOIN pg_roles r ON r.rolname = current_user
                WHERE c.oid = to_regclass('audit_auditevent')
                """
            )
            row = cursor.fetchone()
    except DatabaseError as error:
        return [
            Warning(
                f"Could not ask the database whether the application's role owns the audit log: {error}",
                id="audit.W003",
            )
        ]
    if row is None:
        return []  # not migrated yet
    role, owner, superuser, member = row
    if not (superuser or member):
        return []
    why = "is a superuser" if superuser else f"owns the tables (owner: {owner})"
    return [
        Warning(
            f"The application connects to PostgreSQL as {role}, which {why}: it can switch the audit log's "
            "append-only triggers off and delete events.",
            hint="Run migrations as the owner and the portal as a role without ownership "
            '(README, "Production").',
            id="audit.W001",
        )
    ]


@register(Tags.security, deploy=True)
def audit_key_is_set(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if getattr(settings, "AUDIT_KEY_FROM_ENVIRONMENT", False):
        return []
    return [
        Warning(
            "AUDIT_KEY is not set: the audit chain is keyed with a random key kept in var/, next to the data.",
            hint="Set AUDIT_KEY in the environment, kept away from the database and its backups.",
            id="audit.W002",
        )
    ]
