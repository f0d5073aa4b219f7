"""The registrar's pages: register a marriage (checked before anything is saved), the day's registrations,
divorce applications by phase with the days left, counselling cases. Thin views over services and selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import CASE_READERS, may
from civil_affairs.errors import DomainError, RuleViolation
from civil_affairs.people.models import Person
from civil_affairs.web.actions import Bound, action_forms, safe_next, take_posted_action
from civil_affairs.web.decorators import ability_required, role_required
from civil_affairs.web.exports import export_if_asked
from civil_affairs.web.forms import show_domain_error
from civil_affairs.workflow.engine import Transition, actions_for

from . import civil_code, selectors, services
from .exports import COUNSELLING_COLUMNS, DIVORCE_COLUMNS, REGISTRATION_COLUMNS
from .forms import (
    CounsellingCaseForm,
    CounsellingCloseForm,
    CounsellingSessionForm,
    DateForm,
    DivorceApplicationForm,
    RegistrationForm,
)
from .models import CounsellingCase, DivorceApplication, Registration
from .workflow import COUNSELLING, DIVORCE, CounsellingOutcome, DivorcePhase, DivorceState, divorce_actions

# The tabs of the divorce page, in the order a registrar works them.
DIVORCE_TABS = [
    (DivorcePhase.COOLING_OFF.value, gettext_lazy("Cooling-off period")),
    (DivorcePhase.AWAITING_CERTIFICATE.value, gettext_lazy("Awaiting certificate")),
    (selectors.LAPSED, gettext_lazy("Lapsed")),
    (DivorcePhase.ISSUED.value, gettext_lazy("Certificate issued")),
]


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The section's front page: today's work at a glance, with the registrar's entry points."""
    today = timezone.localdate()
    context: dict[str, Any] = {"today": today, "can_read": may(request.user, "read_marriage")}
    if context["can_read"]:
        context.update(
            registrations_today=selectors.registration_list(user=request.user, on=today).count(),
            divorce_counts=selectors.divorce_phase_counts(user=request.user, today=today),
            counselling_counts=selectors.counselling_outcome_counts(user=request.user),
            can_write=may(request.user, "work_marriage"),
        )
    return render(request, "marriage/index.html", context)


@dataclass(frozen=True)
class PartyFacts:
    """What the registrar sees of a party found by ID number before registering."""

    key: str
    person: Person
    age: int
    marriage: Registration | None  # the marriage they are in on the registration date

    @property
    def spouse(self) -> Person | None:
        if self.marriage is None:
            return None
        return self.marriage.party_b if self.marriage.party_a_id == self.person.pk else self.marriage.party_a


@ability_required("register_marriage")
def registration_create_page(request: HttpRequest) -> HttpResponse:
    """Look both parties up, show every refused rule beside its party (``check``), then register."""
    form = RegistrationForm(request.POST or None, user=request.user)
    parties: dict[str, PartyFacts] = {}
    checked_ok = False
    if request.method == "POST" and form.is_valid():
        # A copy: showing a refusal beside a field takes that field out of cleaned_data.
        arguments: dict[str, Any] = {
            key: form.cleaned_data[key]
            for key in ("party_a", "party_b", "registration_date", "declares_not_close_relatives")
        }
        if request.POST.get("step") == "register":
            try:
                registration = services.registration_create(actor=request.user, **arguments)
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("The marriage is registered: certificate %(number)s.")
                    % {"number": registration.certificate_number},
                )
                return redirect(f"{reverse('marriage:registrations')}?date={registration.registration_date}")
        else:
            refusals = services.registration_refusals(actor=request.user, **arguments)
            if refusals:
                show_domain_error(form, RuleViolation(errors=refusals))
            checked_ok = not refusals
        on = arguments["registration_date"]
        parties = {
            key: PartyFacts(
                key=key,
                person=arguments[key],
                age=civil_code.age_on(arguments[key].birth_date, on),
                marriage=selectors.marriage_on(person=arguments[key], on=on),
            )
            for key in ("party_a", "party_b")
        }
    return render(
        request,
        "marriage/registration_form.html",
        {"form": form, "parties": parties, "checked_ok": checked_ok},
    )


