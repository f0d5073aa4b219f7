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
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
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
from civil_affairs.audit.services import anchor_head, audit_record
from civil_affairs.errors import Conflict, RuleViolation
from civil_affairs.exports import Column
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


def _without_jit(cursor: Any) -> None:
    """No JIT compilation for the rest of the transaction. A chunk's estimated cost passes PostgreSQL's
    ``jit_above_cost`` although it runs in milliseconds: where the server can compile, it spent more time
    compiling each chunk's statement than running it (0.5 s of 1.6 s for 200,000 payments)."""
    cursor.execute("SET LOCAL jit = off")


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


def latest_payable_month(today: datetime.date | None = None) -> datetime.date:
    """The latest month a batch may be made for: next month (SPEC §4.3)."""
    return rules.first_of_next_month(today or timezone.localdate())


def payment_batch_create(*, actor: Any, month: datetime.date, queue_job: bool = True) -> PaymentBatch:
    """Open the payment batch of a month and queue its job. No later than next month (RuleViolation
    ``month_too_late``): a batch for a future month would pay by figures not yet known and block the real
    one. One batch per month: a second one is a Conflict (409), also when two requests race, which the
    unique month decides."""
    _may_decide(actor)
    month = month.replace(day=1)
    latest = latest_payable_month()
    if month > latest:
        raise RuleViolation(
            _("A batch can be made for next month (%(latest)s) at the latest, not for %(month)s.")
            % {"latest": f"{latest:%Y-%m}", "month": f"{month:%Y-%m}"},
            field="month",
            code="month_too_late",
        )
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


# Every enrollment in force on the month's first day, whatever its status today (SPEC §4.3): started by
# then, not ended before it (``end`` is the last day in force), and not suspended on it (a suspension covers
# the days from its start up to, not including, its end). Paid the amount in force that day: the latest
# history row by then; an enrollment without history is paid its current amount.
# One exception reads the status: an enrollment terminated before it started is kept with end = start (the
# table allows no end before the start; the terminate service and the death event both do so), and was
# never in force.
PAYMENT_CHUNK_SQL = """
    INSERT INTO assistance_payment (batch_id, enrollment_id, month, amount)
    SELECT %(batch)s, e.id, %(month)s, COALESCE(
        (SELECT a.monthly_amount FROM assistance_enrollmentamount AS a
          WHERE a.enrollment_id = e.id AND a.effective_from <= %(month)s
          ORDER BY a.effective_from DESC LIMIT 1),
        e.monthly_amount)
    FROM assistance_enrollment AS e
    WHERE e.id > %(after)s AND e.id <= %(upto)s
      AND e.start <= %(month)s AND (e."end" IS NULL OR e."end" >= %(month)s)
      AND NOT (e.status = %(terminated)s AND e."end" = e.start)
      AND NOT EXISTS (
          SELECT 1 FROM assistance_enrollmentsuspension AS s
           WHERE s.enrollment_id = e.id AND s.start <= %(month)s AND (s."end" IS NULL OR s."end" > %(month)s))
"""
# A run that may meet payments already made (a re-run, or a chunk that met one) inserts only what is
# missing. A first run inserts plainly: ``ON CONFLICT`` is a speculative insertion, a look-up, an insert
# and a confirmation record per row, a third of the chunk's cost (README "Benchmarks").
ONLY_MISSING = " ON CONFLICT (enrollment_id, month) DO NOTHING"
UNIQUE_VIOLATION = "23505"


