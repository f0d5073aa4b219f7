"""Funeral pages (SPEC §7) for the funeral officer and the town caseworkers: record a death and see what it
did across the portal, eco-burial subsidies with their workflow actions, fee waivers, cemeteries and plots,
village councils and their events, and the overpayments to recover. Thin views: forms check the shape,
services.py enforces the rules (its refusals shown next to the field they name), every object comes from a
jurisdiction-scoped selector (404 outside), every list exports CSV and XLSX with the API's columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import django_filters
from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from assistance.overpayments import OVERPAYMENT_COLUMNS, OverpaymentFilter, overpayment_list
from civil_affairs.accounts.permissions import CASE_READERS, CASE_WRITERS, user_has_role
from civil_affairs.errors import DomainError
from civil_affairs.exports import Column, export_response, wanted_format
from civil_affairs.web.decorators import role_required
from civil_affairs.web.forms import show_domain_error
from civil_affairs.workflow.engine import actions_for
from civil_affairs.workflow.engine import history as step_history

from . import api, selectors, services
from .forms import (
    AllocateForm,
    BurialSubsidyForm,
    CemeteryForm,
    CouncilEventForm,
    DeathRecordForm,
    FeeWaiverForm,
    ReasonForm,
    VillageCouncilForm,
)
from .models import BurialSubsidy, Cemetery, DeathRecord, FeeWaiver, PlotAllocation
from .workflow import BURIAL_SUBSIDY, SubsidyState

PAGE_SIZE = 25


def _list(
    request: HttpRequest,
    template: str,
    queryset: QuerySet[Any],
    *,
    filterset: type[django_filters.FilterSet] | None,
    columns: Sequence[Column],
    export_name: str,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """A list page: the API's FilterSet on the selector, paginated, or ``?format=csv|xlsx`` as a file."""
    filters = filterset(request.GET, queryset=queryset, request=request) if filterset else None
    if filters is not None:
        queryset = filters.qs if filters.is_valid() else queryset.none()
    fmt = wanted_format(request.GET)
    if fmt:
        # A streamed CSV is not an HttpResponse subclass, but serves the same.
        return cast(
            HttpResponse,
            export_response(
                fmt=fmt, columns=columns, rows=queryset.iterator(chunk_size=2000), filename=export_name
            ),
        )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "page": page,
            "filters": filters.form if filters else None,
            "may_write": user_has_role(request.user, CASE_WRITERS),
            **(context or {}),
        },
    )


