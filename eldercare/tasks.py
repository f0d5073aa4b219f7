"""Celery tasks of elder care: each calls an idempotent, set-based service and nothing more (STYLE.md)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import services

logger = logging.getLogger(__name__)
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def raise_missing_statements() -> int:
    """Daily: statement_missing alerts for last month once the 10th has passed (SPEC §5)."""
    raised = services.raise_missing_statements(today=timezone.localdate())
    logger.info("statement_missing alerts raised: %d", raised)
    return raised


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def raise_overdue_rectifications() -> int:
    """Daily: rectification_overdue alerts for hazards past their deadline (SPEC §5)."""
    raised = services.raise_overdue_rectifications(today=timezone.localdate())
    logger.info("rectification_overdue alerts raised: %d", raised)
    return raised
