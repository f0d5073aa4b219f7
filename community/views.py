"""Community pages (SPEC §8) for the district's community officer and the towns' caseworkers: workers (list
and form), staffing per town against the targets, mutual-aid funds with their ledger, assessments. Thin
views: the same selectors and FilterSets as the API; services.py enforces the rules and its refusals are shown
next to the field they name; objects outside the user's jurisdiction or lines answer 404.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import ADMINISTRATORS, CASE_READERS, CASE_WRITERS, user_has_role
from civil_affairs.people.forms import division_label
from civil_affairs.web.decorators import role_required
from civil_affairs.web.exports import export_if_asked
from civil_affairs.web.forms import saved
from civil_affairs.web.lists import list_page, paginate

from . import rules, selectors, services
from .exports import ASSESSMENT_COLUMNS, FUND_COLUMNS, STAFFING_COLUMNS, WORKER_COLUMNS
from .forms import AssessmentForm, DateForm, FundOpenForm, MovementForm, UrbanPopulationForm, WorkerForm
from .models import CommunityWorker, MovementKind

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


def _town_picker(request: HttpRequest) -> Callable[[forms.Form], None]:
    """The FilterSets' ``town`` (a code) as a choice of the user's towns and streets by name: the kernel's
    division picker would offer every village too, with codes. A village filter (``community`` or
    ``village``, a 12-digit code) likewise becomes a choice of the user's villages by name, never a code to
    type."""

    def pick(filters: forms.Form) -> None:
        towns = [(town.code, town.name) for town in selectors.towns_of(request.user)]
        filters.fields["town"].widget = forms.Select(choices=[("", _("All towns and streets")), *towns])
        villages = None
        for name in ("community", "village"):
            if name in filters.fields:
                if villages is None:
                    villages = [
                        (village.code, division_label(village))
                        for village in selectors.villages_of(request.user).select_related("parent")
                    ]
                choices = [("", _("All villages and communities")), *villages]
                filters.fields[name].widget = forms.Select(choices=choices)

    return pick


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
    return list_page(
        request,
        "community/worker_list.html",
        lambda query: selectors.worker_list(user=request.user, filters=query),
        filterset=selectors.WorkerFilter,
        shown=["town", "community", "post", "certificate", "recruitment_batch", "current", "search"],
        ordering=selectors.WORKER_ORDERING,
        export=("community-workers", WORKER_COLUMNS),
        form=_town_picker(request),
        divisions=None,
        context={"orderings": WORKER_ORDERINGS, "may_write": user_has_role(request.user, CASE_WRITERS)},
    )


@role_required(CASE_READERS)
def steps_due_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    # No filters shown: the page is the district's whole list of steps due, in the selector's order.
    return list_page(
        request,
        "community/steps_due.html",
        lambda query: selectors.grade_steps_due(user=request.user, on=today, filters=query),
        filterset=selectors.WorkerFilter,
        shown=[],
        export=("community-steps-due", WORKER_COLUMNS),
        divisions=None,
        context={"today": today},
    )


def _worker_create(actor: Any, data: Mapping[str, Any]) -> CommunityWorker:
    details = dict(data)
    return services.worker_create(
        actor=actor, person=details.pop("id_number"), community=details.pop("community"), **details
    )


@role_required(CASE_WRITERS)
def worker_create_page(request: HttpRequest) -> HttpResponse:
    form = WorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and saved(
        request,
        form,
        lambda data: _worker_create(request.user, data),
        success=lambda worker: _("%(name)s's post is recorded.") % {"name": worker.person.name},
    ):
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
    # One row per town, computed in Python from two aggregates: a table, not a paged queryset.
    below = date_form.is_valid() and date_form.cleaned_data["below_target"]
    rows = selectors.staffing_by_town(user=request.user, on=on, ordering=ordering, below_target_only=below)
    export = export_if_asked(request, name=f"staffing-{on}", columns=STAFFING_COLUMNS, rows=rows)
    if export is not None:
        return export
    context = {
        "date_form": date_form,
        "on": on,
        "rows": rows,
        "total": selectors.staffing_total(rows),
        "ordering": ordering or "",
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
    if request.method == "POST" and saved(
        request,
        form,
        lambda data: services.urban_population_set(
            actor=request.user, division=town, urban_population=data["urban_population"]
        ),
        success=_("The urban population of %(name)s is saved.") % {"name": town.name},
    ):
        return redirect(reverse("community:staffing"))
    return render(request, "community/town_form.html", {"form": form, "town": town})


# --- Funds ------------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def fund_list_page(request: HttpRequest) -> HttpResponse:
    may_write = user_has_role(request.user, CASE_WRITERS)
    open_form = FundOpenForm(request.POST or None, user=request.user) if may_write else None
    if request.method == "POST" and open_form is not None:
        fund = saved(
            request,
            open_form,
            lambda data: services.fund_open(actor=request.user, village=data["village"]),
            success=lambda fund: _("The fund of %(name)s is opened.") % {"name": fund.village.name},
        )
        if fund is not None:
            return redirect(reverse("community:fund-detail", args=[fund.pk]))
    return list_page(
        request,
        "community/fund_list.html",
        lambda query: selectors.fund_list(user=request.user, filters=query),
        filterset=selectors.FundFilter,
        shown=["town"],
        ordering=selectors.FUND_ORDERING,
        export=("mutual-aid-funds", FUND_COLUMNS),
        form=_town_picker(request),
        divisions=None,
        # The total is of the funds listed (all pages of them), not of every fund the user may see.
        context=lambda funds: {
            "orderings": FUND_ORDERINGS,
            "total": selectors.fund_total(funds),
            "open_form": open_form,
        },
    )


def _fund_page(
    request: HttpRequest, pk: int, bound: dict[str, MovementForm] | None = None, status: int = 200
) -> HttpResponse:
    fund = get_object_or_404(selectors.fund_list(user=request.user), pk=pk)
    may_write = user_has_role(request.user, CASE_WRITERS)
    bound = bound or {}
    context = {
        "fund": fund,
        "ledger": paginate(request, selectors.movement_list(user=request.user).filter(fund=fund)),
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
    service = services.fund_donate if kind == MovementKind.DONATION else services.fund_disburse
    if saved(
        request,
        form,
        lambda data: service(actor=request.user, fund=fund, **data),
        success=lambda movement: (
            _("%(kind)s of %(amount)s yuan recorded; the balance is now %(balance)s yuan.")
            % {
                "kind": movement.get_kind_display(),
                "amount": f"{movement.amount:.2f}",
                "balance": f"{movement.balance_after:.2f}",
            }
        ),
    ):
        return redirect(reverse("community:fund-detail", args=[fund.pk]))
    return _fund_page(request, pk, {kind: form}, status=400)


# --- Assessments ------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def assessment_list_page(request: HttpRequest) -> HttpResponse:
    form = (
        AssessmentForm(
            request.POST or None,
            user=request.user,
            initial={"quarter": rules.quarter_of(timezone.localdate())},
        )
        if user_has_role(request.user, CASE_WRITERS)
        else None
    )
    if (
        request.method == "POST"
        and form is not None
        and saved(
            request,
            form,
            lambda data: services.assessment_record(actor=request.user, **data),
            success=lambda assessment: (
                _("%(village)s scored %(score)s for %(quarter)s.")
                % {
                    "village": assessment.village.name,
                    "score": assessment.score,
                    "quarter": assessment.quarter,
                }
            ),
        )
    ):
        return redirect(reverse("community:assessments"))
    return list_page(
        request,
        "community/assessment_list.html",
        lambda query: selectors.assessment_list(user=request.user, filters=query),
        filterset=selectors.AssessmentFilter,
        shown=["town", "village", "quarter"],
        ordering=selectors.ASSESSMENT_ORDERING,
        export=("village-assessments", ASSESSMENT_COLUMNS),
        form=_town_picker(request),
        divisions=None,
        context={"orderings": ASSESSMENT_ORDERINGS, "form": form},
    )
