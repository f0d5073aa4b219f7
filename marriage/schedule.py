"""Marriage's periodic jobs (merged into CELERY_BEAT_SCHEDULE by settings.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Divorce applications past their certificate period lapse (SPEC §6); just after midnight.
    "marriage-lapse-divorce-applications-daily": {
        "task": "marriage.tasks.lapse_divorce_applications",
        "schedule": crontab(hour=0, minute=5),
    },
}
