"""The dashboards' periodic job, merged into CELERY_BEAT_SCHEDULE by settings.py."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Summary tables within minutes of the data (SPEC §9: at most 5 minutes behind the lists).
    "dashboards-refresh-summaries": {
        "task": "dashboards.tasks.refresh_summaries",
        "schedule": crontab(minute="*/2"),
    },
}
