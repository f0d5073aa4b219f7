"""Celery tasks of the dashboards: each calls a service and nothing more (STYLE.md)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


# A refresh that finds another one running returns at once; a lost connection is worth one more try, the next
# beat tick comes two minutes later anyway.
@shared_task(
    acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_kwargs={"max_retries": 1}
)
def refresh_summaries() -> None:
    """Bring the dashboards' summary tables up to date (SPEC §9)."""
    services.summaries_refresh()
