"""The registrar's pages: register a marriage (checked before anything is saved), the day's registrations, a
registration with its certificates issued again and court rulings, divorce applications by phase with both
periods' end dates and the days left (the couple shown before an application is saved), counselling cases.
Parties are shown as 男方/女方 by sex. Thin views over services and selectors."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import ADMINISTRATORS, CASE_READERS, may, user_has_role
from civil_affairs.errors import DomainError, RuleViolation
from civil_affairs.people.models import Person
from civil_affairs.web.actions import Bound, action_forms, safe_next, take_posted_action
from civil_affairs.web.decorators import ability_required, role_required
from civil_affairs.web.exports import export_if_asked
from civil_affairs.web.forms import show_domain_error
from civil_affairs.web.lists import filter_form, filtered, ordered, paginate
from civil_affairs.workflow.engine import Transition, actions_for

from . import civil_code, periods, selectors, services
from .exports import COUNSELLING_COLUMNS, DIVORCE_COLUMNS, REGISTRATION_COLUMNS
from .forms import (
    AnnulForm,
    CounsellingCaseForm,
    CounsellingCloseForm,
    CounsellingSessionForm,
    DateForm,
    DivorceApplicationForm,
    RegistrationForm,
    ReissueForm,
)
from .models import CertificateReissue, CounsellingCase, DivorceApplication, Registration
from .workflow import (
    COUNSELLING,
    DIVORCE,
    REGISTRATION,
    CounsellingOutcome,
    DivorcePhase,
    DivorceState,
    divorce_actions,
)

# The tabs of the divorce page, in the order a registrar works them: the open phases (the work) ...
DIVORCE_TABS = [
    (DivorcePhase.COOLING_OFF.value, gettext_lazy("Cooling-off period")),
    (DivorcePhase.AWAITING_CERTIFICATE.value, gettext_lazy("Awaiting certificate")),
]
# ... and the closed ones, history rather than to-dos (issue 14 #6), listed apart.
DIVORCE_HISTORY_TABS = [
    (selectors.LAPSED, gettext_lazy("Lapsed")),
    (DivorcePhase.ISSUED.value, gettext_lazy("Certificate issued")),
]
PAGE_SIZE = 50
# A search finds a couple on every date and in every phase unless a date or phase is chosen as well.
SEARCHES = ("search", "registered_from", "registered_until", "certificate_number", "person")


def _search_label() -> dict[str, str]:
    return {"search": _("Name, whole ID number or certificate number")}


def _searching(request: HttpRequest) -> bool:
    return any(request.GET.get(name, "").strip() for name in SEARCHES)


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


def party_facts(key: str, person: Person, on: Any) -> PartyFacts:
    return PartyFacts(
        key=key,
        person=person,
        age=civil_code.age_on(person.birth_date, on),
        marriage=selectors.marriage_on(person=person, on=on),
    )


def couple_facts(registration: Registration, on: Any) -> list[PartyFacts]:
    """男方 then 女方, as the pages show a couple."""
    return [party_facts("husband", registration.husband, on), party_facts("wife", registration.wife, on)]


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
                registration = services.registration_create_with_new_parties(
                    actor=request.user, new_parties=form.new_parties, **arguments
                )
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
        parties = {key: party_facts(key, arguments[key], on) for key in ("party_a", "party_b")}
    return render(
        request,
        "marriage/registration_form.html",
        {"form": form, "parties": parties, "checked_ok": checked_ok, "new_parties": form.new_parties},
    )


@role_required(CASE_READERS)
def registration_list_page(request: HttpRequest) -> HttpResponse:
    """The registrations of one day (today unless another date is chosen), or, searching by a party's name or
    whole ID number, a certificate number or a period (RegistrationFilter), those of every date."""
    date_form = DateForm(request.GET or None)
    today = timezone.localdate()
    chosen = date_form.cleaned_data["date"] if date_form.is_valid() else None
    on = chosen or (None if _searching(request) else today)
    filters = filter_form(
        request,
        selectors.RegistrationFilter,
        shown=["search", "registered_from", "registered_until"],
        labels=_search_label(),
        divisions=None,
    )
    registrations = filtered(
        request,
        lambda query: selectors.registration_list(user=request.user, on=on, filters=query),
        form=filters,
    )
    registrations = ordered(request, registrations, selectors.REGISTRATION_ORDERING)
    name = f"registrations-{on.isoformat()}" if on else "registrations"
    export = export_if_asked(request, name=name, columns=REGISTRATION_COLUMNS, rows=registrations)
    if export is not None:
        return export
    context = {
        "page": paginate(request, registrations, per_page=PAGE_SIZE),
        "on": on,
        "is_today": on == today,
        "date_form": date_form,
        "filters": filters,
    }
    return render(request, "marriage/registration_list.html", context)


@dataclass(frozen=True)
class DivorceRow:
    divorce: DivorceApplication
    phase: str
    calendar: civil_code.DivorceCalendar
    days_left: int | None
    actions: list[Transition]

    @property
    def cooling_off_extended(self) -> bool:
        """The 30th day fell on a rest day, so the period runs to the next working day (art. 203)."""
        days = datetime.timedelta(days=civil_code.COOLING_OFF_DAYS)
        return self.calendar.cooling_off_ends > self.divorce.application_date + days

    @property
    def certificate_window_extended(self) -> bool:
        days = datetime.timedelta(days=civil_code.CERTIFICATE_WINDOW_DAYS)
        return self.calendar.certificate_window_ends > self.calendar.cooling_off_ends + days


@role_required(CASE_READERS)
def divorce_list_page(request: HttpRequest) -> HttpResponse:
    """Divorce applications by phase, with the date the current period ends and the days left; a search by a
    party's name or whole ID number or a certificate number (DivorceFilter) looks in every phase unless one
    is chosen."""
    today = timezone.localdate()
    tabs = dict(DIVORCE_TABS + DIVORCE_HISTORY_TABS)
    phase: str | None = request.GET.get("phase") or None
    if phase not in tabs:
        phase = None if _searching(request) else DivorcePhase.COOLING_OFF.value
    filters = filter_form(
        request,
        selectors.DivorceFilter,
        shown=["search", "applied_from", "applied_until"],
        labels=_search_label(),
        divisions=None,
    )
    divorces = filtered(
        request,
        lambda query: selectors.divorce_list(user=request.user, phase=phase, today=today, filters=query),
        form=filters,
        drop=["phase"],  # the tab's phase, chosen above
    )
    divorces = ordered(request, divorces, selectors.DIVORCE_ORDERING)
    export = export_if_asked(
        request, name=f"divorces-{phase or 'search'}", columns=DIVORCE_COLUMNS, rows=divorces
    )
    if export is not None:
        return export
    page = paginate(request, divorces, per_page=PAGE_SIZE)
    counts = selectors.divorce_phase_counts(user=request.user, today=today)
    rows = [
        DivorceRow(
            divorce=divorce,
            phase=divorce.phase_on(today),
            calendar=divorce.calendar,
            days_left=civil_code.days_left_on(divorce.calendar, max(today, divorce.application_date))
            if divorce.state == DivorceState.OPEN
            else None,
            actions=divorce_actions(divorce, request.user, today),
        )
        for divorce in page
    ]
    open_rows = [row for row in rows if row.divorce.state == DivorceState.OPEN]
    unknown_years = periods.unknown_years(
        [row.calendar.certificate_window_ends for row in open_rows]
        + [row.calendar.cooling_off_ends for row in open_rows]
    )
    return render(
        request,
        "marriage/divorce_list.html",
        {
            "page": page,
            "rows": rows,
            "phase": phase,
            "phase_title": tabs[phase] if phase else _("Search results"),
            "tabs": [(slug, title, counts.get(slug)) for slug, title in DIVORCE_TABS],
            "history_tabs": DIVORCE_HISTORY_TABS,
            "filters": filters,
            "can_write": may(request.user, "work_marriage"),
            "unknown_years": unknown_years,
        },
    )


@ability_required("work_marriage")
def divorce_create_page(request: HttpRequest) -> HttpResponse:
    """Look the couple up by their marriage certificate and show both parties (``step=check``), then record
    the application with their written agreement and attendance (``step=apply``)."""
    archive = user_has_role(request.user, ADMINISTRATORS)
    form = DivorceApplicationForm(request.POST or None, user=request.user, archive=archive)
    couple: list[PartyFacts] = []
    registration: Registration | None = None
    today = timezone.localdate()
    if request.method == "POST" and form.is_valid():
        registration = form.cleaned_data["certificate_number"]
        couple = couple_facts(registration, today)
        if request.POST.get("step") == "apply":
            try:
                divorce = services.divorce_apply(
                    actor=request.user,
                    registration=registration,
                    application_date=form.cleaned_data.get("application_date") or today,
                    agreement=form.cleaned_data["agreement"],
                    attended_in_person=form.cleaned_data["attended_in_person"],
                    archive_reason=form.cleaned_data.get("archive_reason") or "",
                )
            except DomainError as error:
                show_domain_error(form, error)
                if "registration" in error.errors:  # the marriage is named by its certificate number here
                    for message in error.errors["registration"]:
                        form.add_error("certificate_number", message)
            else:
                messages.success(
                    request,
                    _(
                        "The application is recorded; the cooling-off period runs until %(until)s, the "
                        "certificate can be issued from %(from)s to %(ends)s."
                    )
                    % {
                        "until": divorce.cooling_off_ends.isoformat(),
                        "from": divorce.calendar.certificate_from.isoformat(),
                        "ends": divorce.certificate_window_ends.isoformat(),
                    },
                )
                return redirect(f"{reverse('marriage:divorces')}?phase={DivorcePhase.COOLING_OFF.value}")
    return render(
        request,
        "marriage/divorce_form.html",
        {"form": form, "couple": couple, "registration": registration, "archive": archive},
    )


DIVORCE_PAGE_ACTIONS: dict[str, Callable[..., Any]] = {
    "withdraw": services.divorce_withdraw,
    "issue": services.divorce_issue,
    "reissue": services.divorce_reissue,
}


def _divorce_done(result: Any, transition: Transition) -> str:
    if transition.action == "issue":
        return _("The divorce certificate %(number)s is issued; the marriage is dissolved from today.") % {
            "number": result.certificate_number
        }
    if transition.action == "reissue":
        return _("The divorce certificate is issued again: %(number)s.") % {
            "number": result.certificate_number
        }
    return _("The divorce application is withdrawn.")


@require_POST
@role_required(CASE_READERS)
def divorce_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Withdraw (cooling-off period), issue the certificate (certificate period) or issue it again, each
    confirmed first; a refusal is shown as a message above the list."""
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
            "Divorce application of %(husband)s (male party) and %(wife)s (female party) (marriage certificate "
            "%(number)s), made on %(date)s"
        )
        % {
            "husband": registration.husband.name,
            "wife": registration.wife.name,
            "number": registration.certificate_number,
            "date": divorce.application_date.isoformat(),
        },
        details=lambda: _divorce_details(divorce),
        # Each ends the case or issues a document for good: the registrar confirms it.
        confirm=set(DIVORCE_PAGE_ACTIONS),
    )


