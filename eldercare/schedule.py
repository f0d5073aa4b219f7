"""Elder care's periodic jobs (merged into CELERY_BEAT_SCHEDULE by settings.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Escrow statements missing for last month once the 10th has passed (SPEC §5).
    "eldercare-raise-missing-statements-daily": {
        "task": "eldercare.tasks.raise_missing_statements",
        "schedule": crontab(hour=6, minute=40),
    },
    # Hazards not rectified by their deadline (SPEC §5).
    "eldercare-raise-overdue-rectifications-daily": {
        "task": "eldercare.tasks.raise_overdue_rectifications",
        "schedule": crontab(hour=6, minute=45),
    },
}
