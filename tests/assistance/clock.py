"""Freezing "today" for tests of dated rules: every caller of ``django.utils.timezone.localdate()`` sees the
given day (the services and jobs ask it that way); ``timezone.now()`` keeps running."""

import datetime

from django.utils import timezone


def freeze_today(monkeypatch, day: datetime.date) -> None:
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