def _divorce_details(divorce: DivorceApplication) -> list[tuple[str, str]]:
    """What the confirmation page repeats about the application."""
    calendar = divorce.calendar
    return [
        (_("Cooling-off period ends"), calendar.cooling_off_ends.isoformat()),
        (
            _("Certificate period"),
            f"{calendar.certificate_from.isoformat()} – {calendar.certificate_window_ends.isoformat()}",
        ),
        (_("Written agreement on children, property and debts"), divorce.agreement or "—"),
    ]


# --- A registration: its record, certificates issued again, a court's ruling --------------------------------

REGISTRATION_ACTION_FORMS: dict[str, type[forms.Form]] = {"reissue": ReissueForm, "annul": AnnulForm}
REGISTRATION_SERVICES: dict[str, Callable[..., Any]] = {
    "reissue": services.registration_reissue,
    "annul": services.registration_annul,
}


def _registration_page(
    request: HttpRequest, registration: Registration, bound: Bound | None = None
) -> HttpResponse:
    today = timezone.localdate()
    allowed = actions_for(REGISTRATION, registration, request.user)
    divorces = list(registration.divorces.prefetch_related("reissues").order_by("application_date", "id"))
    return render(
        request,
        "marriage/registration_detail.html",
        {
            "registration": registration,
            "couple": couple_facts(registration, today),
            "divorces": [(divorce, divorce.phase_on(today)) for divorce in divorces],
            "action_forms": action_forms(request, allowed, REGISTRATION_ACTION_FORMS, bound),
        },
    )


