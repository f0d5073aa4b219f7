"""Funeral pages (SPEC §7) for the funeral officer and the town caseworkers: record a death and see what it
did across the portal, eco-burial subsidies with their workflow actions, fee waivers, cemeteries and plots,
village councils and their events, and the overpayments to recover. Thin views: forms check the shape,
services.py enforces the rules (its refusals shown next to the field they name), every object comes from a
jurisdiction-scoped selector (404 outside), every list is filtered by its selector's FilterSet (as in the API)
and exports CSV and XLSX with the API's columns, and a subsidy's workflow actions go through the kernel's
posted-action helper (decisions confirmed first).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.apps import apps
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
from civil_affairs.exports import Column
from civil_affairs.filtering import apply_filterset
from civil_affairs.web.actions import Bound, action_forms, take_posted_action
from civil_affairs.web.decorators import role_required
from civil_affairs.web.forms import saved
from civil_affairs.web.lists import list_page
from civil_affairs.workflow.engine import Transition, actions_for
from civil_affairs.workflow.engine import history as step_history

from . import exports, selectors, services
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
    select: Callable[[Mapping[str, Any] | None], QuerySet[Any]],
    *,
    columns: Sequence[Column],
    export_name: str,
    **options: Any,
) -> HttpResponse:
    """A funeral list page: the kernel's ``list_page`` with its export and the writer's buttons."""
    return list_page(
        request,
        template,
        select,
        export=(export_name, columns),
        context={"may_write": user_has_role(request.user, CASE_WRITERS)},
        per_page=PAGE_SIZE,
        **options,
    )


def _form_page(
    request: HttpRequest,
    form_class: type[forms.Form],
    *,
    title: str,
    submit: str,
    save: Callable[[Mapping[str, Any]], Any],
    success: Callable[[Any], str],
    done: Callable[[Any], HttpResponse],
) -> HttpResponse:
    """A create form: shape checked by the form, rules by the service (the kernel's ``saved``: its refusal
    shown at the field), then the ``success`` message and ``done(record)``, a redirect."""
    form = form_class(request.POST or None, user=request.user)  # type: ignore[call-arg]
    if request.method == "POST":
        created = saved(request, form, save, success=success)
        if created is not None:
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
        lambda query: selectors.death_list(user=request.user, filters=query),
        filterset=selectors.DeathRecordFilter,
        shown=["search", "division", "died_after", "died_before", "cremated"],
        ordering=selectors.DEATH_ORDERING,
        columns=exports.DEATH_COLUMNS,
        export_name="deaths",
    )


@role_required(CASE_WRITERS)
def death_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        DeathRecordForm,
        title=_("Record a death"),
        submit=_("Record the death"),
        save=lambda data: services.death_record(actor=request.user, **data),
        success=lambda record: _("The death of %(name)s has been recorded.") % {"name": record.person.name},
        done=lambda record: redirect("funeral:death-detail", pk=record.pk),
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
        lambda query: selectors.burial_subsidy_list(user=request.user, filters=query),
        filterset=selectors.BurialSubsidyFilter,
        shown=["state", "burial_type", "division", "buried_after", "buried_before"],
        ordering=selectors.SUBSIDY_ORDERING,
        columns=exports.SUBSIDY_COLUMNS,
        export_name="burial-subsidies",
    )


@role_required(CASE_WRITERS)
def subsidy_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        BurialSubsidyForm,
        title=_("File an eco-burial subsidy"),
        submit=_("File the subsidy"),
        save=lambda data: services.burial_subsidy_submit(actor=request.user, **data),
        success=lambda subsidy: (
            _("The eco-burial subsidy of %(amount)s yuan has been filed.") % {"amount": subsidy.amount}
        ),
        done=lambda subsidy: redirect("funeral:subsidy-detail", pk=subsidy.pk),
    )


# The page's workflow actions: the service each calls, and the form of those that take input.
SUBSIDY_SERVICES: dict[str, Callable[..., BurialSubsidy]] = {
    "approve": services.burial_subsidy_approve,
    "reject": services.burial_subsidy_reject,
    "pay": services.burial_subsidy_pay,
}
SUBSIDY_ACTION_FORMS: dict[str, type[forms.Form]] = {"reject": ReasonForm}


def _subsidy_get(request: HttpRequest, pk: int) -> BurialSubsidy:
    return get_object_or_404(selectors.burial_subsidy_list(user=request.user), pk=pk)


def _subsidy_page(request: HttpRequest, subsidy: BurialSubsidy, bound: Bound | None = None) -> HttpResponse:
    allowed = actions_for(BURIAL_SUBSIDY, subsidy, request.user)
    return render(
        request,
        "funeral/subsidy_detail.html",
        {
            "subsidy": subsidy,
            "action_forms": action_forms(request, allowed, SUBSIDY_ACTION_FORMS, bound),
            "history": step_history(subsidy),
        },
    )


def _subsidy_done(result: BurialSubsidy, transition: Transition) -> str:
    return _("Done: %(action)s.") % {"action": transition.label}


@role_required(CASE_READERS)
def subsidy_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _subsidy_page(request, _subsidy_get(request, pk))


@require_POST
@role_required(CASE_READERS)
def subsidy_action_page(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve or reject (decisions: confirmed first; whoever filed may not) or record the payment."""
    subsidy = _subsidy_get(request, pk)
    if action not in SUBSIDY_SERVICES:
        raise Http404
    return take_posted_action(
        request,
        workflow=BURIAL_SUBSIDY,
        action=action,
        forms_by_action=SUBSIDY_ACTION_FORMS,
        perform=lambda **data: SUBSIDY_SERVICES[action](actor=request.user, subsidy=subsidy, **data),
        done=_subsidy_done,
        redirect_to=reverse("funeral:subsidy-detail", args=[pk]),
        rerender=lambda bound: _subsidy_page(request, _subsidy_get(request, pk), bound),
        obj=subsidy,
        subject=_("Eco-burial subsidy #%(id)s for %(name)s: %(type)s, %(amount)s yuan")
        % {
            "id": subsidy.pk,
            "name": subsidy.deceased.name,
            "type": subsidy.get_burial_type_display(),
            "amount": subsidy.amount,
        },
    )


