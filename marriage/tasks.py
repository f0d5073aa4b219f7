"""Celery tasks of marriage registration: they unpack arguments and call a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def lapse_divorce_applications() -> int:
    """Daily: record as withdrawn every divorce application past day 60 without a certificate (SPEC §6).

    The service is idempotent, so a retry or a second delivery after a lost worker changes nothing more.
    """
    return services.divorce_lapse_overdue()