def payment_batch_run(*, batch_id: int, chunk_size: int | None = None) -> PaymentBatch:
    """Pay every enrollment in force on the batch's month's first day once (SPEC §4.3): started, not
    ended and not suspended on that day, whatever its status today, at the amount in force that day.

    Exactly once, by the unique (enrollment, month): a completed batch is left as it is; an interrupted
    one (its worker killed, or failed) is run again from the start, each chunk inserting only what is
    missing. The first run of a queued batch inserts plainly, and a chunk that meets a payment already
    there (another runner's) is done again inserting only what is missing. The count and total are then
    counted from the payments themselves, so they are exact whatever happened before.
    """
    chunk_size = chunk_size or chunk_size_setting(PAYMENT_CHUNK_SIZE)
    with transaction.atomic():
        batch = PaymentBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status == JobStatus.COMPLETED:
            return batch
        first_run = batch.status == JobStatus.QUEUED
        batch.status, batch.error = JobStatus.RUNNING, ""
        batch.save(update_fields=["status", "error"])
    params: dict[str, Any] = {
        "batch": batch.pk,
        "month": batch.month,
        "terminated": EnrollmentStatus.TERMINATED,
    }
    try:
        after = 0
        while (upto := _next_chunk_end(after, chunk_size)) is not None:
            with transaction.atomic(), connection.cursor() as cursor:
                _without_jit(cursor)
                chunk = {**params, "after": after, "upto": upto}
                if first_run:
                    first_run = _insert_plainly(cursor, chunk)
                if not first_run:
                    cursor.execute(PAYMENT_CHUNK_SQL + ONLY_MISSING, chunk)
            after = upto
    except Exception as exc:
        _payment_batch_failed(batch.pk, exc)
        anchor_head()
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
    # The audit chain's head leaves the database at the end of every batch job (SPEC §2.4); inside a
    # caller's transaction anchor_head waits for its commit.
    anchor_head()
    return batch


def _insert_plainly(cursor: Any, chunk: dict[str, Any]) -> bool:
    """Insert the chunk's payments plainly; False (nothing inserted) if one was already there."""
    try:
        with transaction.atomic():
            cursor.execute(PAYMENT_CHUNK_SQL, chunk)
    except IntegrityError as exc:
        if getattr(exc.__cause__, "pgcode", None) != UNIQUE_VIOLATION:
            raise
        return False
    return True


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


@dataclass(frozen=True)
class BankFile:
    """A completed batch's bank file: hand its parts to ``civil_affairs.exports.export_response``."""

    name: str
    columns: list[Column]
    rows: Iterator[dict[str, Any]]
    footer: list[list[Any]]


def bank_file_columns() -> list[Column]:
    """The bank file's columns, in the language active now (a streamed file is written after the view
    returns, so headers and category names are translated here, not lazily)."""
    categories = {code: str(label) for code, label in rules.Category.choices}
    return [
        Column(_("Payee"), lambda row: row["payee"] or row["head_name"] or ""),
        Column(_("ID number"), lambda row: row["head_id_number"] or "", text=True),
        Column(_("Bank account"), lambda row: row["bank_account"], text=True),
        Column(_("Bank"), lambda row: row["bank_name"]),
        Column(_("Amount (yuan)"), lambda row: row["amount"]),
        Column(_("Category"), lambda row: categories.get(row["category"], row["category"])),
        Column(_("Enrollment"), lambda row: row["enrollment_id"]),
    ]


def payment_batch_export(*, actor: Any, batch: PaymentBatch, fmt: str = "csv") -> BankFile:
    """The bank file of a completed batch (SPEC §4.3): one row per payment with the payee (the
    enrollment's, else the household head), the head's full ID number, bank account and bank, amount and
    category; then, after an empty row, the count and total, outside the data rows.

    Full ID numbers and accounts are shown, so the export is audited (SPEC §2.2); the rows are limited to
    the caller's jurisdiction (for the district's users, the whole batch) and read through a server-side
    cursor, so a batch of any size is streamed. Cells are written by the kernel's export helper: ID and
    account numbers as text, anything that starts like a formula neutralised.
    """
    if batch.status != JobStatus.COMPLETED:
        raise Conflict(_("The batch has not completed yet: export it once it has."))
    payments = within_jurisdiction(Payment.objects.filter(batch=batch), actor, "enrollment__division")
    totals = payments.aggregate(count=Count("id"), total=Sum("amount"))
    rows = (
        payments.annotate(
            head=FilteredRelation(
                "enrollment__household__members",
                condition=Q(enrollment__household__members__relation=Relation.SELF),
            ),
        )
        .order_by("enrollment_id")
        .values(
            "enrollment_id",
            "amount",
            category=F("enrollment__category"),
            payee=F("enrollment__payee"),
            bank_account=F("enrollment__bank_account"),
            bank_name=F("enrollment__bank_name"),
            head_name=F("head__person__name"),
            head_id_number=F("head__person__id_number"),
        )
    )
    audit_record(
        actor=actor,
        action="export",
        obj=batch,
        changes={
            "month": [None, f"{batch.month:%Y-%m}"],
            "format": [None, fmt],
            "payments": [None, totals["count"]],
            "full_id_numbers": [None, True],
        },
    )
    columns = bank_file_columns()
    total_row: list[Any] = [""] * len(columns)
    total_row[0] = _("Total: %(count)s payments") % {"count": totals["count"]}
    total_row[4] = totals["total"] or Decimal("0.00")
    return BankFile(
        name=f"payments-{batch.month:%Y-%m}",
        columns=columns,
        rows=rows.iterator(chunk_size=2000),
        footer=[[], total_row],
    )


