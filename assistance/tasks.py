"""Celery tasks of social assistance. Each takes ids, calls a service and nothing more (STYLE.md).

Every task is ``acks_late``: a job whose worker dies is delivered again, which the services make safe
(they are idempotent and resume where they stopped).
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import jobs, selectors, services
from .models import PaymentBatch, Uplift

logger = logging.getLogger(__name__)

# --- Batch jobs: monthly payment batches and the annual uplift (jobs.py) ----------------------------------

# A lost database connection is worth retrying; a broken rule is not (it is recorded on the batch).
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def run_payment_batch(batch_id: int) -> None:
    """Create the month's payments of a batch (SPEC §4.3)."""
    try:
        jobs.payment_batch_run(batch_id=batch_id)
    except PaymentBatch.DoesNotExist:
        logger.warning("payment batch %s no longer exists; nothing to run", batch_id)


@shared_task(
    acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, retry_kwargs={"max_retries": 5}
)
def run_uplift(uplift_id: int) -> None:
    """Write an approved uplift's standards and recompute the enrollments' amounts (SPEC §4.4)."""
    try:
        jobs.uplift_run(uplift_id=uplift_id)
    except Uplift.DoesNotExist:
        logger.warning("uplift %s no longer exists; nothing to run", uplift_id)


# --- Periodic re-checks (SPEC §4.5) ----------------------------------------------------------------------


@shared_task(acks_late=True)
def list_overdue_rechecks() -> dict[str, int]:
    """Daily: count the active enrollments past their re-check date, by town/street, and log them.

    Read-only, so safe to retry; the list itself is the enrollments page filtered on "overdue re-check"
    and ``GET /api/v1/assistance/enrollments/?recheck_overdue=true``.
    """
    by_town = selectors.rechecks_overdue_by_town(today=timezone.localdate())
    for town, overdue in sorted(by_town.items()):
        logger.info("overdue re-checks in %s: %d", town, overdue)
    logger.info("overdue re-checks in all: %d", sum(by_town.values()))
    return by_town


# --- Child support ends at 18 (SPEC §4.2) ---------------------------------------------------------------------


@shared_task(acks_late=True)
def end_child_support() -> int:
    """Daily: end the child categories at the end of the month of the 18th birthday (services.end_child_support,
    idempotent: a child already ended is not touched again)."""
    changed = services.end_child_support(today=timezone.localdate())
    logger.info("child support ended or narrowed for %d enrollments", changed)
    return changed
