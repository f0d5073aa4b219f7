"""The embedded PostgreSQL runs with a production server's settings (README "Benchmarks"), applied once by
the process that starts it, and a stopped server starts again from the same process."""

from __future__ import annotations

import psycopg2
import pytest

from civil_affairs import embedded

MB = 2**20


@pytest.mark.parametrize(
    ("memory", "shared_buffers"),
    [(256 * MB, "128MB"), (2048 * MB, "512MB"), (4096 * MB, "1024MB"), (64 * 1024 * MB, "1024MB")],
)
def test_shared_buffers_are_a_quarter_of_memory_between_128_mb_and_1_gb(memory, shared_buffers):
    assert embedded.server_settings(memory) == {"shared_buffers": shared_buffers, "max_wal_size": "4GB"}


def test_a_new_server_starts_with_the_settings_and_restarts_after_a_stop(tmp_path, monkeypatch):
    monkeypatch.setattr(embedded, "VAR_DIR", tmp_path / "var")
    monkeypatch.setattr(embedded, "PGDATA", tmp_path / "var" / "pgdata")
    wanted = embedded.server_settings()
    try:
        url = embedded.ensure_postgres()
        with psycopg2.connect(url) as connection, connection.cursor() as cursor:
            for name, value in wanted.items():
                cursor.execute("SELECT pg_size_bytes(current_setting(%s)) = pg_size_bytes(%s)", [name, value])
                assert cursor.fetchone()[0], name
        embedded.stop_postgres()
        assert not embedded.postgres_running()
        assert embedded.ensure_postgres() == url
        assert embedded.postgres_running()
    finally:
        embedded.stop_postgres()
