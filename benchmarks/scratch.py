"""What the benchmarks share: a scratch database on the server of DATABASE_URL (or, when it is unset, on
the embedded PostgreSQL under var/, started if needed and stopped again if this run started it, as
``manage.py`` does), migrated and filled with N enrollments set-based (``INSERT … SELECT
generate_series``), a copy of it for the floors, and a timer.

The project's job runs in the scratch database and the floors in a byte-for-byte copy made from it as a
template just before, so both start from the same data in the same physical layout. Autovacuum is off
on the benchmarked tables, so neither measurement is disturbed by a vacuum of the other's changes.

Two floors are measured in the same run (SPEC §10): ``floor_s``, the job's work as one plain statement on
the project's own tables, and ``physical_floor_s``, the same rows written into a table that holds only the
columns they need and a primary key (``physical_table``), which is what the hardware and PostgreSQL cost
without the project's schema.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

# Demo standards in force from 1 January 2024 (demo figures, as assistance/demo.py).
STANDARDS = {
    "dibao_urban": "1010.00",
    "dibao_rural": "865.00",
    "tekun_urban": "1313.00",
    "tekun_rural": "1125.00",
    "orphan_institution": "2000.00",
    "orphan_community": "1500.00",
    "unsupported_child": "1500.00",
    "disability_living": "100.00",
    "disability_care": "100.00",
}
BENCHMARKED_TABLES = ["assistance_enrollment", "assistance_enrollmentamount", "assistance_payment"]


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--enrollments", type=int, default=1_000_000, help="how many (default 1,000,000)")
    return parser.parse_args()


def report(enrollments: int, project_s: float, floor_s: float, physical_floor_s: float) -> None:
    """The one JSON line on standard output."""
    line = {
        "enrollments": enrollments,
        "project_s": round(project_s, 3),
        "floor_s": round(floor_s, 3),
        "physical_floor_s": round(physical_floor_s, 3),
        "ratio": round(project_s / floor_s, 2),
        "physical_ratio": round(project_s / physical_floor_s, 2),
    }
    print(json.dumps(line), flush=True)


def note(message: str) -> None:
    """Progress and details on standard error, so standard output is the JSON line alone."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def timed(label: str) -> Iterator[Callable[[], float]]:
    started = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0]
    elapsed.append(time.perf_counter() - started)
    note(f"{label}: {elapsed[0]:.2f} s")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


class Server:
    """The PostgreSQL server of DATABASE_URL, where the scratch databases are made and dropped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.admin = psycopg2.connect(_with_database(url, "postgres"))
        self.admin.autocommit = True
        self.version = self.admin.server_version

    def execute(self, statement: sql.Composable) -> None:
        with self.admin.cursor() as cursor:
            cursor.execute(statement)

    def create(self, name: str, template: str | None = None) -> str:
        if template is None:
            self.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        else:
            # FILE_COPY (PostgreSQL 15+) copies the files instead of writing them all to the WAL.
            strategy = sql.SQL(" STRATEGY = FILE_COPY") if self.version >= 150000 else sql.SQL("")
            self.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}{}").format(
                    sql.Identifier(name), sql.Identifier(template), strategy
                )
            )
        return _with_database(self.url, name)

    def drop(self, name: str) -> None:
        self.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def server_url() -> tuple[str, Callable[[], None] | None]:
    """DATABASE_URL, else the embedded PostgreSQL (started if needed), with what stops it again if this run
    started it."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None
    from civil_affairs import embedded

    stop = None if embedded.postgres_running() else embedded.stop_postgres
    url = embedded.ensure_postgres()
    note(f"DATABASE_URL unset: the embedded PostgreSQL under {embedded.PGDATA}")
    return url, stop


@contextmanager
def scratch_project() -> Iterator[tuple[Server, str]]:
    """A fresh database ``bench_<pid>``, migrated, with Django set up on it; dropped at the end."""
    url, stop_server = server_url()
    server = Server(url)
    note(f"PostgreSQL {server.version // 10000}.{server.version % 10000}, {os.cpu_count()} cores")
    name = f"bench_{os.getpid()}"
    anchors = tempfile.TemporaryDirectory(prefix="bench-anchors-")
    try:
        os.environ["DATABASE_URL"] = server.create(name)
        # The jobs never touch Redis here; an address keeps settings from starting an embedded one.
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civil_affairs.settings")
        # The jobs anchor the audit chain at their end: not in the project's own anchor file.
        os.environ["AUDIT_ANCHOR_PATH"] = os.path.join(anchors.name, "audit-anchors.log")
        import django

        django.setup()
        from django.core.management import call_command

        for app in ("audit", "assistance"):
            call_command("migrate", app, verbosity=0, skip_checks=True)
        yield server, name
    finally:
        from django.db import connections

        connections.close_all()
        server.drop(name)
        server.drop(f"{name}_floor")
        server.admin.close()
        anchors.cleanup()
        if stop_server is not None:
            stop_server()


