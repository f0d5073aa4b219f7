"""Community pages (SPEC §8) for the district's community officer and the towns' caseworkers: workers (list
and form), staffing per town against the targets, mutual-aid funds with their ledger, assessments. Thin
views: the same selectors and FilterSets as the API; services.py enforces the rules and its refusals are shown
next to the field they name; objects outside the user's jurisdiction or lines answer 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import ADMINISTRATORS, CASE_READERS, CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.errors import DomainError
from civil_affairs.exports import Column, export_response, wanted_format
from civil_affairs.web.decorators import role_required
from civil_affairs.web.forms import show_domain_error

from . import rules, selectors, services
from .exports import ASSESSMENT_COLUMNS, FUND_COLUMNS, STAFFING_COLUMNS, WORKER_COLUMNS
from .forms import AssessmentForm, DateForm, FundOpenForm, MovementForm, UrbanPopulationForm, WorkerForm
from .models import MovementKind

PAGE_SIZE = 25
# The orderings each list page offers (the same columns as the API's ``?ordering=``).
WORKER_ORDERINGS = [
    ("person__name", gettext_lazy("Name")),
    ("community", gettext_lazy("Village or community")),
    ("-grade", gettext_lazy("Grade, highest first")),
    ("grade", gettext_lazy("Grade, lowest first")),
    ("contract_end", gettext_lazy("Contract ending soonest")),
]
FUND_ORDERINGS = [
    ("village", gettext_lazy("Village or community")),
    ("-balance", gettext_lazy("Balance, largest first")),
    ("balance", gettext_lazy("Balance, smallest first")),
]
ASSESSMENT_ORDERINGS = [
    ("-quarter", gettext_lazy("Quarter, latest first")),
    ("-score", gettext_lazy("Score, highest first")),
    ("score", gettext_lazy("Score, lowest first")),
]


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _ordered(request: HttpRequest, queryset: QuerySet[Any], allowed: Sequence[str]) -> QuerySet[Any]:
    """``?ordering=`` on the page as in the API (an undeclared column is ignored here)."""
    ordering = request.GET.get("ordering", "")
    return queryset.order_by(ordering, "-id") if ordering.lstrip("-") in allowed else queryset


def _export(request: HttpRequest, name: str, columns: Sequence[Column], rows: Any) -> HttpResponse | None:
    fmt = wanted_format(request.GET)
    if not fmt:
        return None
    audit_record(
        actor=request.user,
        action="export",
        object_type=name,
        changes={"format": [None, fmt], "query": [None, request.GET.urlencode()]},
    )
    # A streamed CSV is an HttpResponse to the page decorators' eyes; Django serves both alike.
    return cast(HttpResponse, export_response(fmt=fmt, columns=columns, rows=rows, filename=name))


def _town_select(request: HttpRequest, filters: Any) -> None:
    """The FilterSet's ``town`` (a code) as a choice of the user's towns on the page."""
    choices = [("", _("All towns and streets"))]
    choices += [(town.code, town.name) for town in selectors.towns_of(request.user)]
    filters.form.fields["town"].widget = forms.Select(choices=choices)


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


@role_required(CASE_READERS)
def index_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    staffing = selectors.staffing_by_town(user=request.user, on=today)
    total = selectors.staffing_total(staffing)
    funds = selectors.fund_list(user=request.user)
    context = {
        "today": today,
        "total": total,
        "towns_below": sum(1 for row in staffing if row.below_target),
        "towns": len(staffing),
        "steps_due": selectors.grade_steps_due(user=request.user, on=today).count(),
        "funds": funds.count(),
        "fund_total": selectors.fund_total(funds),
        "quarter": rules.quarter_of(today),
        "may_write": user_has_role(request.user, CASE_WRITERS),
    }
    return render(request, "community/index.html", context)


# --- Workers ----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def worker_list_page(request: HttpRequest) -> HttpResponse:
    filters = selectors.WorkerFilter(request.GET or None, queryset=selectors.worker_list(user=request.user))
    _town_select(request, filters)
    workers = filters.qs if filters.is_valid() else selectors.worker_list(user=request.user)
    workers = _ordered(request, workers, selectors.WORKER_ORDERING)
    export = _export(request, "community-workers", WORKER_COLUMNS, workers.iterator(chunk_size=2000))
    if export is not None:
        return export
    context = {
        "filters": filters,
        "page": _page(request, workers),
        "orderings": WORKER_ORDERINGS,
        "query": _query_without_page(request),
        "may_write": user_has_role(request.user, CASE_WRITERS),
    }
    return render(request, "community/worker_list.html", context)


@role_required(CASE_READERS)
def steps_due_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    workers = selectors.grade_steps_due(user=request.user, on=today)
    export = _export(request, "community-steps-due", WORKER_COLUMNS, workers.iterator(chunk_size=2000))
    if export is not None:
        return export
    return render(request, "community/steps_due.html", {"page": _page(request, workers), "today": today})


@role_required(CASE_WRITERS)
def worker_create_page(request: HttpRequest) -> HttpResponse:
    form = WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            worker = services.worker_create(
                actor=request.user,
                person=data.pop("id_number"),
                community=data.pop("community"),
                **data,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s's post is recorded.") % {"name": worker.person.name})
            return redirect(reverse("community:workers"))
    return render(request, "community/worker_form.html", {"form": form})


# --- Staffing ---------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def staffing_page(request: HttpRequest) -> HttpResponse:
    date_form = DateForm(request.GET or None)
    on = timezone.localdate()
    if date_form.is_valid() and date_form.cleaned_data["date"]:
        on = date_form.cleaned_data["date"]
    ordering = request.GET.get("ordering") or None
    if ordering and ordering.lstrip("-") not in selectors.STAFFING_ORDERING:
        ordering = None
    rows = selectors.staffing_by_town(user=request.user, on=on, ordering=ordering)
    export = _export(request, f"staffing-{on}", STAFFING_COLUMNS, rows)
    if export is not None:
        return export
    context = {
        "date_form": date_form,
        "on": on,
        "rows": rows,
        "total": selectors.staffing_total(rows),
        "ordering": ordering or "",
        "query": _query_without_page(request),
        "target_per_10000": rules.TARGET_PER_10000,
        "target_share": rules.TARGET_CERTIFIED_SHARE,
        "may_edit_population": user_has_role(request.user, ADMINISTRATORS),
        "columns": [
            ("name", _("Town or street")),
            ("urban_population", _("Urban population")),
            ("workers", _("Workers in post")),
            ("per_10000", _("Per 10,000 urban residents")),
            ("certified_share", _("Certified share")),
            ("below_target", _("Below target")),
        ],
    }
    return render(request, "community/staffing.html", context)


@role_required(ADMINISTRATORS)
def urban_population_page(request: HttpRequest, code: str) -> HttpResponse:
    town = get_object_or_404(selectors.towns_of(request.user), code=code)
    form = UrbanPopulationForm(request.POST or None, initial={"urban_population": town.urban_population})
    if request.method == "POST" and form.is_valid():
        try:
            services.urban_population_set(
                actor=request.user, division=town, urban_population=form.cleaned_data["urban_population"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The urban population of %(name)s is saved.") % {"name": town.name})
            return redirect(reverse("community:staffing"))
    return render(request, "community/town_form.html", {"form": form, "town": town})


# --- Funds ------------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def fund_list_page(request: HttpRequest) -> HttpResponse:
    all_funds = selectors.fund_list(user=request.user)
    filters = selectors.FundFilter(request.GET or None, queryset=all_funds)
    _town_select(request, filters)
    funds = filters.qs if filters.is_valid() else all_funds
    funds = _ordered(request, funds, selectors.FUND_ORDERING)
    export = _export(request, "mutual-aid-funds", FUND_COLUMNS, funds.iterator(chunk_size=2000))
    if export is not None:
        return export
    may_write = user_has_role(request.user, CASE_WRITERS)
    open_form = FundOpenForm(request.POST or None, user=request.user) if may_write else None
    if request.method == "POST" and open_form is not None and open_form.is_valid():
        try:
            fund = services.fund_open(actor=request.user, village=open_form.cleaned_data["village"])
        except DomainError as error:
            show_domain_error(open_form, error)
        else:
            messages.success(request, _("The fund of %(name)s is opened.") % {"name": fund.village.name})
            return redirect(reverse("community:fund-detail", args=[fund.pk]))
    context = {
        "filters": filters,
        "page": _page(request, funds),
        "orderings": FUND_ORDERINGS,
        "total": selectors.fund_total(funds),
        "query": _query_without_page(request),
        "open_form": open_form,
    }
    return render(request, "community/fund_list.html", context)


def _fund_page(
    request: HttpRequest, pk: int, bound: dict[str, MovementForm] | None = None, status: int = 200
) -> HttpResponse:
    fund = get_object_or_404(selectors.fund_list(user=request.user), pk=pk)
    may_write = user_has_role(request.user, CASE_WRITERS)
    bound = bound or {}
    context = {
        "fund": fund,
        "ledger": _page(request, selectors.movement_list(user=request.user).filter(fund=fund)),
        "may_write": may_write,
        "donation_form": bound.get("donation") or MovementForm(prefix="donation"),
        "disbursement_form": bound.get("disbursement") or MovementForm(prefix="disbursement"),
    }
    return render(request, "community/fund_detail.html", context, status=status)


@role_required(CASE_READERS)
def fund_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _fund_page(request, pk)


@require_POST
@role_required(CASE_WRITERS)
def fund_movement_page(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    fund = get_object_or_404(selectors.fund_list(user=request.user), pk=pk)
    if kind not in MovementKind.values:
        return _fund_page(request, pk, status=404)
    form = MovementForm(request.POST, prefix=kind)
    if form.is_valid():
        service = services.fund_donate if kind == MovementKind.DONATION else services.fund_disburse
        try:
            movement = service(actor=request.user, fund=fund, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(kind)s of %(amount)s yuan recorded; the balance is now %(balance)s yuan.")
                % {
                    "kind": movement.get_kind_display(),
                    "amount": f"{movement.amount:.2f}",
                    "balance": f"{movement.balance_after:.2f}",
                },
            )
            return redirect(reverse("community:fund-detail", args=[fund.pk]))
    return _fund_page(request, pk, {kind: form}, status=400)


# --- Assessments ------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def assessment_list_page(request: HttpRequest) -> HttpResponse:
    all_assessments = selectors.assessment_list(user=request.user)
    filters = selectors.AssessmentFilter(request.GET or None, queryset=all_assessments)
    _town_select(request, filters)
    assessments = filters.qs if filters.is_valid() else all_assessments
    assessments = _ordered(request, assessments, selectors.ASSESSMENT_ORDERING)
    export = _export(
        request, "village-assessments", ASSESSMENT_COLUMNS, assessments.iterator(chunk_size=2000)
    )
    if export is not None:
        return export
    may_write = user_has_role(request.user, CASE_WRITERS)
    form = (
        AssessmentForm(
            request.POST or None,
            user=request.user,
            initial={"quarter": rules.quarter_of(timezone.localdate())},
        )
        if may_write
        else None
    )
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            assessment = services.assessment_record(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(
                request,
                _("%(village)s scored %(score)s for %(quarter)s.")
                % {
                    "village": assessment.village.name,
                    "score": assessment.score,
                    "quarter": assessment.quarter,
                },
            )
            return redirect(reverse("community:assessments"))
    context = {
        "filters": filters,
        "page": _page(request, assessments),
        "orderings": ASSESSMENT_ORDERINGS,
        "query": _query_without_page(request),
        "form": form,
    }
    return render(request, "community/assessment_list.html", context)