def _registration_done(result: Any, transition: Transition) -> str:
    if isinstance(result, CertificateReissue):
        return _("The marriage certificate is issued again: %(number)s.") % {
            "number": result.certificate_number
        }
    return _("The court's ruling is recorded: the marriage never had effect.")


@role_required(CASE_READERS)
def registration_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A registration: the couple (男方/女方), its divorce applications, certificates issued again and a court's
    ruling; its forms post here with the action they take (``action``), each confirmed first."""
    registration = selectors.registration_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _registration_page(request, registration)
    action = request.POST.get("action", "")
    if action not in REGISTRATION_SERVICES:
        raise Http404
    return take_posted_action(
        request,
        workflow=REGISTRATION,
        action=action,
        forms_by_action=REGISTRATION_ACTION_FORMS,
        perform=lambda **data: REGISTRATION_SERVICES[action](
            actor=request.user, registration=registration, **data
        ),
        done=_registration_done,
        redirect_to=reverse("marriage:registration-detail", args=[registration.pk]),
        rerender=lambda bound: _registration_page(
            request, selectors.registration_get(user=request.user, pk=pk), bound
        ),
        obj=registration,
        subject=_("Marriage of %(husband)s (male party) and %(wife)s (female party), certificate %(number)s")
        % {
            "husband": registration.husband.name,
            "wife": registration.wife.name,
            "number": registration.certificate_number,
        },
        confirm=set(REGISTRATION_SERVICES),
        carry=("action",),
    )


@role_required(CASE_READERS)
def counselling_list_page(request: HttpRequest) -> HttpResponse:
    outcome = request.GET.get("outcome") or ""
    if outcome not in CounsellingOutcome.values:
        outcome = ""
    counts = selectors.counselling_outcome_counts(user=request.user)
    filters = filter_form(
        request,
        selectors.CounsellingFilter,
        shown=["search", "opened_from", "opened_until"],
        labels=_search_label(),
        divisions=None,
    )
    cases = filtered(
        request,
        lambda query: selectors.counselling_list(user=request.user, outcome=outcome or None, filters=query),
        form=filters,
        drop=["outcome"],  # the tab's, checked above
    )
    cases = ordered(request, cases, selectors.COUNSELLING_ORDERING)
    export = export_if_asked(request, name="counselling-cases", columns=COUNSELLING_COLUMNS, rows=cases)
    if export is not None:
        return export
    page = paginate(request, cases, per_page=PAGE_SIZE)
    return render(
        request,
        "marriage/counselling_list.html",
        {
            "page": page,
            "filters": filters,
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