# --- The annual uplift (SPEC §4.4) ------------------------------------------------------------------------


# 特困 (extreme-poverty support) stays at least 1.3 × the 低保 standard of its own area (SPEC §4.4, §11).
TEKUN_OF_DIBAO = {
    rules.Category.TEKUN_URBAN: rules.Category.DIBAO_URBAN,
    rules.Category.TEKUN_RURAL: rules.Category.DIBAO_RURAL,
}
TEKUN_DIBAO_FACTOR = "ASSISTANCE_TEKUN_DIBAO_FACTOR"


def tekun_dibao_factor() -> Decimal:
    return Decimal(str(getattr(settings, TEKUN_DIBAO_FACTOR, None) or "1.3"))


def uplifted_standards(old: dict[str, Decimal], rate: Decimal) -> dict[str, tuple[Decimal, str]]:
    """The new standard of each category, and how it was found: old × (1 + rate) rounded half-up to whole
    yuan; for 特困, the larger of that and 1.3 × the new 低保 standard of the same area (urban with urban,
    rural with rural), rounded up to whole yuan."""
    new: dict[str, tuple[Decimal, str]] = {}
    for category, amount in old.items():
        uplifted = rules.uplifted_standard(amount, rate)
        new[category] = (uplifted, f"{amount:.2f} × (1 + {rate}) ≈ {uplifted:.0f}")
    factor = tekun_dibao_factor()
    for tekun, dibao in TEKUN_OF_DIBAO.items():
        if tekun not in new or dibao not in new:
            continue
        uplifted = new[tekun][0]
        dibao_new = new[dibao][0]
        floor = (dibao_new * factor).to_integral_value(rounding=ROUND_CEILING).quantize(rules.FEN)
        if floor > uplifted:
            new[tekun] = (
                floor,
                f"max({uplifted:.0f}, ⌈{factor} × {dibao_new:.0f}⌉ = {floor:.0f}) = {floor:.0f}",
            )
    return new


def standards_in_force(on: datetime.date, *, exclude_uplift: int | None = None) -> dict[str, Standard]:
    """Each category's standard in force on a date (leaving out the standards an uplift wrote itself)."""
    standards = Standard.objects.filter(effective_from__lte=on)
    if exclude_uplift is not None:
        standards = standards.exclude(uplift_id=exclude_uplift)
    old: dict[str, Standard] = {}
    for standard in standards.order_by("category", "-effective_from"):
        old.setdefault(standard.category, standard)
    return old


def _later_standard(effective_from: datetime.date, *, exclude_uplift: int | None = None) -> Standard | None:
    later = Standard.objects.filter(effective_from__gte=effective_from)
    if exclude_uplift is not None:
        later = later.exclude(uplift_id=exclude_uplift)
    return later.order_by("effective_from", "category").first()