@role_required(CASE_READERS)
def registration_list_page(request: HttpRequest) -> HttpResponse:
    """The registrations of one day (today unless another date is chosen)."""
    date_form = DateForm(request.GET or None)
    on = timezone.localdate()
    if date_form.is_valid() and date_form.cleaned_data["date"]:
        on = date_form.cleaned_data["date"]
    registrations = selectors.registration_list(user=request.user, on=on)
    export = export_if_asked(
        request, name=f"registrations-{on.isoformat()}", columns=REGISTRATION_COLUMNS, rows=registrations
    )
    if export is not None:
        return export
    page = Paginator(registrations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "marriage/registration_list.html",
        {"page": page, "on": on, "is_today": on == timezone.localdate(), "date_form": date_form},
    )


@dataclass(frozen=True)
class DivorceRow:
    divorce: DivorceApplication
    phase: str
    calendar: civil_code.DivorceCalendar
    days_left: int | None
    actions: list[Transition]


@role_required(CASE_READERS)
def divorce_list_page(request: HttpRequest) -> HttpResponse:
    """Divorce applications by phase, with the date the current period ends and the days left."""
    today = timezone.localdate()
    tabs = dict(DIVORCE_TABS)
    phase = request.GET.get("phase") or DivorcePhase.COOLING_OFF.value
    if phase not in tabs:
        phase = DivorcePhase.COOLING_OFF.value
    divorces = selectors.divorce_list(user=request.user, phase=phase, today=today)
    export = export_if_asked(request, name=f"divorces-{phase}", columns=DIVORCE_COLUMNS, rows=divorces)
    if export is not None:
        return export
    page = Paginator(divorces, 50).get_page(request.GET.get("page"))
    counts = selectors.divorce_phase_counts(user=request.user, today=today)
    rows = [
        DivorceRow(
            divorce=divorce,
            phase=divorce.phase_on(today),
            calendar=divorce.calendar,
            days_left=civil_code.days_left_in_period(
                divorce.application_date, max(today, divorce.application_date)
            )
            if divorce.state == DivorceState.OPEN
            else None,
            actions=divorce_actions(divorce, request.user, today),
        )
        for divorce in page
    ]
    return render(
        request,
        "marriage/divorce_list.html",
        {
            "page": page,
            "rows": rows,
            "phase": phase,
            "phase_title": tabs[phase],
            "tabs": [(slug, title, counts.get(slug)) for slug, title in DIVORCE_TABS],
            "can_write": may(request.user, "work_marriage"),
        },
    )


@ability_required("work_marriage")
def divorce_create_page(request: HttpRequest) -> HttpResponse:
    form = DivorceApplicationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.divorce_apply(
                actor=request.user,
                registration=form.cleaned_data["certificate_number"],
                application_date=form.cleaned_data["application_date"],
            )
        except DomainError as error:
            show_domain_error(form, error)
            if "registration" in error.errors:  # the marriage is named by its certificate number here
                for message in error.errors["registration"]:
                    form.add_error("certificate_number", message)
        else:
            messages.success(
                request, _("The application is recorded; the 30-day cooling-off period has begun.")
            )
            return redirect(f"{reverse('marriage:divorces')}?phase={DivorcePhase.COOLING_OFF.value}")
    return render(request, "marriage/divorce_form.html", {"form": form})


DIVORCE_PAGE_ACTIONS: dict[str, Callable[..., DivorceApplication]] = {
    "withdraw": services.divorce_withdraw,
    "issue": services.divorce_issue,
}


def _divorce_done(divorce: DivorceApplication, transition: Transition) -> str:
    if transition.action == "issue":
        return _("The divorce certificate %(number)s is issued; the marriage is dissolved from today.") % {
            "number": divorce.certificate_number
        }
    return _("The divorce application is withdrawn.")


