import logging

from celery import shared_task

from .services import verify_chain

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def verify_audit_chain() -> int:
    """Nightly: check the audit chain and log every break (a read-only task, safe to retry)."""
    breaks = list(verify_chain())
    for chain_break in breaks:
        logger.error("audit chain broken at event %s: %s", chain_break.event_id, chain_break.reason)
    return len(breaks)