def _form_page(
    request: HttpRequest,
    form_class: type[forms.Form],
    *,
    title: str,
    submit: str,
    save: Callable[[dict[str, Any]], Any],
    done: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """A create form: shape checked by the form, rules by the service, its refusal shown at the field."""
    form = form_class(request.POST or None, user=request.user)  # type: ignore[call-arg]
    if request.method == "POST" and form.is_valid():
        try:
            created = save(form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            return done(created)
    return render(request, "funeral/form.html", {"form": form, "title": title, "submit": submit})


# --- Overview -------------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def index_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    year_start = today.replace(month=1, day=1)
    subsidies = selectors.burial_subsidy_list(user=user)
    by_state = {
        row["state"]: row["n"] for row in subsidies.order_by().values("state").annotate(n=Count("id"))
    }
    context = {
        "deaths_this_year": selectors.death_list(user=user).filter(date_of_death__gte=year_start).count(),
        "subsidy_states": [(s.value, s.label, by_state.get(s.value, 0)) for s in SubsidyState],
        "subsidy_amount": subsidies.exclude(state=SubsidyState.REJECTED)
        .order_by()
        .aggregate(t=Sum("amount"))["t"]
        or 0,
        "waivers": selectors.fee_waiver_list(user=user).count(),
        "cemeteries": selectors.cemetery_list(user=user),
        "overpayments": overpayment_list(user=user).count(),
        "may_write": user_has_role(user, CASE_WRITERS),
    }
    return render(request, "funeral/index.html", context)


# What each kind of change a death makes is called on the page (others show their code).
EFFECT_LABELS = {
    "death": gettext_lazy("Marked deceased"),
    "transition:terminate": gettext_lazy("Terminated"),
    "recompute_after_death": gettext_lazy("Recomputed without the deceased from the next month"),
    "ended_by_death": gettext_lazy("Marriage ended by death"),
    "create": gettext_lazy("Recorded"),
}


def _effect_rows(record: DeathRecord) -> list[dict[str, Any]]:
    rows = []
    for event in selectors.death_effects(record):
        try:
            model = apps.get_model(event.object_type)
            noun = str(model._meta.verbose_name)
        except (LookupError, ValueError):
            noun = event.object_type
        url = None
        if event.object_type == "assistance.enrollment":
            url = reverse("assistance:enrollment-detail", args=[event.object_id])
        elif event.object_type == "people.person":
            url = reverse("people:detail", args=[event.object_id])
        rows.append(
            {
                "record": f"{noun} #{event.object_id}",
                "url": url,
                "change": EFFECT_LABELS.get(event.action, event.action),
                "changes": event.changes,
            }
        )
    return rows


# --- Deaths --------------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def death_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/death_list.html",
        selectors.death_list(user=request.user),
        filterset=api.DeathRecordFilter,
        columns=api.DEATH_COLUMNS,
        export_name="deaths",
    )


@role_required(CASE_WRITERS)
def death_create_page(request: HttpRequest) -> HttpResponse:
    def done(record: DeathRecord) -> HttpResponse:
        messages.success(
            request, _("The death of %(name)s has been recorded.") % {"name": record.person.name}
        )
        return redirect("funeral:death-detail", pk=record.pk)

    return _form_page(
        request,
        DeathRecordForm,
        title=_("Record a death"),
        submit=_("Record the death"),
        save=lambda data: services.death_record(actor=request.user, **data),
        done=done,
    )


@role_required(CASE_READERS)
def death_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(selectors.death_list(user=request.user), pk=pk)
    person = record.person
    context = {
        "record": record,
        "person": person,
        "effects": _effect_rows(record),
        "overpayments": overpayment_list(user=request.user).filter(person_id=person.pk),  # type: ignore[misc]
        "subsidy": BurialSubsidy.objects.filter(deceased=person).first(),
        "waiver": FeeWaiver.objects.filter(deceased=person).first(),
        "plot": PlotAllocation.objects.filter(deceased=person).select_related("cemetery").first(),
        "may_write": user_has_role(request.user, CASE_WRITERS),
    }
    return render(request, "funeral/death_detail.html", context)


# --- Eco-burial subsidies -----------------------------------------------------------------------------------


@role_required(CASE_READERS)
def subsidy_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/subsidy_list.html",
        selectors.burial_subsidy_list(user=request.user),
        filterset=api.BurialSubsidyFilter,
        columns=api.SUBSIDY_COLUMNS,
        export_name="burial-subsidies",
    )


@role_required(CASE_WRITERS)
def subsidy_create_page(request: HttpRequest) -> HttpResponse:
    def done(subsidy: BurialSubsidy) -> HttpResponse:
        messages.success(
            request,
            _("The eco-burial subsidy of %(amount)s yuan has been filed.") % {"amount": subsidy.amount},
        )
        return redirect("funeral:subsidy-detail", pk=subsidy.pk)

    return _form_page(
        request,
        BurialSubsidyForm,
        title=_("File an eco-burial subsidy"),
        submit=_("File the subsidy"),
        save=lambda data: services.burial_subsidy_submit(actor=request.user, **data),
        done=done,
    )


def _subsidy_page(
    request: HttpRequest, subsidy: BurialSubsidy, reject_form: ReasonForm | None = None
) -> HttpResponse:
    return render(
        request,
        "funeral/subsidy_detail.html",
        {
            "subsidy": subsidy,
            "actions": actions_for(BURIAL_SUBSIDY, subsidy, request.user),
            "history": step_history(subsidy),
            "reject_form": reject_form or ReasonForm(),
        },
    )


@role_required(CASE_READERS)
def subsidy_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _subsidy_page(request, get_object_or_404(selectors.burial_subsidy_list(user=request.user), pk=pk))


