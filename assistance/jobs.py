"""The batch jobs of social assistance: monthly payment batches (SPEC §4.3) and the annual uplift of the
benefit standards (SPEC §4.4). The only place these change data, each change audited.

Both jobs are set-based SQL over id-range chunks, one transaction per chunk (SPEC §10), and idempotent:
a job re-run after a retry, a crash or a killed worker creates nothing twice. A payment is unique per
(enrollment, month), so a chunk re-run inserts nothing it already inserted; the uplift keeps its cursor
(``last_enrollment_id``) in the same transaction as each chunk's changes and re-reads it under a row lock,
so a resumed run continues after the last committed chunk and two runners never process one chunk twice.

The amount formula is the one of ``rules.monthly_amount``, written once more in SQL (``AMOUNT_SQL``);
the tests check that both give the same figures.
"""

from __future__ import annotations

import datetime
import logging
import os
from collections.abc import Iterator
from decimal import Decimal
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, FilteredRelation, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.permissions import DECIDERS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.errors import Conflict, RuleViolation
from civil_affairs.workflow.engine import record_step, take

from . import rules
from .models import (
    Enrollment,
    JobStatus,
    Payment,
    PaymentBatch,
    Relation,
    Standard,
    Uplift,
)
from .workflow import UPLIFT, EnrollmentStatus, UpliftStatus

logger = logging.getLogger(__name__)

# Chunk sizes: a Django setting or an environment variable of the same name, else these defaults.
# Bigger chunks are faster; smaller ones hold their row locks for less time.
PAYMENT_CHUNK_SIZE = "ASSISTANCE_PAYMENT_CHUNK_SIZE"
UPLIFT_CHUNK_SIZE = "ASSISTANCE_UPLIFT_CHUNK_SIZE"
DEFAULT_CHUNK_SIZE = 20_000

# The enrollments an uplift recomputes: the active ones, and the suspended ones too, which keep their
# entitlement and are paid the current standard again when resumed.
UPLIFT_STATUSES = [EnrollmentStatus.ACTIVE, EnrollmentStatus.SUSPENDED]

# rules.monthly_amount in SQL, for an enrollment ``e`` and a standard amount ``{standard}``: the gap
# (standard·n − total income)·covered / n rounded half-up to the fen once, never below zero (PostgreSQL's
# ROUND on numeric rounds halves away from zero, which for these amounts is half-up); flat: standard ×
# covered. Needs the parameter %(gap_categories)s.
AMOUNT_SQL = """
    CASE WHEN e.category = ANY(%(gap_categories)s) THEN GREATEST(
        0, ROUND(({standard} * e.member_count - e.total_income) * e.covered_count / e.member_count, 2))
    ELSE {standard} * e.covered_count END
"""


def chunk_size_setting(name: str) -> int:
    value = getattr(settings, name, None) or os.environ.get(name)
    return max(1, int(value)) if value else DEFAULT_CHUNK_SIZE


def _may_decide(actor: Any) -> None:
    """District business: DECIDERS only. ``actor=None`` is the system (a management command on the server)."""
    if actor is not None and not user_has_role(actor, DECIDERS):
        raise PermissionDenied


def _money(value: Decimal) -> str:
    return str(value.quantize(rules.FEN))


def _gap_categories() -> list[str]:
    return sorted(rules.GAP_CATEGORIES)


