"""/healthz (SPEC §1) and production settings (SPEC §10)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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


@pytest.mark.django_db(transaction=True)
def test_healthz_sees_a_running_worker(client, celery_worker_running):
    assert client.get("/healthz").json()["celery"] == "ok"


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


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x" * 20 + "-a-real-production-secret-" + "y" * 20,
        "ALLOWED_HOSTS": "portal.example.gov.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
