"""Elder-care pages (SPEC §5): overview, facilities (filters, ordering, CSV/XLSX), the facility page with its
statements, alerts, inspections and hazards together, the forms that record them, open alerts by kind,
home-care projects and 情暖夕阳 meal delivery (enrolments, their monthly deliveries, ending them). Thin views: forms check the shape, services enforce the rules; every object comes from a
jurisdiction- and line-scoped selector (404 outside)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import may
from civil_affairs.errors import DomainError, RuleViolation
from civil_affairs.people.selectors import person_by_id_number
from civil_affairs.web.actions import errors_as_messages
from civil_affairs.web.decorators import ability_required
from civil_affairs.web.forms import saved
from civil_affairs.web.lists import list_page

from . import selectors, services
from .api import FACILITY_COLUMNS, AlertViewSet, HomeCareViewSet, MealEnrolmentViewSet
from .forms import (
    FACILITY_ORDER_CHOICES,
    HAZARD_ROWS,
    AlertCloseForm,
    FacilityForm,
    HazardForm,
    HomeCareEditForm,
    HomeCareForm,
    InspectionForm,
    MealDeliveryCorrectForm,
    MealDeliveryForm,
    MealEnrolmentEndForm,
    MealEnrolmentForm,
    MealReportForm,
    RectifyForm,
    StatementCorrectForm,
    StatementForm,
)
from .models import (
    AlertKind,
    EscrowStatement,
    Facility,
    FacilityKind,
    FacilityStatus,
    MealDeliveryEnrolment,
)

# Pages of the elder-care line: reading and working it need the line of work as well as the role (a marriage
# registrar has the district's jurisdiction but not this line: 403, as in the API).
READ = "read_eldercare"
WORK = "work_eldercare"


# --- Overview -------------------------------------------------------------------------------------------------


@ability_required(READ)
def index_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    facilities = selectors.facility_list(user=user)
    by_kind = {r["kind"]: r["n"] for r in facilities.order_by().values("kind").annotate(n=Count("id"))}
    open_alerts = selectors.open_alerts_by_kind(user=user)
    context = {
        "facility_kinds": [(k.value, k.label, by_kind.get(k.value, 0)) for k in FacilityKind],
        "facility_total": sum(by_kind.values()),
        "alert_kinds": [(k.value, k.label, open_alerts.get(k.value, 0)) for k in AlertKind],
        "critical_hazards": selectors.open_critical_hazards(user=user).select_related("facility")[:20],
        "overdue_hazards": selectors.hazard_list(user=user)
        .filter(selectors.overdue_q(timezone.localdate()))
        .count(),
    }
    return render(request, "eldercare/index.html", context)


# --- Facilities -----------------------------------------------------------------------------------------------


@ability_required(READ)
def facility_list_page(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        "eldercare/facility_list.html",
        lambda query: selectors.facility_list(user=request.user, filters=query),
        filterset=selectors.FacilityFilter,
        shown=["kind", "status", "division", "has_escrow_account"],
        ordering=selectors.FACILITY_ORDERING,
        export=("facilities", FACILITY_COLUMNS),
        context={"may_write": may(request.user, WORK), "orderings": FACILITY_ORDER_CHOICES},
    )


def _facility_get(request: HttpRequest, pk: int) -> Facility:
    return get_object_or_404(selectors.facility_list(user=request.user), pk=pk)


@ability_required(WORK)
def facility_new_page(request: HttpRequest) -> HttpResponse:
    form = FacilityForm(request.POST or None, user=request.user, initial={"status": FacilityStatus.OPERATING})
    if request.method == "POST":
        facility = saved(
            request,
            form,
            lambda data: services.facility_create(actor=request.user, **data),
            success=_("The facility has been registered."),
        )
        if facility is not None:
            return redirect("eldercare:facility-detail", pk=facility.pk)
    return render(request, "eldercare/facility_form.html", {"form": form, "facility": None})


@ability_required(WORK)
def facility_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_get(request, pk)
    initial = {name: getattr(facility, name) for name in services.FACILITY_FIELDS if name != "division_id"}
    form = FacilityForm(request.POST or None, user=request.user, editing=True, initial=initial)
    if request.method == "POST" and saved(
        request,
        form,
        lambda data: services.facility_update(actor=request.user, facility=facility, **data),
        success=_("The facility has been updated."),
    ):
        return redirect("eldercare:facility-detail", pk=facility.pk)
    return render(request, "eldercare/facility_form.html", {"form": form, "facility": facility})


def _facility_page(request: HttpRequest, facility: Facility, **forms_: Any) -> HttpResponse:
    user = request.user
    may_write = may(user, WORK)
    today = timezone.localdate()
    inspections = list(selectors.inspection_list(user=user).filter(facility=facility)[:20])
    context = {
        "facility": facility,
        "may_write": may_write,
        "today": today,
        "statements": selectors.statement_list(user=user).filter(facility=facility)[:24],
        "alerts": selectors.alert_list(user=user).filter(facility=facility)[:50],
        "inspections": inspections,
        "critical_open": selectors.open_critical_hazards(user=user).filter(facility=facility).count(),
        "statement_form": forms_.get("statement_form") or StatementForm(prefix="statement"),
        "inspection_form": forms_.get("inspection_form") or InspectionForm(prefix="inspection"),
        "hazard_forms": forms_.get("hazard_forms")
        or [HazardForm(prefix=f"hazard-{i}") for i in range(HAZARD_ROWS)],
    }
    if facility.kind == FacilityKind.MEAL_SITE:
        # A meal site's own work: its monthly reports and the 情暖夕阳 deliveries it makes.
        context["meal_reports"] = selectors.meal_report_list(user=user).filter(facility=facility)[:24]
        context["meal_report_form"] = forms_.get("meal_report_form") or MealReportForm(prefix="report")
        context["enrolled"] = (
            selectors.meal_enrolment_list(user=user).filter(facility=facility, ended_on__isnull=True).count()
        )
    return render(request, "eldercare/facility_detail.html", context)


@ability_required(READ)
def facility_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _facility_page(request, _facility_get(request, pk))


@ability_required(WORK)
@require_POST
def statement_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_get(request, pk)
    form = StatementForm(request.POST, prefix="statement")
    if saved(
        request,
        form,
        lambda data: services.statement_record(actor=request.user, facility=facility, **data),
        success=_("The statement has been recorded."),
    ):
        return redirect("eldercare:facility-detail", pk=facility.pk)
    return _facility_page(request, facility, statement_form=form)


@ability_required(WORK)
def statement_correct_page(request: HttpRequest, pk: int) -> HttpResponse:
    statement: EscrowStatement = get_object_or_404(selectors.statement_list(user=request.user), pk=pk)
    initial = {name: getattr(statement, name) for name in services.STATEMENT_FIELDS}
    form = StatementCorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and saved(
        request,
        form,
        lambda data: services.statement_correct(actor=request.user, statement=statement, **data),
        success=_("The statement has been corrected."),
    ):
        return redirect("eldercare:facility-detail", pk=statement.facility_id)
    return render(request, "eldercare/statement_correct.html", {"statement": statement, "form": form})


@ability_required(WORK)
@require_POST
def meal_report_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_get(request, pk)
    form = MealReportForm(request.POST, prefix="report")
    if saved(
        request,
        form,
        lambda data: services.meal_report_record(actor=request.user, facility=facility, **data),
        success=_("The meal report has been recorded."),
    ):
        return redirect("eldercare:facility-detail", pk=facility.pk)
    return _facility_page(request, facility, meal_report_form=form)


@ability_required(WORK)
@require_POST
def inspection_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    facility = _facility_get(request, pk)
    form = InspectionForm(request.POST, prefix="inspection")
    hazard_forms = [HazardForm(request.POST, prefix=f"hazard-{i}") for i in range(HAZARD_ROWS)]
    valid = form.is_valid() & all([h.is_valid() for h in hazard_forms])
    if valid:
        hazards = [
            services.HazardInput(
                h.cleaned_data["description"], h.cleaned_data["severity"], h.cleaned_data["deadline"]
            )
            for h in hazard_forms
            if h.cleaned_data.get("description")
        ]
        rows = [h for h in hazard_forms if h.cleaned_data.get("description")]
        try:
            services.inspection_record(
                actor=request.user, facility=facility, hazards=hazards, **form.cleaned_data
            )
        except DomainError as error:
            for key, field_messages in error.errors.items():
                parts = key.split(".")
                for message in field_messages:
                    if len(parts) == 3 and parts[0] == "hazards":
                        rows[int(parts[1])].add_error(parts[2], message)
                    else:
                        form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, _("The inspection has been recorded."))
            return redirect("eldercare:facility-detail", pk=facility.pk)
    return _facility_page(request, facility, inspection_form=form, hazard_forms=hazard_forms)


@ability_required(WORK)
@require_POST
def hazard_rectify_page(request: HttpRequest, pk: int) -> HttpResponse:
    hazard = get_object_or_404(selectors.hazard_list(user=request.user), pk=pk)
    form = RectifyForm(request.POST)
    if form.is_valid():
        try:
            services.hazard_rectify(
                actor=request.user,
                hazard=hazard,
                rectified_on=form.cleaned_data["rectified_on"],
                note=form.cleaned_data["note"],
            )
        except DomainError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The rectification has been recorded."))
    else:
        errors_as_messages(request, form)
    return redirect("eldercare:facility-detail", pk=hazard.facility_id)


# --- Alerts ---------------------------------------------------------------------------------------------------


@ability_required(READ)
def alert_list_page(request: HttpRequest) -> HttpResponse:
    """Open alerts (closed ones are on their facility's page), by kind."""
    counts = selectors.open_alerts_by_kind(user=request.user)
    return list_page(
        request,
        "eldercare/alert_list.html",
        lambda query: selectors.alert_list(user=request.user, filters=query).filter(closed_at__isnull=True),
        filterset=selectors.AlertFilter,
        shown=["kind", "division"],
        export=("alerts", AlertViewSet.export_columns),
        context={"kinds": [(k.value, k.label, counts.get(k.value, 0)) for k in AlertKind]},
    )


@ability_required(WORK)
@require_POST
def alert_close_page(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(selectors.alert_list(user=request.user), pk=pk)
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            services.alert_close(actor=request.user, alert=alert, note=form.cleaned_data["note"])
        except DomainError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The alert has been closed."))
    else:
        errors_as_messages(request, form)
    return redirect("eldercare:facility-detail", pk=alert.facility_id)


# --- Home care ------------------------------------------------------------------------------------------------


@ability_required(READ)
def home_care_list_page(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        "eldercare/home_care_list.html",
        lambda query: selectors.home_care_list(user=request.user, filters=query),
        filterset=selectors.HomeCareFilter,
        shown=["search", "kind", "status", "division"],
        export=("home-care", HomeCareViewSet.export_columns),
        context={"may_write": may(request.user, WORK)},
    )


def _for_person(request: HttpRequest, save: Callable[..., Any]) -> Callable[[Mapping[str, Any]], Any]:
    """``save(person=…, **rest)`` for a form naming its person by whole ID number (``id_number``), looked up in
    the user's jurisdiction; a refusal about the person shows beside the ID number."""

    def call(data: Mapping[str, Any]) -> Any:
        values = dict(data)
        person = person_by_id_number(user=request.user, id_number=values.pop("id_number"))
        if person is None:
            raise RuleViolation(
                _("No resident with this ID number is registered in your jurisdiction."),
                field="id_number",
                code="unknown_person",
            )
        try:
            return save(person=person, **values)
        except DomainError as error:
            if "person" in error.errors:
                error.errors["id_number"] = error.errors.pop("person")
            raise

    return call


@ability_required(WORK)
def home_care_new_page(request: HttpRequest) -> HttpResponse:
    form = HomeCareForm(request.POST or None)
    if request.method == "POST" and saved(
        request,
        form,
        _for_person(request, partial(services.home_care_create, actor=request.user)),
        success=_("The project has been recorded."),
    ):
        return redirect("eldercare:home-care-list")
    return render(request, "eldercare/home_care_form.html", {"form": form})


@ability_required(WORK)
def home_care_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(selectors.home_care_list(user=request.user), pk=pk)
    initial = {name: getattr(project, name) for name in services.HOME_CARE_CHANGES}
    form = HomeCareEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and saved(
        request,
        form,
        lambda data: services.home_care_update(actor=request.user, project=project, **data),
        success=_("The project has been updated."),
    ):
        return redirect("eldercare:home-care-list")
    return render(request, "eldercare/home_care_edit.html", {"project": project, "form": form})


# --- 情暖夕阳 meal delivery ----------------------------------------------------------------------------------------


@ability_required(READ)
def meal_enrolment_list_page(request: HttpRequest) -> HttpResponse:
    return list_page(
        request,
        "eldercare/meal_enrolment_list.html",
        lambda query: selectors.meal_enrolment_list(user=request.user, filters=query),
        filterset=selectors.MealEnrolmentFilter,
        shown=["search", "open", "division"],
        annotate=lambda rows: rows.annotate(
            months=Count("deliveries"), meals=Sum("deliveries__meals_delivered")
        ),
        export=("meal-enrolments", MealEnrolmentViewSet.export_columns),
        context={"may_write": may(request.user, WORK)},
    )


def _meal_sites(request: HttpRequest) -> QuerySet[Facility]:
    return selectors.facility_list(user=request.user).filter(
        kind=FacilityKind.MEAL_SITE, status=FacilityStatus.OPERATING
    )


@ability_required(WORK)
def meal_enrolment_new_page(request: HttpRequest) -> HttpResponse:
    form = MealEnrolmentForm(
        request.POST or None, meal_sites=_meal_sites(request), initial={"enrolled_on": timezone.localdate()}
    )
    if request.method == "POST":
        enrolment = saved(
            request,
            form,
            _for_person(request, partial(services.meal_enrolment_create, actor=request.user)),
            success=lambda enrolment: (
                _("%(name)s is enrolled for meal delivery.") % {"name": enrolment.person.name}
            ),
        )
        if enrolment is not None:
            return redirect("eldercare:meal-enrolment-detail", pk=enrolment.pk)
    return render(request, "eldercare/meal_enrolment_form.html", {"form": form})


def _meal_enrolment_get(request: HttpRequest, pk: int) -> MealDeliveryEnrolment:
    return get_object_or_404(selectors.meal_enrolment_list(user=request.user), pk=pk)


def _meal_enrolment_page(
    request: HttpRequest, enrolment: MealDeliveryEnrolment, **forms_: forms.Form
) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "enrolment": enrolment,
        "deliveries": selectors.meal_delivery_list(user=request.user).filter(enrolment=enrolment),
        "may_write": may(request.user, WORK) and enrolment.ended_on is None,
        # A recorded month stays correctable after the enrolment ended.
        "may_correct": may(request.user, WORK),
        "delivery_form": forms_.get("delivery_form")
        or MealDeliveryForm(prefix="delivery", initial={"month": f"{today:%Y-%m}"}),
        "end_form": forms_.get("end_form") or MealEnrolmentEndForm(prefix="end", initial={"ended_on": today}),
    }
    return render(request, "eldercare/meal_enrolment_detail.html", context)


@ability_required(READ)
def meal_enrolment_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _meal_enrolment_page(request, _meal_enrolment_get(request, pk))


@ability_required(WORK)
@require_POST
def meal_delivery_record_page(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _meal_enrolment_get(request, pk)
    form = MealDeliveryForm(request.POST, prefix="delivery")
    if saved(
        request,
        form,
        lambda data: services.meal_delivery_record(actor=request.user, enrolment=enrolment, **data),
        success=_("The month's deliveries have been recorded."),
    ):
        return redirect("eldercare:meal-enrolment-detail", pk=enrolment.pk)
    return _meal_enrolment_page(request, enrolment, delivery_form=form)


@ability_required(WORK)
@require_POST
def meal_delivery_correct_page(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(selectors.meal_delivery_list(user=request.user), pk=pk)
    form = MealDeliveryCorrectForm(request.POST)
    if form.is_valid():
        try:
            services.meal_delivery_correct(
                actor=request.user, delivery=delivery, meals_delivered=form.cleaned_data["meals_delivered"]
            )
        except DomainError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The month's deliveries have been corrected."))
    else:
        errors_as_messages(request, form)
    return redirect("eldercare:meal-enrolment-detail", pk=delivery.enrolment_id)


@ability_required(WORK)
@require_POST
def meal_enrolment_end_page(request: HttpRequest, pk: int) -> HttpResponse:
    enrolment = _meal_enrolment_get(request, pk)
    form = MealEnrolmentEndForm(request.POST, prefix="end")
    if saved(
        request,
        form,
        lambda data: services.meal_enrolment_end(actor=request.user, enrolment=enrolment, **data),
        success=_("The enrolment has ended."),
    ):
        return redirect("eldercare:meal-enrolment-detail", pk=enrolment.pk)
    return _meal_enrolment_page(request, enrolment, end_form=form)