def _next_chunk_end(after: int, chunk_size: int) -> int | None:
    """The id that closes the next chunk of ``chunk_size`` enrollments after id ``after`` (None: no more).

    Chunks follow the primary key, so they stay the same size whatever gaps the ids have.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(id) FROM (SELECT id FROM assistance_enrollment WHERE id > %s ORDER BY id LIMIT %s) AS c",
            [after, chunk_size],
        )
        return cursor.fetchone()[0]


# --- Payment batches (SPEC §4.3) ------------------------------------------------------------------------


def month_end(month: datetime.date) -> datetime.date:
    return rules.first_of_next_month(month) - datetime.timedelta(days=1)


def payment_batch_create(*, actor: Any, month: datetime.date, queue_job: bool = True) -> PaymentBatch:
    """Open the payment batch of a month and queue its job. One batch per month: a second one is a
    Conflict (409), also when two requests race, which the unique month decides."""
    _may_decide(actor)
    month = month.replace(day=1)
    try:
        with transaction.atomic():
            batch = PaymentBatch.objects.create(month=month, created_by=actor)
            audit_record(
                actor=actor,
                action="create",
                obj=batch,
                changes={"month": [None, f"{month:%Y-%m}"], "status": [None, JobStatus.QUEUED]},
            )
    except IntegrityError:
        raise Conflict(
            _("The payment batch of %(month)s already exists.") % {"month": f"{month:%Y-%m}"}
        ) from None
    if queue_job:
        from .tasks import run_payment_batch  # tasks.py imports this module

        transaction.on_commit(partial(run_payment_batch.delay, batch.pk))
    return batch


# The amount in force on the month's first day (or on the enrollment's start, if it starts later in the
# month): the latest history row by then. An enrollment without history is paid its current amount.
PAYMENT_CHUNK_SQL = """
    INSERT INTO assistance_payment (batch_id, enrollment_id, month, amount)
    SELECT %(batch)s, e.id, %(month)s, COALESCE(
        (SELECT a.monthly_amount FROM assistance_enrollmentamount AS a
          WHERE a.enrollment_id = e.id AND a.effective_from <= GREATEST(e.start, %(month)s)
          ORDER BY a.effective_from DESC LIMIT 1),
        e.monthly_amount)
    FROM assistance_enrollment AS e
    WHERE e.id > %(after)s AND e.id <= %(upto)s
      AND e.status = %(active)s AND e.start <= %(month_end)s AND (e."end" IS NULL OR e."end" >= %(month)s)
    ON CONFLICT (enrollment_id, month) DO NOTHING
