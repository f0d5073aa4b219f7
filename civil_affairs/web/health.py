"""``GET /healthz`` (SPEC §1): the database, Redis and whether a Celery worker is alive, in milliseconds.

A worker's liveness is read from a heartbeat key in Redis, which every worker refreshes on each of its
heartbeats (every 2 s, civil_affairs/web/tasks.py) with a time-to-live of ``HEALTH_WORKER_HEARTBEAT_TTL``
seconds. The check never asks the workers themselves: a broadcast ping waits for replies (a whole second
when none is running), so any anonymous caller could hold the web workers with it.
"""

from __future__ import annotations

import time

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

HEARTBEAT_TTL = 30  # seconds; a worker beats every 2 s
_TIMEOUT = 0.5  # seconds, to connect to Redis and for each command
_clients: dict[str, redis.Redis] = {}


def _redis_client() -> redis.Redis:
    url = settings.REDIS_URL
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=_TIMEOUT, socket_timeout=_TIMEOUT)
    return _clients[url]


def heartbeat_key() -> str:
    """One key per deployment's queue, so two portals sharing a Redis do not vouch for each other."""
    return f"civil_affairs:worker_heartbeat:{settings.CELERY_TASK_DEFAULT_QUEUE}"


def record_worker_heartbeat() -> None:
    """Called in the worker on each heartbeat: "a worker was alive just now", for the TTL's length."""
    ttl = int(getattr(settings, "HEALTH_WORKER_HEARTBEAT_TTL", HEARTBEAT_TTL))
    _redis_client().set(heartbeat_key(), f"{time.time():.3f}", ex=ttl)


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError:
        return "down"


def _redis_and_worker() -> tuple[str, str]:
    """Redis answers (one round trip), and whether a worker's heartbeat is still in it."""
    try:
        beat = _redis_client().get(heartbeat_key())
    except redis.RedisError:
        return "down", "no worker"
    return "ok", "ok" if beat is not None else "no worker"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report = {"database": _database()}
    report["redis"], report["celery"] = _redis_and_worker()
    healthy = report["database"] == "ok" and report["redis"] == "ok"
    return JsonResponse(report, status=200 if healthy else 503)