@require_POST
@role_required(CASE_READERS)
def subsidy_action_page(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    subsidy = get_object_or_404(selectors.burial_subsidy_list(user=request.user), pk=pk)
    if action not in BURIAL_SUBSIDY.transitions:
        raise Http404
    reject_form = None
    try:
        if action == "approve":
            services.burial_subsidy_approve(actor=request.user, subsidy=subsidy)
        elif action == "pay":
            services.burial_subsidy_pay(actor=request.user, subsidy=subsidy)
        else:
            reject_form = ReasonForm(request.POST)
            if not reject_form.is_valid():
                return _subsidy_page(request, subsidy, reject_form)
            services.burial_subsidy_reject(
                actor=request.user, subsidy=subsidy, reason=reject_form.cleaned_data["reason"]
            )
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
    except PermissionDenied as error:
        messages.error(request, str(error) or _("Your role may not do this."))
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": BURIAL_SUBSIDY[action].label})
    return redirect("funeral:subsidy-detail", pk=pk)


# --- Fee waivers ----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def waiver_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/waiver_list.html",
        selectors.fee_waiver_list(user=request.user),
        filterset=api.FeeWaiverFilter,
        columns=api.WAIVER_COLUMNS,
        export_name="fee-waivers",
    )


@role_required(CASE_WRITERS)
def waiver_create_page(request: HttpRequest) -> HttpResponse:
    def done(waiver: Any) -> HttpResponse:
        messages.success(
            request, _("Basic funeral fees of %(amount)s yuan are waived.") % {"amount": waiver.amount}
        )
        return redirect("funeral:waiver-list")

    return _form_page(
        request,
        FeeWaiverForm,
        title=_("Waive basic funeral fees"),
        submit=_("Grant the waiver"),
        save=lambda data: services.fee_waiver_grant(actor=request.user, **data),
        done=done,
    )


# --- Cemeteries -----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def cemetery_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/cemetery_list.html",
        selectors.cemetery_list(user=request.user),
        filterset=api.CemeteryFilter,
        columns=api.CEMETERY_COLUMNS,
        export_name="cemeteries",
    )


@role_required(CASE_WRITERS)
def cemetery_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        CemeteryForm,
        title=_("Register a cemetery"),
        submit=_("Register"),
        save=lambda data: services.cemetery_create(actor=request.user, **data),
        done=lambda cemetery: redirect("funeral:cemetery-detail", pk=cemetery.pk),
    )


@role_required(CASE_READERS)
def cemetery_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    cemetery: Cemetery = get_object_or_404(selectors.cemetery_list(user=request.user), pk=pk)
    form = AllocateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not user_has_role(request.user, CASE_WRITERS):
            raise PermissionDenied
        if form.is_valid():
            try:
                allocation = services.plot_allocate(
                    actor=request.user, cemetery=cemetery, deceased=form.cleaned_data["deceased"]
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("Plot %(plot)s has been allocated.") % {"plot": allocation.plot})
                return redirect("funeral:cemetery-detail", pk=pk)
    context = {
        "cemetery": cemetery,
        "allocations": Paginator(
            selectors.plot_allocation_list(user=request.user, cemetery=cemetery), PAGE_SIZE
        ).get_page(request.GET.get("page")),
        "form": form,
        "may_write": user_has_role(request.user, CASE_WRITERS),
    }
    return render(request, "funeral/cemetery_detail.html", context)


# --- Village councils ------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def council_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/council_list.html",
        selectors.village_council_list(user=request.user),
        filterset=api.CouncilFilter,
        columns=api.COUNCIL_COLUMNS,
        export_name="village-councils",
    )


@role_required(CASE_WRITERS)
def council_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        VillageCouncilForm,
        title=_("Register a village council"),
        submit=_("Register"),
        save=lambda data: services.village_council_create(actor=request.user, **data),
        done=lambda council: redirect("funeral:council-list"),
    )


@role_required(CASE_READERS)
def event_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/event_list.html",
        selectors.council_event_list(user=request.user),
        filterset=api.CouncilEventFilter,
        columns=api.EVENT_COLUMNS,
        export_name="council-events",
    )


@role_required(CASE_WRITERS)
def event_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        CouncilEventForm,
        title=_("Record a council event"),
        submit=_("Record"),
        save=lambda data: services.council_event_record(actor=request.user, **data),
        done=lambda event: redirect("funeral:event-list"),
    )


# --- Overpayments ----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def overpayment_list_page(request: HttpRequest) -> HttpResponse:
    """Payments made for months after a beneficiary's death, to recover (assistance's selector)."""
    return _list(
        request,
        "funeral/overpayment_list.html",
        overpayment_list(user=request.user),
        filterset=OverpaymentFilter,
        columns=OVERPAYMENT_COLUMNS,
        export_name="overpayments",
    )
