"""/healthz (SPEC §1) and production settings (SPEC §10)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from civil_affairs.web import tasks as _worker_side  # noqa: F401  (the heartbeat receiver, as in a worker)
from civil_affairs.web.health import _redis_client, heartbeat_key
from tests.helpers import wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert (body["database"], body["redis"]) == ("ok", "ok")
    assert body["celery"] in ("ok", "no worker")


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["redis"] == "down"


@pytest.fixture
def no_heartbeat():
    """No worker has beaten lately (a worker of an earlier test may have)."""
    _redis_client().delete(heartbeat_key())


@pytest.fixture
def beating_worker(transactional_db):
    """A real Celery worker thread with its heartbeat on, as `celery worker` runs it (the shared
    celery_worker_running fixture switches heartbeats off)."""
    from celery.contrib.testing.worker import start_worker

    from civil_affairs.celery import app

    _redis_client().delete(heartbeat_key())
    with start_worker(app, pool="solo", perform_ping_check=False, without_heartbeat=False) as worker:
        yield worker


@pytest.mark.django_db(transaction=True)
def test_healthz_sees_a_running_worker_by_its_heartbeat(client, beating_worker):
    wait_for(lambda: client.get("/healthz").json()["celery"] == "ok", timeout=20)

    assert _redis_client().ttl(heartbeat_key()) > 0  # it lapses on its own when the worker stops


@pytest.mark.django_db
def test_healthz_says_no_worker_once_the_heartbeat_has_lapsed(client, no_heartbeat):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "celery": "no worker"}


@pytest.mark.django_db
def test_healthz_answers_in_milliseconds_without_a_worker(client, no_heartbeat, monkeypatch):
    """Issue 8, finding 4: each call used to wait a whole second for a broadcast ping nobody answered,
    holding one of the two web workers; ten anonymous loops slowed every page down."""
    from civil_affairs.celery import app

    def no_broadcasts(*args, **kwargs):
        raise AssertionError("/healthz must not broadcast to the workers")

    monkeypatch.setattr(app.control, "ping", no_broadcasts)
    client.get("/healthz")  # connections made
    started = time.perf_counter()

    answers = [client.get("/healthz") for _ in range(20)]

    elapsed = time.perf_counter() - started
    assert all(answer.json()["celery"] == "no worker" for answer in answers)
    assert elapsed < 1.0, f"20 health checks took {elapsed:.2f} s"


def test_healthz_is_503_when_the_database_is_down(settings):
    # A separate process whose DATABASE_URL points where no PostgreSQL listens.
    script = (
        "import django, json; django.setup(); from django.test import Client;"
        "r = Client().get('/healthz'); print(r.status_code, json.dumps(r.json()))"
    )
    env = {
        **os.environ,
        "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/nothing",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "civil_affairs.settings",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "testserver",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )

    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert status == "503"
    assert json.loads(body) == {"database": "down", "redis": "ok", "celery": json.loads(body)["celery"]}


# `check --deploy` with production settings: tests/security/test_audit_tail.py (it needs a role that does not own
# the tables, SPEC §2.4).