# --- Fee waivers ----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def waiver_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/waiver_list.html",
        lambda query: selectors.fee_waiver_list(user=request.user, filters=query),
        filterset=selectors.FeeWaiverFilter,
        shown=["division", "category"],
        ordering=selectors.WAIVER_ORDERING,
        columns=exports.WAIVER_COLUMNS,
        export_name="fee-waivers",
    )


@role_required(CASE_WRITERS)
def waiver_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        FeeWaiverForm,
        title=_("Waive basic funeral fees"),
        submit=_("Grant the waiver"),
        save=lambda data: services.fee_waiver_grant(actor=request.user, **data),
        success=lambda waiver: (
            _("Basic funeral fees of %(amount)s yuan are waived.") % {"amount": waiver.amount}
        ),
        done=lambda waiver: redirect("funeral:waiver-list"),
    )


# --- Cemeteries -----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def cemetery_list_page(request: HttpRequest) -> HttpResponse:
    return _list(
        request,
        "funeral/cemetery_list.html",
        lambda query: selectors.cemetery_list(user=request.user, filters=query),
        filterset=selectors.CemeteryFilter,
        shown=["division"],
        ordering=selectors.CEMETERY_ORDERING,
        columns=exports.CEMETERY_COLUMNS,
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
        success=lambda cemetery: _("The cemetery %(name)s is registered.") % {"name": cemetery.name},
        done=lambda cemetery: redirect("funeral:cemetery-detail", pk=cemetery.pk),
    )


@role_required(CASE_READERS)
def cemetery_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    cemetery: Cemetery = get_object_or_404(selectors.cemetery_list(user=request.user), pk=pk)
    form = AllocateForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not user_has_role(request.user, CASE_WRITERS):
            raise PermissionDenied
        allocation = saved(
            request,
            form,
            lambda data: services.plot_allocate(
                actor=request.user, cemetery=cemetery, deceased=data["deceased"]
            ),
            success=lambda allocation: _("Plot %(plot)s has been allocated.") % {"plot": allocation.plot},
        )
        if allocation is not None:
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
        lambda query: selectors.village_council_list(user=request.user, filters=query),
        filterset=selectors.CouncilFilter,
        shown=["division"],
        ordering=selectors.COUNCIL_ORDERING,
        columns=exports.COUNCIL_COLUMNS,
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
        success=lambda council: (
            _("The council of %(village)s is registered.") % {"village": council.division.name}
        ),
        done=lambda council: redirect("funeral:council-list"),
    )


@role_required(CASE_READERS)
def event_list_page(request: HttpRequest) -> HttpResponse:

    def council_picker(filters: forms.Form) -> None:
        # The council by its village's name, not its id (the council list links here with ``?council=``).
        councils = selectors.village_council_list(user=request.user).values_list("pk", "division__name")
        filters.fields["council"].widget = forms.Select(choices=[("", _("All councils")), *councils])

    return _list(
        request,
        "funeral/event_list.html",
        lambda query: selectors.council_event_list(user=request.user, filters=query),
        filterset=selectors.CouncilEventFilter,
        shown=["council", "kind", "held_after", "held_before"],
        ordering=selectors.EVENT_ORDERING,
        columns=exports.EVENT_COLUMNS,
        export_name="council-events",
        form=council_picker,
    )


@role_required(CASE_WRITERS)
def event_create_page(request: HttpRequest) -> HttpResponse:
    return _form_page(
        request,
        CouncilEventForm,
        title=_("Record a council event"),
        submit=_("Record"),
        save=lambda data: services.council_event_record(actor=request.user, **data),
        success=lambda event: (
            _("The %(kind)s of the %(family)s family is recorded.")
            % {"kind": event.get_kind_display(), "family": event.family}
        ),
        done=lambda event: redirect("funeral:event-list"),
    )


# --- Overpayments ----------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def overpayment_list_page(request: HttpRequest) -> HttpResponse:
    """Payments made for months after a beneficiary's death, to recover (assistance's selector)."""
    return _list(
        request,
        "funeral/overpayment_list.html",
        lambda query: apply_filterset(OverpaymentFilter, overpayment_list(user=request.user), query),
        filterset=OverpaymentFilter,
        shown=["division", "enrollment", "person"],
        # Assistance's FilterSet names its filters for the API; the page names them in the user's language.
        labels={
            "division": _("Town, village or community"),
            "enrollment": _("Enrollment no."),
            "person": _("Deceased (person id)"),
        },
        columns=OVERPAYMENT_COLUMNS,
        export_name="overpayments",
    )