def uplift_lines(*, rate: Decimal, effective_from: datetime.date) -> list[dict[str, Any]]:
    """The preview's lines, computed and not saved: for each category with a standard in force on
    ``effective_from``, the old and new standard (with how the new one was found), the enrollments the job
    will recompute (active and suspended ones in force on or after the date) and the monthly cost change
    (Σ new amount − current amount, in SQL with the formula of rules.monthly_amount).

    Refused (RuleViolation) when a standard already starts on or after that date: the new standard
    would collide with it or be overtaken by it.
    """
    old = standards_in_force(effective_from)
    later = _later_standard(effective_from)
    if later is not None:
        raise RuleViolation(
            _("A standard of %(category)s already takes effect on %(date)s; choose a later effective date.")
            % {"category": rules.Category(later.category).label, "date": later.effective_from.isoformat()},
            field="effective_from",
            code="standard_takes_effect_later",
        )
    if not old:
        raise RuleViolation(
            _("No standard is in force on %(date)s.") % {"date": effective_from.isoformat()},
            field="effective_from",
            code="no_standard_in_force",
        )
    categories = [c for c in rules.Category.values if c in old]
    new = uplifted_standards({c: old[c].monthly_amount for c in categories}, rate)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT e.category, count(*), COALESCE(sum({AMOUNT_SQL.format(standard="s.amount")} - e.monthly_amount), 0)
            FROM assistance_enrollment AS e
            JOIN unnest(%(categories)s::varchar[], %(amounts)s::numeric[]) AS s(category, amount)
              ON s.category = e.category
            WHERE e.status = ANY(%(statuses)s) AND (e."end" IS NULL OR e."end" >= %(effective_from)s)
            GROUP BY e.category
            """,  # noqa: S608 (the formula is a constant; values are parameters)
            {
                "categories": categories,
                "amounts": [new[c][0] for c in categories],
                "statuses": UPLIFT_STATUSES,
                "effective_from": effective_from,
                "gap_categories": _gap_categories(),
            },
        )
        enrolled = {category: (count, change) for category, count, change in cursor.fetchall()}
    return [
        {
            "category": c,
            "old_amount": _money(old[c].monthly_amount),
            "new_amount": _money(new[c][0]),
            "explanation": new[c][1],
            "enrollments": enrolled.get(c, (0, 0))[0],
            "monthly_cost_change": _money(Decimal(enrolled.get(c, (0, 0))[1])),
        }
        for c in categories
    ]


def stale_reason(uplift: Uplift) -> str | None:
    """Why the standards the preview uplifted are no longer the ones in force on its effective date (a
    standard entered or uplifted since, another uplift run first), or None while they still are. The
    standards this uplift wrote itself do not count."""
    later = _later_standard(uplift.effective_from, exclude_uplift=uplift.pk)
    if later is not None:
        return _("A standard of %(category)s from %(date)s has been entered since this preview was made.") % {
            "category": rules.Category(later.category).label,
            "date": later.effective_from.isoformat(),
        }
    current = standards_in_force(uplift.effective_from, exclude_uplift=uplift.pk)
    in_force: dict[str, str]
    based_on: dict[str, str]
    if uplift.base_standards:
        in_force = {c: str(s.pk) for c, s in current.items()}
        based_on = {c: str(pk) for c, pk in uplift.base_standards.items()}
    else:  # a preview made before the standards' ids were kept: compare the amounts
        in_force = {c: _money(s.monthly_amount) for c, s in current.items()}
        based_on = {line["category"]: line["old_amount"] for line in uplift.lines}
    if in_force != based_on:
        return _("The standards in force on %(date)s are no longer the ones this preview uplifted.") % {
            "date": uplift.effective_from.isoformat()
        }
    return None


def _check_not_stale(uplift: Uplift) -> None:
    problem = stale_reason(uplift)
    if problem is not None:
        raise Conflict(
            _("%(problem)s Make a new preview of the %(year)s uplift.")
            % {"problem": problem, "year": uplift.year}
        )


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
    """Preview the uplift of a year (SPEC §4.4): new standards (old × (1 + rate), half-up to whole yuan;
    特困 at least 1.3 × the new 低保 of its area) and the monthly cost change. Nothing else changes.

    A new preview replaces the year's unapproved one (which is deleted, audited); once the year's uplift
    has been approved, another is a Conflict (409).
    """
    _may_decide(actor)
    uplift_check(year=year, rate=rate, effective_from=effective_from)
    try:
        with transaction.atomic():
            existing = Uplift.objects.select_for_update().filter(year=year).first()
            if existing is not None and existing.status != UpliftStatus.PREVIEW:
                raise Conflict(
                    _("The uplift of %(year)s has been approved (%(status)s); it cannot be previewed again.")
                    % {"year": year, "status": UpliftStatus(existing.status).label}
                )
            lines = uplift_lines(rate=rate, effective_from=effective_from)
            base = {c: s.pk for c, s in standards_in_force(effective_from).items()}
            if existing is not None:
                audit_record(
                    actor=actor,
                    action="delete",
                    obj=existing,
                    changes={
                        "rate": [str(existing.rate), None],
                        "effective_from": [existing.effective_from, None],
                        "replaced_by_a_new_preview": [None, True],
                    },
                )
                existing.delete()
            uplift = Uplift.objects.create(
                year=year,
                rate=rate,
                effective_from=effective_from,
                lines=lines,
                base_standards=base,
                created_by=actor,
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
    Only a preview can be approved (else Conflict, 409); whoever made the preview may not (four eyes).
    Refused (409) while another uplift is approved and not completed, and when the standards the preview
    uplifted are no longer the ones in force on its effective date: a new preview is needed."""

    def current(locked: Uplift) -> None:
        # One approval at a time (the lock is the transaction's): two uplifts approved together could
        # both be based on the same standards, each seeing the other still a preview.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('assistance.uplift.approve'))")
        unfinished = Uplift.objects.exclude(pk=locked.pk).filter(
            Q(status__in=[UpliftStatus.APPROVED, UpliftStatus.RUNNING])
            | Q(status=UpliftStatus.FAILED, standards__isnull=False)
        )
        other = unfinished.order_by("year").first()
        if other is not None:
            raise Conflict(
                _("The %(year)s uplift is “%(status)s” and has not completed: approve this one once it has.")
                % {"year": other.year, "status": UpliftStatus(other.status).label}
            )
        _check_not_stale(locked)

    with transaction.atomic():
        locked = take(
            UPLIFT,
            uplift,
            "approve",
            actor=actor,
            check=current,
            fields={"approved_by": actor, "approved_at": timezone.now()},
            explain_state=lambda locked: (
                _("Only a preview can be approved; this uplift is “%(status)s”.")
                % {"status": UpliftStatus(locked.status).label}
            ),
        )
        if queue_job:
            from .tasks import run_uplift  # tasks.py imports this module

            transaction.on_commit(partial(run_uplift.delay, locked.pk))
    return locked


