"""The worker side of ``/healthz``: each Celery heartbeat (every 2 s, and once when the worker comes online)
refreshes the heartbeat key that civil_affairs/web/health.py reads. Found by Celery's task autodiscovery,
so every worker process of the portal loads it before its heartbeat starts."""

from __future__ import annotations

import logging
from typing import Any

import redis
from celery.signals import heartbeat_sent

from .health import record_worker_heartbeat

logger = logging.getLogger(__name__)


@heartbeat_sent.connect
def worker_heartbeat(sender: Any = None, **kwargs: Any) -> None:
    try:
        record_worker_heartbeat()
    except redis.RedisError as error:  # the broker is the same Redis: the worker has bigger trouble
        logger.warning("could not record the worker heartbeat: %s", error)
