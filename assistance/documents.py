"""Printable documents of social assistance (SPEC §9), as pages with a print stylesheet, in Chinese:

- the **public-notice list** (公示名单) of the applications under notice in a town or village, with ID numbers
  masked and the complaints phone (``ASSISTANCE_COMPLAINTS_PHONE``), to post in the village or community
  (社会救助暂行办法 art. 11; 最低生活保障审核确认办法: only those proposed for approval are publicised);
- the **decision notice** (审核确认决定通知书) of a decided application: the amount and its first month, or the
  rejection with its written reasons (art. 11: a rejection is notified in writing with reasons), and in both
  cases the right to apply for administrative review within 60 days (行政复议法 art. 20) or to sue within
  6 months (行政诉讼法 art. 46);
- the **home-visit form** (入户调查表) of an application, filled in with the household and its members, with
  room for what the visit finds and the signatures.

Every document comes from the scoped selectors (outside the jurisdiction: 404) and is read by CASE_READERS.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from civil_affairs.accounts.jurisdiction import covers, jurisdiction_code
from civil_affairs.accounts.permissions import CASE_READERS
from civil_affairs.divisions.models import Division
from civil_affairs.web.decorators import role_required

from . import rules, selectors, services
from .models import Application
from .workflow import State

# The administrative-review and litigation periods the decision notice states (行政复议法 art. 20,
# 行政诉讼法 art. 46).
REVIEW_DAYS = 60
LITIGATION_MONTHS = 6


def complaints_phone() -> str:
    return str(getattr(settings, "ASSISTANCE_COMPLAINTS_PHONE", "12345"))


def bureau_name() -> str:
    return str(getattr(settings, "ASSISTANCE_BUREAU_NAME", "章丘区民政局"))


def review_body() -> str:
    return str(getattr(settings, "ASSISTANCE_REVIEW_BODY", "章丘区人民政府"))


@dataclass(frozen=True)
class NoticeLine:
    """One household on the public-notice list: no full ID number, never an income."""

    application: Application
    head_name: str
    head_id_number: str  # masked
    village: str
    covered: int
    amount: Any
    notice_ends: datetime.date


def _head(application: Application) -> Any:
    members = list(application.household.members.all())
    head = next((member for member in members if member.relation == "self"), members[0] if members else None)
    return head.person if head is not None else None


def notice_lines(applications: QuerySet[Application]) -> list[NoticeLine]:
    """The applications under notice with what the list shows (the selector prefetches members)."""
    lines = []
    for application in applications:
        head = _head(application)
        proposal = services.application_proposal(application)
        lines.append(
            NoticeLine(
                application=application,
                head_name=head.name if head else "",
                head_id_number=head.masked_id_number if head else "",
                village=application.division.name,
                covered=len(list(application.covered_members.all())),
                amount=proposal.amount if proposal else None,
                notice_ends=rules.notice_ends(application.notice_from) - datetime.timedelta(days=1)
                if application.notice_from
                else timezone.localdate(),
            )
        )
    return lines


@role_required(CASE_READERS)
def notice_list_page(request: HttpRequest) -> HttpResponse:
    """``?division=<town or village code>`` (default: the user's jurisdiction), ``?notice_from=YYYY-MM-DD``."""
    code = (request.GET.get("division") or "").strip() or jurisdiction_code(request.user) or ""
    if not covers(request.user, code):
        raise Http404
    division = get_object_or_404(Division, code=code)
    applications = (
        selectors.application_list(user=request.user)
        .filter(state=State.PUBLICISED, division__code__startswith=code)
        .select_related("division")
        .prefetch_related("household__members__person")
        .order_by("division_id", "notice_from", "id")
    )
    notice_from = request.GET.get("notice_from")
    if notice_from:
        try:
            applications = applications.filter(notice_from=datetime.date.fromisoformat(notice_from))
        except ValueError:
            raise Http404 from None
    lines = notice_lines(applications)
    context = {
        "division": division,
        "lines": lines,
        "notice_from": min(
            (line.application.notice_from for line in lines if line.application.notice_from), default=None
        ),
        "notice_ends": max((line.notice_ends for line in lines), default=None),
        "phone": complaints_phone(),
        "bureau": bureau_name(),
        "today": timezone.localdate(),
    }
    return render(request, "assistance/print_notice_list.html", context)


@role_required(CASE_READERS)
def decision_notice_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision notice of an approved or rejected application (404 before a decision)."""
    application = get_object_or_404(
        selectors.application_list(user=request.user).select_related("division"),
        pk=pk,
        state__in=[State.APPROVED, State.REJECTED],
    )
    enrollment = getattr(application, "enrollment", None) if application.state == State.APPROVED else None
    reading = services.enrollment_amount_reading(enrollment) if enrollment is not None else None
    context = {
        "application": application,
        "head": _head(application),
        "enrollment": enrollment,
        "explanation": reading.explanation if reading else "",
        "covered": list(application.covered_members.all()),
        "phone": complaints_phone(),
        "bureau": bureau_name(),
        "review_body": review_body(),
        "review_days": REVIEW_DAYS,
        "litigation_months": LITIGATION_MONTHS,
        "decided_on": timezone.localtime(application.decided_at).date() if application.decided_at else None,
    }
    return render(request, "assistance/print_decision_notice.html", context)


@role_required(CASE_READERS)
def home_visit_form_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The home-visit form of an application, with its household and members filled in."""
    application = get_object_or_404(
        selectors.application_list(user=request.user).select_related("division"), pk=pk
    )
    members = list(application.household.members.all())
    covered = {person.pk for person in application.covered_members.all()}
    context = {
        "application": application,
        "household": application.household,
        "members": [(member, member.person_id in covered) for member in members],
        "head": _head(application),
        "bureau": bureau_name(),
        "blank_rows": range(max(0, 6 - len(members))),
    }
    return render(request, "assistance/print_home_visit.html", context)