# One chunk of the uplift, in one statement: recompute the amounts of the chunk's enrollments from the
# uplift's standards, and record each new amount in the history from the effective date (or from the
# enrollment's start, if it starts later: that amount was computed from the old standard). The old
# amounts stay as history rows; a row already dated that day (an enrollment starting on the effective
# date, a re-check's change from it) takes the new amount. Answers the number of enrollments recomputed.
#
# Costs per row, measured (README "Benchmarks"): the amount's update is HOT (no index covers it; the fill
# factor leaves room), and the history row is a plain insert into its one index. ``ON CONFLICT DO UPDATE``
# would do the same in one clause, but as a speculative insertion: a look-up, an insert and a confirmation
# record per row. Every join is bounded by the chunk's id range, so no plan can read more than the chunk.
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
     RETURNING e.id, e.monthly_amount, GREATEST(e.start, %(effective_from)s) AS effective_from
    ), dated AS MATERIALIZED (
        SELECT r.id, r.monthly_amount, r.effective_from, a.enrollment_id IS NOT NULL AS has_row
          FROM recomputed AS r
          LEFT JOIN assistance_enrollmentamount AS a
            ON a.enrollment_id = r.id AND a.effective_from = r.effective_from
           AND a.enrollment_id > %(after)s AND a.enrollment_id <= %(upto)s
    ), replaced AS (
        UPDATE assistance_enrollmentamount AS a
           SET monthly_amount = d.monthly_amount, uplift_id = %(uplift)s
          FROM dated AS d
         WHERE d.has_row AND a.enrollment_id = d.id AND a.effective_from = d.effective_from
           AND a.enrollment_id > %(after)s AND a.enrollment_id <= %(upto)s
        RETURNING 1
    ), added AS (
        INSERT INTO assistance_enrollmentamount (enrollment_id, monthly_amount, effective_from, uplift_id)
        SELECT id, monthly_amount, effective_from, %(uplift)s FROM dated WHERE NOT has_row
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM replaced) + (SELECT count(*) FROM added)
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
        anchor_head()
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
    anchor_head()  # SPEC §2.4, as at the end of a payment batch
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
    # Approval checked it; a run started later (or resumed) checks again before anything is recomputed.
    _check_not_stale(uplift)
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
            _without_jit(cursor)
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