@require_POST
@role_required(CASE_READERS)
def divorce_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Withdraw (cooling-off period) or issue the certificate (days 31–60), each confirmed first; a refusal is
    shown as a message above the list."""
    divorce = selectors.divorce_list(user=request.user).filter(pk=pk).first()
    if divorce is None or action not in DIVORCE_PAGE_ACTIONS:
        raise Http404
    registration = divorce.registration
    return take_posted_action(
        request,
        workflow=DIVORCE,
        action=action,
        forms_by_action={},
        perform=lambda: DIVORCE_PAGE_ACTIONS[action](actor=request.user, divorce=divorce),
        done=_divorce_done,
        redirect_to=safe_next(request, reverse("marriage:divorces")),
        obj=divorce,
        subject=_(
            "Divorce application of %(a)s and %(b)s (marriage certificate %(number)s), made on %(date)s"
        )
        % {
            "a": registration.party_a.name,
            "b": registration.party_b.name,
            "number": registration.certificate_number,
            "date": divorce.application_date.isoformat(),
        },
        # Both end the case for good: the registrar confirms either.
        confirm=set(DIVORCE_PAGE_ACTIONS),
    )


@role_required(CASE_READERS)
def counselling_list_page(request: HttpRequest) -> HttpResponse:
    outcome = request.GET.get("outcome") or ""
    if outcome not in CounsellingOutcome.values:
        outcome = ""
    counts = selectors.counselling_outcome_counts(user=request.user)
    cases = selectors.counselling_list(user=request.user, outcome=outcome or None)
    export = export_if_asked(request, name="counselling-cases", columns=COUNSELLING_COLUMNS, rows=cases)
    if export is not None:
        return export
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "marriage/counselling_list.html",
        {
            "page": page,
            "outcome": outcome,
            "outcomes": [(value, label, counts[value]) for value, label in CounsellingOutcome.choices],
            "can_write": may(request.user, "work_marriage"),
        },
    )


@ability_required("work_marriage")
def counselling_create_page(request: HttpRequest) -> HttpResponse:
    form = CounsellingCaseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        party_a, party_b = form.cleaned_data["party_a"], form.cleaned_data["party_b"]
        # Married to each other on that day: the case belongs to their marriage (and its open divorce, if any).
        registration = selectors.marriage_on(person=party_a, on=form.cleaned_data["opened_on"])
        if registration is not None and registration.spouse_of(party_a.pk) != party_b.pk:
            registration = None
        open_divorce = registration.divorces.filter(state=DivorceState.OPEN).first() if registration else None
        try:
            case = services.counselling_case_open(
                actor=request.user,
                party_a=party_a,
                party_b=party_b,
                opened_on=form.cleaned_data["opened_on"],
                concern=form.cleaned_data["concern"],
                registration=registration,
                divorce=open_divorce,
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The counselling case is opened."))
            return redirect("marriage:counselling-detail", pk=case.pk)
    return render(request, "marriage/counselling_form.html", {"form": form})


# The counselling page's forms, one per action of workflow.COUNSELLING; the field names are the services'.
COUNSELLING_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "record_session": CounsellingSessionForm,
    "close": CounsellingCloseForm,
}
COUNSELLING_SERVICES: dict[str, Callable[..., Any]] = {
    "record_session": services.counselling_session_record,
    "close": services.counselling_case_close,
}


def _counselling_page(
    request: HttpRequest, case: CounsellingCase, bound: Bound | None = None
) -> HttpResponse:
    allowed = actions_for(COUNSELLING, case, request.user)
    return render(
        request,
        "marriage/counselling_detail.html",
        {"case": case, "action_forms": action_forms(request, allowed, COUNSELLING_ACTION_FORMS, bound)},
    )


@role_required(CASE_READERS)
def counselling_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The case with its sessions; its forms post here with the action they take (``action``)."""
    case = selectors.counselling_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _counselling_page(request, case)
    action = request.POST.get("action", "")
    if action not in COUNSELLING_SERVICES:
        raise Http404
    return take_posted_action(
        request,
        workflow=COUNSELLING,
        action=action,
        forms_by_action=COUNSELLING_ACTION_FORMS,
        perform=lambda **data: COUNSELLING_SERVICES[action](actor=request.user, case=case, **data),
        done=lambda updated, transition: (
            _("The case is closed.") if transition.action == "close" else _("The session is recorded.")
        ),
        redirect_to=reverse("marriage:counselling-detail", args=[case.pk]),
        rerender=lambda bound: _counselling_page(
            request, selectors.counselling_get(user=request.user, pk=pk), bound
        ),
        obj=case,
        subject=_("Counselling of %(a)s and %(b)s") % {"a": case.party_a.name, "b": case.party_b.name},
        confirm={"close"},
        carry=("action",),
    )