"""


def payment_batch_run(*, batch_id: int, chunk_size: int | None = None) -> PaymentBatch:
    """Pay every enrollment active in the batch's month once (SPEC §4.3): active, started by the month's
    end and not ended before its start, at the amount in force on the month's first day.

    Idempotent: a completed batch is left as it is; an interrupted one is run again from the start, and
    the unique (enrollment, month) makes each chunk insert only what is missing. The count and total
    are then counted from the payments themselves, so they are exact whatever happened before.
    """
    chunk_size = chunk_size or chunk_size_setting(PAYMENT_CHUNK_SIZE)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == JobStatus.COMPLETED:
            return batch
        batch.status, batch.error = JobStatus.RUNNING, ""
        batch.save(update_fields=["status", "error"])
    params: dict[str, Any] = {
        "batch": batch.pk,
        "month": batch.month,
        "month_end": month_end(batch.month),
        "active": EnrollmentStatus.ACTIVE,
    }
    try:
        after = 0
        while (upto := _next_chunk_end(after, chunk_size)) is not None:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(PAYMENT_CHUNK_SQL, {**params, "after": after, "upto": upto})
            after = upto
    except Exception as exc:
        _payment_batch_failed(batch.pk, exc)
        raise
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == JobStatus.COMPLETED:  # another runner finished first
            return batch
        totals = Payment.objects.filter(batch=batch).aggregate(count=Count("id"), total=Sum("amount"))
        batch.count, batch.total = totals["count"], totals["total"] or Decimal("0.00")
        batch.status, batch.finished_at = JobStatus.COMPLETED, timezone.now()
        batch.save(update_fields=["count", "total", "status", "finished_at"])
        audit_record(
            actor=None,
            action="complete",
            obj=batch,
            changes={
                "status": [JobStatus.RUNNING, JobStatus.COMPLETED],
                "count": [None, batch.count],
                "total": [None, _money(batch.total)],
            },
        )
    return batch


def _payment_batch_failed(batch_id: int, exc: BaseException) -> None:
    """Record the failure; the batch stays re-runnable (the task retries, or an operator runs it again)."""
    with transaction.atomic():
        changed = PaymentBatch.objects.filter(pk=batch_id, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=str(exc)[:2000]
        )
        if changed:
            audit_record(
                actor=None,
                action="fail",
                object_type="assistance.paymentbatch",
                object_id=batch_id,
                changes={"status": [JobStatus.RUNNING, JobStatus.FAILED], "error": [None, str(exc)[:200]]},
            )


EXPORT_HEADER = ["enrollment_id", "payee_name", "payee_id_number", "category", "month", "amount"]


def payment_batch_export(*, actor: Any, batch: PaymentBatch) -> Iterator[list[str]]:
    """The bank file of a completed batch: a header, one line per payment (the household head as payee,
    with the full ID number the bank matches accounts by), then ``TOTAL, <count>, , , <month>, <sum>``.

    Full ID numbers are shown, so the export is audited (SPEC §2.2); the lines are limited to the
    caller's jurisdiction (for the district's users, the whole batch). Rows are read through a
    server-side cursor, so a batch of any size is streamed, never held in memory.
    """
    if batch.status != JobStatus.COMPLETED:
        raise Conflict(_("The batch has not completed yet: export it once it has."))
    payments = (
        within_jurisdiction(Payment.objects.filter(batch=batch), actor, "enrollment__division")
        .annotate(
            head=FilteredRelation(
                "enrollment__household__members",
                condition=Q(enrollment__household__members__relation=Relation.SELF),
            )
        )
        .order_by("enrollment_id")
        .values_list(
            "enrollment_id", "head__person__name", "head__person__id_number", "enrollment__category", "amount"
        )
    )
    audit_record(
        actor=actor,
        action="export",
        obj=batch,
        changes={"month": [None, f"{batch.month:%Y-%m}"], "full_id_numbers": [None, True]},
    )
    return _export_lines(f"{batch.month:%Y-%m}", payments.iterator(chunk_size=2000))


def _export_lines(month: str, rows: Iterator[tuple[Any, ...]]) -> Iterator[list[str]]:
    yield EXPORT_HEADER
    count, total = 0, Decimal("0.00")
    for enrollment_id, name, id_number, category, amount in rows:
        count += 1
        total += amount
        yield [str(enrollment_id), name or "", id_number or "", category, month, _money(amount)]
    yield ["TOTAL", str(count), "", "", month, _money(total)]


# --- The annual uplift (SPEC §4.4) ------------------------------------------------------------------------


def uplift_lines(*, rate: Decimal, effective_from: datetime.date) -> list[dict[str, Any]]:
    """The preview's lines, computed and not saved: for each category with a standard in force on
    ``effective_from``, the old and new standard, the active enrollments and the monthly cost change
    (Σ new amount − current amount, in SQL with the formula of rules.monthly_amount).

    Refused (RuleViolation) when a standard already starts on or after that date: the new standard
    would collide with it or be overtaken by it.
    """
    old: dict[str, Standard] = {}
    for standard in Standard.objects.filter(effective_from__lte=effective_from).order_by(
        "category", "-effective_from"
    ):
        old.setdefault(standard.category, standard)
    later = (
        Standard.objects.filter(effective_from__gte=effective_from)
        .order_by("effective_from", "category")
        .first()
    )
    if later is not None:
        raise RuleViolation(
            _("A standard of %(category)s already takes effect on %(date)s; choose a later effective date.")
            % {"category": rules.Category(later.category).label, "date": later.effective_from.isoformat()},
            field="effective_from",
        )
    if not old:
        raise RuleViolation(
            _("No standard is in force on %(date)s.") % {"date": effective_from.isoformat()},
            field="effective_from",
        )
    categories = [c for c in rules.Category.values if c in old]
    new = {c: rules.uplifted_standard(old[c].monthly_amount, rate) for c in categories}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.category, count(*), COALESCE(sum({AMOUNT_SQL.format(standard="s.amount")} - e.monthly_amount), 0)
            FROM assistance_enrollment AS e
            JOIN unnest(%(categories)s::varchar[], %(amounts)s::numeric[]) AS s(category, amount)
              ON s.category = e.category
            WHERE e.status = %(active)s
            GROUP BY e.category
            """,  # noqa: S608 (the formula is a constant; values are parameters)
            {
                "categories": categories,
                "amounts": [new[c] for c in categories],
                "active": EnrollmentStatus.ACTIVE,
                "gap_categories": _gap_categories(),
            },
        )
        enrolled = {category: (count, change) for category, count, change in cursor.fetchall()}
    return [
        {
            "category": c,
            "old_amount": _money(old[c].monthly_amount),
            "new_amount": _money(new[c]),
            "enrollments": enrolled.get(c, (0, 0))[0],
            "monthly_cost_change": _money(Decimal(enrolled.get(c, (0, 0))[1])),
        }
        for c in categories
    ]


def uplift_check(*, year: int, rate: Decimal, effective_from: datetime.date) -> None:
    """The rules of an uplift's parameters: a rate strictly between 0 and 1 with at most four places,
    an effective date within the year."""
    if not isinstance(rate, Decimal) or not rate.is_finite() or not (0 < rate < 1):
        raise RuleViolation(_("The rate must be greater than 0 and less than 1."), field="rate")
    if rate != rate.quantize(Decimal("0.0001")):
        raise RuleViolation(_("The rate has at most four decimal places."), field="rate")
    if effective_from.year != year:
        raise RuleViolation(
            _("The effective date must fall in %(year)s.") % {"year": year}, field="effective_from"
        )