def run_sql(statements: str | list[str], params: dict[str, Any] | None = None) -> None:
    """Run statements on Django's connection, outside any transaction (VACUUM needs that)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for statement in [statements] if isinstance(statements, str) else statements:
            cursor.execute(statement, params)


def fill(enrollments: int) -> None:
    """N households and N enrollments across the nine categories and the district's villages, with
    their income snapshot, the amount from the standards (rules.monthly_amount in SQL) and one history
    row; 94% active, 4% suspended (with their suspension period), 2% terminated. Set-based, so a million rows take seconds."""
    from assistance.jobs import AMOUNT_SQL, _gap_categories
    from civil_affairs import demo

    demo.load_divisions()
    run_sql(
        "INSERT INTO assistance_standard (category, monthly_amount, effective_from, is_demo, created_at)"
        " SELECT category, amount::numeric, DATE '2024-01-01', true, now()"
        " FROM unnest(%(categories)s::varchar[], %(amounts)s::varchar[]) AS s(category, amount)",
        {"categories": list(STANDARDS), "amounts": list(STANDARDS.values())},
    )
    run_sql([f"ALTER TABLE {table} SET (autovacuum_enabled = false)" for table in BENCHMARKED_TABLES])
    run_sql(
        """
        INSERT INTO assistance_household (division_id, address, created_at, updated_at)
        SELECT villages.codes[1 + i %% cardinality(villages.codes)], 'household ' || i, now(), now()
        FROM generate_series(1, %(n)s) AS i,
             (SELECT array_agg(code ORDER BY code) AS codes FROM divisions_division WHERE level = 'village') AS villages
        """,
        {"n": enrollments},
    )
    run_sql(
        f"""
        INSERT INTO assistance_enrollment (household_id, division_id, category, total_income, member_count,
            covered_count, monthly_amount, start, "end", status, status_reason, next_review, created_at, updated_at,
            payee, bank_account, bank_name)
        SELECT h.id, h.division_id, e.category, e.total_income, e.member_count, e.covered_count,
               {AMOUNT_SQL.format(standard="s.monthly_amount")},
               DATE '2024-01-01' + (h.id %% 6) * INTERVAL '1 month',
               CASE WHEN h.id %% 50 = 0 THEN DATE '2024-05-31' END,
               CASE WHEN h.id %% 50 = 0 THEN 'terminated' WHEN h.id %% 25 = 1 THEN 'suspended' ELSE 'active' END,
               '', DATE '2025-01-01', now(), now(),
               'payee ' || h.id, '6228480' || lpad(h.id::text, 12, '0'), 'bank'
        FROM assistance_household AS h
        CROSS JOIN LATERAL (
            SELECT (ARRAY['dibao_rural', 'dibao_rural', 'dibao_urban', 'dibao_rural', 'tekun_rural',
                          'disability_living', 'disability_care', 'dibao_urban', 'tekun_urban', 'dibao_rural',
                          'orphan_community', 'unsupported_child', 'disability_living', 'orphan_institution',
                          'dibao_rural', 'disability_care'])[1 + h.id %% 16]::varchar AS category,
                   1 + (h.id * 7) %% 4 AS member_count,
                   1 + (h.id * 7) %% 4 - (h.id %% 2) * ((h.id * 7) %% 4 / 2) AS covered_count,
                   ((h.id * 37) %% 2400 + (h.id %% 100) / 100.0)::numeric(12, 2) AS total_income
        ) AS e
        JOIN assistance_standard AS s ON s.category = e.category
        """,  # noqa: S608 (the formula is a constant)
        {"gap_categories": _gap_categories()},
    )
    run_sql(
        [
            "INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from)"
            " SELECT id, monthly_amount, start FROM assistance_enrollment",
            # The suspended ones since their start, as the suspend service records it.
            'INSERT INTO assistance_enrollmentsuspension (enrollment_id, start, "end", reason, created_at)'
            " SELECT id, start, NULL, '', now() FROM assistance_enrollment WHERE status = 'suspended'",
        ]
    )
    run_sql("VACUUM ANALYZE")


def clone_for_floor(server: Server, name: str) -> str:
    """A copy of the scratch database, made while nothing is connected to it."""
    from django.db import connections

    run_sql("CHECKPOINT")
    connections.close_all()
    return server.create(f"{name}_floor", template=name)


def floor_connection(url: str) -> Any:
    """A connection to the floors' copy. JIT compilation is off, as in the jobs (assistance.jobs), so that
    neither floor is slowed by it where the server offers it."""
    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
        cursor.execute("CHECKPOINT")
    connection.commit()
    return connection


def physical_table(cursor: Any, name: str, columns: str, primary_key: str, source: str | None = None) -> None:
    """A plain table ``name`` of the given columns and a primary key, nothing else (no other index, no
    foreign key, default fill factor), optionally filled from ``source`` (a SELECT) and vacuumed; then a
    checkpoint, so the timed write starts as the project's does."""
    cursor.execute(f"CREATE TABLE {name} ({columns}, PRIMARY KEY ({primary_key}))")
    if source is not None:
        cursor.execute(f"INSERT INTO {name} {source}")
    cursor.connection.commit()
    autocommit = cursor.connection.autocommit
    cursor.connection.autocommit = True
    cursor.execute(f"VACUUM ANALYZE {name}")
    cursor.execute("CHECKPOINT")
    cursor.connection.autocommit = autocommit


def checksum(cursor: Any, query: str) -> tuple[Any, ...]:
    cursor.execute(query)
    return tuple(cursor.fetchone())
