import logging

from celery import shared_task

from .services import anchor_head, verify_audit_log

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def verify_audit_chain() -> int:
    """Nightly: check the audit chain and its anchors and log every break (read-only, safe to retry)."""
    breaks = verify_audit_log().breaks
    for chain_break in breaks:
        logger.error("audit chain broken at event %s: %s", chain_break.event_id, chain_break.reason)
    return len(breaks)


@shared_task(acks_late=True)
def anchor_audit_head() -> int | None:
    """Every 5 minutes: write the chain's head to the anchor file (idempotent: an unchanged head is not
    written twice). Returns the anchored event's id."""
    head = anchor_head()
    return head[0] if head else None