def uplift_preview(*, actor: Any, year: int, rate: Decimal, effective_from: datetime.date) -> Uplift:
    """Preview the uplift of a year (SPEC §4.4): new standards (old × (1 + rate), half-up to whole yuan)
    and the monthly cost change. Nothing else changes. One uplift per year: a second is a Conflict (409)."""
    _may_decide(actor)
    uplift_check(year=year, rate=rate, effective_from=effective_from)
    if Uplift.objects.filter(year=year).exists():
        raise Conflict(_("The uplift of %(year)s already exists.") % {"year": year})
    lines = uplift_lines(rate=rate, effective_from=effective_from)
    try:
        with transaction.atomic():
            uplift = Uplift.objects.create(
                year=year, rate=rate, effective_from=effective_from, lines=lines, created_by=actor
            )
            # The preview is the uplift's first step: its author may not approve it (four eyes).
            record_step(
                workflow=UPLIFT,
                obj=uplift,
                action="preview",
                actor=actor,
                from_state="",
                to_state=UpliftStatus.PREVIEW,
                audit_action="create",
                changes={
                    "year": [None, year],
                    "rate": [None, str(rate)],
                    "effective_from": [None, effective_from],
                },
            )
    except IntegrityError:
        raise Conflict(_("The uplift of %(year)s already exists.") % {"year": year}) from None
    return uplift


def uplift_approve(*, actor: Any, uplift: Uplift, queue_job: bool = True) -> Uplift:
    """A district reviewer approves the preview (SPEC §4.4); the job is queued once the approval commits.
    Only a preview can be approved (else Conflict, 409); whoever made the preview may not (four eyes)."""
    with transaction.atomic():
        locked = take(
            UPLIFT,
            uplift,
            "approve",
            actor=actor,
            fields={"approved_by": actor, "approved_at": timezone.now()},
            explain_state=lambda locked: _("Only a preview can be approved; this uplift is “%(status)s”.")
            % {"status": UpliftStatus(locked.status).label},
        )
        if queue_job:
            from .tasks import run_uplift  # tasks.py imports this module

            transaction.on_commit(partial(run_uplift.delay, locked.pk))
    return locked


# One chunk of the uplift, in one statement: recompute the amounts of the chunk's enrollments from the
# uplift's standards, and record each new amount in the history from the effective date (or from the
# enrollment's start, if it starts later: that amount was computed from the old standard). The old
# amounts stay as history rows. Answers the number of enrollments recomputed.
UPLIFT_CHUNK_SQL = """
    WITH new_standard AS (
        SELECT category, monthly_amount FROM assistance_standard WHERE uplift_id = %(uplift)s
    ), recomputed AS (
        UPDATE assistance_enrollment AS e
           SET monthly_amount = {amount}, updated_at = now()
          FROM new_standard AS s
         WHERE s.category = e.category
           AND e.id > %(after)s AND e.id <= %(upto)s
           AND e.status = ANY(%(statuses)s) AND (e."end" IS NULL OR e."end" >= %(effective_from)s)
     RETURNING e.id, e.monthly_amount, e.start
    ), history AS (
        INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from, uplift_id)
        SELECT id, monthly_amount, GREATEST(start, %(effective_from)s), %(uplift)s FROM recomputed
        ON CONFLICT (enrollment_id, effective_from)
        DO UPDATE SET monthly_amount = EXCLUDED.monthly_amount, uplift_id = EXCLUDED.uplift_id
        RETURNING 1
    )
    SELECT count(*) FROM history
""".format(amount=AMOUNT_SQL.format(standard="s.monthly_amount"))  # noqa: S608 (constants only)


def uplift_run(*, uplift_id: int, chunk_size: int | None = None) -> Uplift:
    """The approved uplift's job (SPEC §4.4): write the new standards, then recompute every active (and
    suspended) enrollment's amount from the effective date, one transaction per chunk.

    Exactly once: a completed uplift is left as it is. Resumable: a run that stopped (a killed worker,
    a failure) continues from the cursor of its last committed chunk. Status approved → running →
    completed, or failed with the error, from which it can be run again.
    """
    chunk_size = chunk_size or chunk_size_setting(UPLIFT_CHUNK_SIZE)
    try:
        with transaction.atomic():
            uplift = Uplift.objects.select_for_update().get(pk=uplift_id)
            if uplift.status == UpliftStatus.COMPLETED:
                return uplift
            if uplift.status == UpliftStatus.PREVIEW:
                raise Conflict(_("The uplift has not been approved."))
            if uplift.status != UpliftStatus.RUNNING:
                _uplift_start(uplift)
        while _uplift_next_chunk(uplift_id, chunk_size):
            pass
    except Exception as exc:
        _uplift_failed(uplift_id, exc)
        raise
    with transaction.atomic():
        uplift = Uplift.objects.select_for_update().get(pk=uplift_id)
        if uplift.status != UpliftStatus.RUNNING:  # another runner finished first
            return uplift
        uplift.status, uplift.finished_at = UpliftStatus.COMPLETED, timezone.now()
        uplift.total_enrollments = uplift.processed_enrollments
        uplift.save(update_fields=["status", "finished_at", "total_enrollments"])
        audit_record(
            actor=None,
            action="complete",
            obj=uplift,
            changes={
                "status": [UpliftStatus.RUNNING, UpliftStatus.COMPLETED],
                "processed_enrollments": [None, uplift.processed_enrollments],
            },
        )
    return uplift


