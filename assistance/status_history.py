"""The dated history of an enrollment's suspensions (SPEC §4.3): a payment batch pays an enrollment that was
not suspended on the month's first day, whatever its status today, so each suspension is kept as a period.

Called from the suspend/resume services inside their transaction (the enrollment row locked):
``record_status_change(enrollment, action, reason=..., on=...)``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from .models import Enrollment, EnrollmentSuspension

SUSPEND = "suspend"
RESUME = "resume"


def record_status_change(
    enrollment: Enrollment, action: str, *, reason: str = "", on: datetime.date | None = None
) -> dict[str, Any]:
    """Open a suspension period on ``suspend`` (from ``on``, today by default), close the open one on
    ``resume`` (the day ``on`` is no longer suspended). Other actions change nothing: a terminated
    enrollment's suspension stays open, so it is not paid again up to its end.

    Answers the changes for the step's audit event.
    """
    on = on or timezone.localdate()
    if action == SUSPEND:
        # Never before the enrollment starts: a suspension before then means "from the start".
        start = max(on, enrollment.start)
        opened = EnrollmentSuspension.objects.create(enrollment=enrollment, start=start, reason=reason)
        return {"suspended_from": [None, opened.start]}
    if action == RESUME:
        open_one = (
            EnrollmentSuspension.objects.select_for_update()
            .filter(enrollment=enrollment, end__isnull=True)
            .first()
        )
        if open_one is None:  # suspended before the history was kept and not backfilled
            return {}
        open_one.end = max(on, open_one.start)
        open_one.save(update_fields=["end"])
        return {"suspended_until": [None, open_one.end]}
    return {}


def suspended_on(enrollment: Enrollment, day: datetime.date) -> bool:
    """Whether the enrollment was suspended on ``day`` (the payment job asks the same in SQL)."""
    return (
        EnrollmentSuspension.objects.filter(enrollment=enrollment, start__lte=day)
        .exclude(end__lte=day)
        .exists()
    )
