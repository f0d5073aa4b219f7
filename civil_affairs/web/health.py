"""``GET /healthz`` (SPEC §1): the database, Redis and whether a Celery worker answers."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from civil_affairs.celery import app as celery_app


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError:
        return "down"


def _redis() -> str:
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except redis.RedisError:
        return "down"


def _celery() -> str:
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except (OSError, redis.RedisError):
        return "no worker"
    return "ok" if replies else "no worker"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = {"database": _database(), "redis": _redis()}
    report["celery"] = _celery() if report["redis"] == "ok" else "no worker"
    healthy = report["database"] == "ok" and report["redis"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)
