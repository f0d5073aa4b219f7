"""Social assistance's periodic jobs (merged into CELERY_BEAT_SCHEDULE by settings.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Re-checks of enrollments that are past due (SPEC §4.5), before the working day starts.
    "assistance-list-overdue-rechecks-daily": {
        "task": "assistance.tasks.list_overdue_rechecks",
        "schedule": crontab(hour=6, minute=30),
    },
    # Child support ends at the end of the month of the 18th birthday (SPEC §4.2): checked every morning.
    "assistance-end-child-support-daily": {
        "task": "assistance.tasks.end_child_support",
        "schedule": crontab(hour=6, minute=15),
    },
}