def _uplift_start(uplift: Uplift) -> None:
    """Within the caller's transaction (the uplift locked): write the approved standards, once, and count
    the enrollments still to do. A failed run passes here again; its standards are already there."""
    for line in uplift.lines:
        standard, created = Standard.objects.get_or_create(
            category=line["category"],
            effective_from=uplift.effective_from,
            defaults={"monthly_amount": Decimal(line["new_amount"]), "uplift": uplift},
        )
        if standard.uplift_id != uplift.pk:
            raise Conflict(
                _("A standard of %(category)s from %(date)s was entered outside this uplift.")
                % {
                    "category": rules.Category(standard.category).label,
                    "date": uplift.effective_from.isoformat(),
                }
            )
        if created:
            audit_record(
                actor=None,
                action="create",
                obj=standard,
                changes={
                    "category": [None, standard.category],
                    "monthly_amount": [None, _money(standard.monthly_amount)],
                    "effective_from": [None, standard.effective_from],
                    "uplift": [None, uplift.pk],
                },
            )
    remaining = Enrollment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=uplift.effective_from),
        id__gt=uplift.last_enrollment_id,
        status__in=UPLIFT_STATUSES,
        category__in=[line["category"] for line in uplift.lines],
    ).count()
    before = uplift.status
    uplift.total_enrollments = uplift.processed_enrollments + remaining
    uplift.status, uplift.error = UpliftStatus.RUNNING, ""
    uplift.save(update_fields=["total_enrollments", "status", "error"])
    audit_record(actor=None, action="run", obj=uplift, changes={"status": [before, UpliftStatus.RUNNING]})


def _uplift_next_chunk(uplift_id: int, chunk_size: int) -> bool:
    """Recompute the next chunk and advance the cursor in one transaction; False when there is none.

    The uplift row is locked first and the cursor read under that lock, so a second runner waits and
    then starts after this chunk instead of doing it again.
    """
    with transaction.atomic():
        uplift = (
            Uplift.objects.select_for_update()
            .only("status", "effective_from", "last_enrollment_id")
            .get(pk=uplift_id)
        )
        if uplift.status != UpliftStatus.RUNNING:
            return False
        after = uplift.last_enrollment_id
        upto = _next_chunk_end(after, chunk_size)
        if upto is None:
            return False
        with connection.cursor() as cursor:
            cursor.execute(
                UPLIFT_CHUNK_SQL,
                {
                    "uplift": uplift_id,
                    "after": after,
                    "upto": upto,
                    "statuses": UPLIFT_STATUSES,
                    "effective_from": uplift.effective_from,
                    "gap_categories": _gap_categories(),
                },
            )
            (recomputed,) = cursor.fetchone()
        Uplift.objects.filter(pk=uplift_id).update(
            last_enrollment_id=upto, processed_enrollments=F("processed_enrollments") + recomputed
        )
    return True


def _uplift_failed(uplift_id: int, exc: BaseException) -> None:
    """Record the failure; the cursor stays, so running the uplift again continues where it stopped."""
    with transaction.atomic():
        before = (
            Uplift.objects.select_for_update()
            .filter(pk=uplift_id, status__in=[UpliftStatus.APPROVED, UpliftStatus.RUNNING])
            .values_list("status", flat=True)
            .first()
        )
        if before is None:
            return
        Uplift.objects.filter(pk=uplift_id).update(status=UpliftStatus.FAILED, error=str(exc)[:2000])
        audit_record(
            actor=None,
            action="fail",
            object_type="assistance.uplift",
            object_id=uplift_id,
            changes={"status": [before, UpliftStatus.FAILED], "error": [None, str(exc)[:200]]},
        )
