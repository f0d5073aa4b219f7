"""Social-assistance pages (issue #3, item 7): filing an application with its household, the caseworker's
work queue, the application with the actions the workflow table allows, the reviewer's queue, enrollments,
households. Thin views: forms check the shape, services.py enforces the rules and its refusals are shown
next to the field they name; every object comes from a jurisdiction-scoped selector (404 outside).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import BATCH_READERS, CASE_READERS, DECIDERS, may
from civil_affairs.api.query_filters import TRUE_VALUES
from civil_affairs.errors import DomainError
from civil_affairs.exports import export_response, wanted_format
from civil_affairs.web.actions import Bound, action_forms, form_for, safe_next, take_posted_action
from civil_affairs.web.decorators import ability_required, role_required
from civil_affairs.web.exports import export_if_asked
from civil_affairs.web.formatting import percent, yuan
from civil_affairs.web.forms import show_domain_error
from civil_affairs.web.lists import filter_form, filtered, list_page, ordered, paginate
from civil_affairs.workflow.engine import Transition, actions_for, may_take
from civil_affairs.workflow.engine import history as step_history

from . import jobs, payees, rules, selectors, services
from .exports import APPLICATION_COLUMNS, ENROLLMENT_COLUMNS, HOUSEHOLD_COLUMNS
from .forms import (
    APPLICATION_ACTION_FORMS,
    ENROLLMENT_ACTION_FORMS,
    ApplyForm,
    BaseMemberFormSet,
    ExtendDecisionForm,
    FilingForm,
    PaymentBatchForm,
    RecheckForm,
    UpliftForm,
    member_formset,
    recheck_form_for,
)
from .models import Application, Enrollment, JobStatus, PaymentBatch, Uplift
from .rules import Category
from .workflow import APPLICATION, ENROLLMENT, TRANSITIONS, UPLIFT, EnrollmentStatus, State, UpliftStatus

PAGE_SIZE = 25

# The work-queue tabs, the cases still to be worked: slug, title, the states the tab shows.
QUEUE_TABS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("submitted", State.SUBMITTED.label, (State.SUBMITTED,)),
    ("accepted", State.ACCEPTED.label, (State.ACCEPTED,)),
    ("investigated", State.INVESTIGATED.label, (State.INVESTIGATED,)),
    ("publicised", State.PUBLICISED.label, (State.PUBLICISED,)),
]
# Closed cases are history, not to-dos (issue 14 #6): listed apart from the queue, without counts to work off.
HISTORY_TABS: list[tuple[str, Any, tuple[str, ...]]] = [
    ("decided", gettext_lazy("Decided"), (State.APPROVED, State.REJECTED)),
    ("withdrawn", State.WITHDRAWN.label, (State.WITHDRAWN,)),
]
# The filters each list page shows (fields of the list's FilterSet in selectors.py, the API's own).
QUEUE_FILTERS = ["search", "category", "division"]  # decision_overdue: the link above the list
HISTORY_FILTERS = ["search", "category", "division", "decided_after", "decided_before"]
REVIEW_FILTERS = ["search", "division", "ready", "decision_overdue"]
ENROLLMENT_FILTERS = ["search", "status", "category", "division", "recheck_overdue"]
HOUSEHOLD_FILTERS = ["search", "division"]


def _page(request: HttpRequest, queryset: Any) -> Any:
    return paginate(request, queryset, per_page=PAGE_SIZE)


def _search_label() -> dict[str, str]:
    return {"search": _("Name, whole ID number or address")}


def _state_counts(applications: QuerySet[Application], today: datetime.date) -> dict[str, int]:
    """Applications per state, and under ``OVERDUE`` those whose decision is overdue, in one query."""
    counts = applications.order_by().aggregate(
        **{state.value: Count("id", filter=Q(state=state)) for state in State},
        **{OVERDUE: Count("id", filter=selectors.decision_overdue_q(today))},
    )
    return {key: value or 0 for key, value in counts.items()}


OVERDUE = "decision_overdue"


# --- Index --------------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def index_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    applications = selectors.application_list(user=user)
    counts = _state_counts(applications, today)
    context = {
        "tabs": [(slug, title, sum(counts.get(s, 0) for s in states)) for slug, title, states in QUEUE_TABS],
        "history_tabs": [(slug, title) for slug, title, _states in HISTORY_TABS],
        "may_file": may(user, "file_application"),
        "may_decide": may(user, "decide_application"),
        "may_run_jobs": may(user, "read_district_jobs"),
        "awaiting_decision": counts.get(State.PUBLICISED, 0),
        "ready_for_decision": applications.filter(selectors.ready_for_decision_q(today)).count(),
        "overdue_rechecks": selectors.rechecks_overdue(user=user, today=today).count(),
        "overdue_decisions": counts[OVERDUE],
    }
    return render(request, "assistance/index.html", context)


# --- Filing an application with its household ---------------------------------------------------------------


def _show_filing_error(
    form: FilingForm, members: BaseMemberFormSet, members_errors: list[str], error: DomainError
) -> None:
    """A refusal of one member row beside that row's field; about the members as a whole, above the rows;
    else at its field."""
    rows = members.filled_forms()
    for key, field_messages in error.errors.items():
        parts = key.split(".")
        for message in field_messages:
            if len(parts) == 3 and parts[0] == "members":
                row = rows[int(parts[1])]
                row.add_error(parts[2] if parts[2] in row.fields else None, message)
            elif key in ("members", "covered_members"):
                members_errors.append(message)
            else:
                form.add_error(key if key in form.fields else None, message)


def _file_application(
    user: Any, form: FilingForm, members: BaseMemberFormSet, members_errors: list[str]
) -> Application | None:
    data = form.cleaned_data
    try:
        return services.application_file(
            actor=user,
            division=data["division"],
            address=data["address"],
            category=data["category"],
            irregular_income=data["irregular_income"],
            received_on=data["received_on"],
            members=[
                services.NewMember(
                    id_number=row.cleaned_data["id_number"],
                    name=row.cleaned_data["name"],
                    relation=row.cleaned_data["relation"],
                    monthly_income=row.cleaned_data["monthly_income"],
                    covered=row.cleaned_data["covered"],
                )
                for row in members.filled_forms()
            ],
        )
    except DomainError as error:
        _show_filing_error(form, members, members_errors, error)
        return None


@ability_required("file_application")
def application_file_page(request: HttpRequest) -> HttpResponse:
    form = FilingForm(request.POST or None, user=request.user)
    members = member_formset(request.POST or None)
    members_errors: list[str] = []
    if request.method == "POST":
        form_valid, members_valid = form.is_valid(), members.is_valid()  # both, so all errors show at once
        if form_valid and members_valid:
            application = _file_application(request.user, form, members, members_errors)
            if application is not None:
                messages.success(
                    request,
                    _("Application #%(id)s has been filed for %(address)s.")
                    % {"id": application.pk, "address": application.household.address},
                )
                return redirect("assistance:application-detail", pk=application.pk)
    return render(
        request,
        "assistance/application_file.html",
        {"form": form, "members": members, "members_errors": members_errors},
    )


# --- Households ---------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def household_list_page(request: HttpRequest) -> HttpResponse:
    """Households by a member's name or whole ID number, the address, or the division (HouseholdFilter)."""
    return list_page(
        request,
        "assistance/household_list.html",
        lambda filters: selectors.household_list(user=request.user, filters=filters),
        filterset=selectors.HouseholdFilter,
        shown=HOUSEHOLD_FILTERS,
        labels=_search_label(),
        ordering=selectors.HOUSEHOLD_ORDERING,
        export=("households", HOUSEHOLD_COLUMNS),
        per_page=PAGE_SIZE,
    )


@role_required(CASE_READERS)
def household_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    household = get_object_or_404(selectors.household_list(user=request.user), pk=pk)
    members = list(household.members.all())  # prefetched with their people
    may_apply = may(request.user, "file_application")
    form = ApplyForm(request.POST or None, members=members) if may_apply else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                application = services.application_submit(
                    actor=request.user,
                    household=household,
                    category=form.cleaned_data["category"],
                    covered_members=list(form.cleaned_data["covered_members"]) or None,
                    irregular_income=form.cleaned_data["irregular_income"],
                    received_on=form.cleaned_data["received_on"],
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("Application #%(id)s has been filed.") % {"id": application.pk})
                return redirect("assistance:application-detail", pk=application.pk)
    context = {
        "household": household,
        "members": members,
        "applications": selectors.application_list(user=request.user).filter(household=household),
        "enrollments": selectors.enrollment_list(user=request.user).filter(household=household),
        "form": form,
    }
    return render(request, "assistance/household_detail.html", context)


# --- Applications -------------------------------------------------------------------------------------------


@role_required(CASE_READERS)
def application_queue_page(request: HttpRequest) -> HttpResponse:
    """The work queue, one state per tab (``?state=``), or the history of closed cases (decided, withdrawn),
    kept apart from it; both searchable and filtered by ApplicationFilter, ordered by a column."""
    tabs = {slug: (title, states) for slug, title, states in QUEUE_TABS + HISTORY_TABS}
    current = request.GET.get("state", "")
    if current not in tabs:
        current = "submitted"
    is_history = current in {slug for slug, _title, _states in HISTORY_TABS}
    today = timezone.localdate()
    applications = selectors.application_list(user=request.user)
    counts = _state_counts(applications, today)
    form = filter_form(
        request,
        selectors.ApplicationFilter,
        shown=HISTORY_FILTERS if is_history else QUEUE_FILTERS,
        labels=_search_label(),
    )
    # The tab chooses the states; the FilterSet's own ``state`` is the API's.
    in_tab = filtered(
        request,
        lambda filters: selectors.application_list(user=request.user, filters=filters),
        form=form,
        drop=["state"],
    )
    in_tab = _with_decision_overdue(in_tab.filter(state__in=tabs[current][1]), today)
    in_tab = ordered(request, in_tab, selectors.APPLICATION_ORDERING)
    export = export_if_asked(request, name="applications", columns=APPLICATION_COLUMNS, rows=in_tab)
    if export is not None:
        return export
    page = _page(request, in_tab)
    rows = [(application, actions_for(APPLICATION, application, request.user)) for application in page]
    context = {
        "tabs": [(slug, title, sum(counts.get(s, 0) for s in states)) for slug, title, states in QUEUE_TABS],
        "history_tabs": [(slug, title) for slug, title, _states in HISTORY_TABS],
        "current": current,
        "current_title": tabs[current][0],
        "is_history": is_history,
        "filters": form,
        "page": page,
        "rows": rows,
        "may_file": may(request.user, "file_application"),
        "overdue_only": request.GET.get("decision_overdue", "").strip().lower() in TRUE_VALUES,
        "overdue_count": counts[OVERDUE],
    }
    return render(request, "assistance/application_queue.html", context)


def _with_decision_overdue(
    applications: QuerySet[Application], today: datetime.date
) -> QuerySet[Application]:
    """Each application marked ``decision_is_overdue`` by the selectors' one definition of it."""
    overdue = ExpressionWrapper(selectors.decision_overdue_q(today), output_field=BooleanField())
    return applications.annotate(decision_is_overdue=overdue)


def _application_get(request: HttpRequest, pk: int) -> Application:
    applications = _with_decision_overdue(selectors.application_list(user=request.user), timezone.localdate())
    return get_object_or_404(applications, pk=pk)


# The date each step of a case carries (SPEC §4.2), shown in its history beside the time it was recorded.
STEP_DATES = {
    "submit": "received_on",
    "accept": "accepted_on",
    "investigate": "visited_on",
    "publicise": "notice_from",
}


def _proposal_lines(application: Application) -> list[tuple[str, str]]:
    """What a decision will do, for the confirmation page: the proposed amount and how it is computed."""
    proposal = services.application_proposal(application)
    if proposal is None:
        return []
    return [
        (
            _("Proposed monthly amount (yuan)"),
            _("%(amount)s from %(start)s")
            % {"amount": yuan(proposal.amount), "start": proposal.start.isoformat()},
        ),
        (_("How it is computed"), proposal.explanation),
    ]


def _application_page(
    request: HttpRequest, application: Application, bound: Bound | None = None
) -> HttpResponse:
    today = timezone.localdate()
    approval_from = rules.notice_ends(application.notice_from) if application.notice_from else None
    forms_shown = action_forms(
        request, actions_for(APPLICATION, application, request.user), APPLICATION_ACTION_FORMS, bound
    )
    for row in forms_shown:
        row["waiting"] = (
            row["transition"].action == "approve" and approval_from is not None and today < approval_from
        )
    history = [
        {
            "step": step,
            "label": TRANSITIONS[step.action].label if step.action in TRANSITIONS else _("Filed"),
            "on": getattr(application, STEP_DATES[step.action]) if step.action in STEP_DATES else None,
        }
        for step in step_history(application)
    ]
    extend_form = None
    if services.may_extend_decision(request.user, application):
        extend_form = (
            bound[1]
            if bound is not None and bound[0] == EXTEND_DECISION
            else ExtendDecisionForm(prefix=EXTEND_DECISION)
        )
    context = {
        "application": application,
        "household": application.household,
        "members": application.household.members.select_related("person").order_by("id"),
        "covered": application.covered_members.all(),
        "history": history,
        "action_forms": forms_shown,
        "approval_from": approval_from,
        "approval_possible": approval_from is not None and today >= approval_from,
        "proposal": services.application_proposal(application)
        if application.state in (State.INVESTIGATED, State.PUBLICISED)
        else None,
        "extend_form": extend_form,
        "extend_action": EXTEND_DECISION,
        "extended_days": services.decision_working_days(extended=True),
    }
    return render(request, "assistance/application_detail.html", context)


# Not a step of the case (whoever extends may still decide it), so not in the workflow table.
EXTEND_DECISION = "extend-decision"


def _extend_decision(request: HttpRequest, application: Application) -> HttpResponse:
    if not services.may_extend_decision(request.user, application):
        raise PermissionDenied
    form = ExtendDecisionForm(request.POST, prefix=EXTEND_DECISION)
    if form.is_valid():
        try:
            updated = services.application_extend_decision(
                actor=request.user, application=application, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            assert updated.decision_due is not None
            messages.success(
                request,
                _("Application #%(id)s: the decision is now due on %(date)s.")
                % {"id": updated.pk, "date": updated.decision_due.isoformat()},
            )
            return redirect("assistance:application-detail", pk=application.pk)
    return _application_page(
        request, _application_get(request, application.pk), bound=(EXTEND_DECISION, form)
    )


@role_required(CASE_READERS)
def application_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_page(request, _application_get(request, pk))


def _action_done_message(application: Application, transition: Transition) -> str:
    if transition.action == "approve":
        enrollment = Enrollment.objects.get(application=application)
        return _("Application #%(id)s has been approved: %(amount)s a month from %(start)s.") % {
            "id": application.pk,
            "amount": yuan(enrollment.monthly_amount),
            "start": enrollment.start.isoformat(),
        }
    return _("Application #%(id)s: “%(action)s” done; it is now “%(state)s”.") % {
        "id": application.pk,
        "action": transition.label,
        "state": State(application.state).label,
    }


@role_required(CASE_READERS)
@require_POST
def application_action_page(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    application = _application_get(request, pk)
    if action == EXTEND_DECISION:
        return _extend_decision(request, application)
    return take_posted_action(
        request,
        workflow=APPLICATION,
        action=action,
        forms_by_action=APPLICATION_ACTION_FORMS,
        perform=lambda **data: services.APPLICATION_ACTIONS[action](
            actor=request.user, application=application, **data
        ),
        done=_action_done_message,
        redirect_to=safe_next(request, reverse("assistance:application-detail", args=[pk])),
        rerender=lambda bound: _application_page(request, _application_get(request, pk), bound=bound),
        obj=application,
        subject=_("Application #%(id)s: %(category)s, %(address)s")
        % {
            "id": application.pk,
            "category": application.get_category_display(),
            "address": application.household.address,
        },
        # The reviewer sees what the decision will pay, and why, before confirming it (SPEC §4.2).
        details=lambda: _proposal_lines(application),
    )


@role_required(CASE_READERS)
def review_queue_page(request: HttpRequest) -> HttpResponse:
    """Publicised applications across the user's jurisdiction, oldest notice first (or by a column), filtered
    by ApplicationFilter."""
    today = timezone.localdate()
    filters = filter_form(request, selectors.ApplicationFilter, shown=REVIEW_FILTERS, labels=_search_label())
    applications = filtered(
        request,
        lambda query: selectors.application_list(user=request.user, filters=query),
        form=filters,
        drop=["state"],
    ).filter(state=State.PUBLICISED)
    applications = _with_decision_overdue(applications, today).order_by("notice_from", "id")
    applications = ordered(request, applications, selectors.APPLICATION_ORDERING)
    export = export_if_asked(request, name="review-queue", columns=APPLICATION_COLUMNS, rows=applications)
    if export is not None:
        return export
    page = _page(request, applications)
    may = {
        t.action
        for t in TRANSITIONS.values()
        if State.PUBLICISED in t.sources and may_take(APPLICATION, t, request.user)
    }
    rows = []
    standards = services.StandardTable()
    for application in page:
        approval_from = rules.notice_ends(application.notice_from)
        reject_form = form_for(APPLICATION_ACTION_FORMS, "reject", auto_id=f"id_%s_{application.pk}")
        rows.append(
            {
                "application": application,
                "approval_from": approval_from,
                "ready": today >= approval_from,
                "reject_form": reject_form,
                "proposal": services.application_proposal(application, on=today, standards=standards),
            }
        )
    context = {
        "filters": filters,
        "page": page,
        "rows": rows,
        "may_approve": "approve" in may,
        "may_reject": "reject" in may,
    }
    return render(request, "assistance/review_queue.html", context)


# --- Enrollments --------------------------------------------------------------------------------------------


def _with_recheck_overdue(enrollments: QuerySet[Enrollment], today: datetime.date) -> QuerySet[Enrollment]:
    """Each enrollment marked ``recheck_is_overdue`` by the selectors' one definition of it."""
    overdue = ExpressionWrapper(selectors.recheck_overdue_q(today), output_field=BooleanField())
    return enrollments.annotate(recheck_is_overdue=overdue)


@role_required(CASE_READERS)
def enrollment_list_page(request: HttpRequest) -> HttpResponse:
    """Enrollments by a member's name or whole ID number, status, category, division, overdue re-check
    (EnrollmentFilter), ordered by a column."""
    today = timezone.localdate()
    filters = filter_form(
        request,
        selectors.EnrollmentFilter,
        shown=ENROLLMENT_FILTERS,
        labels={"search": _("Name or whole ID number")},
    )
    enrollments = filtered(
        request, lambda query: selectors.enrollment_list(user=request.user, filters=query), form=filters
    )
    enrollments = ordered(request, _with_recheck_overdue(enrollments, today), selectors.ENROLLMENT_ORDERING)
    export = export_if_asked(request, name="enrollments", columns=ENROLLMENT_COLUMNS, rows=enrollments)
    if export is not None:
        return export
    page = _page(request, enrollments)
    standards = services.StandardTable()
    for enrollment in page:
        enrollment.reading = services.enrollment_amount_reading(enrollment, on=today, standards=standards)
    return render(request, "assistance/enrollment_list.html", {"filters": filters, "page": page})


def _enrollment_get(request: HttpRequest, pk: int) -> Enrollment:
    enrollments = _with_recheck_overdue(selectors.enrollment_list(user=request.user), timezone.localdate())
    return get_object_or_404(enrollments, pk=pk)


def _enrollment_page(
    request: HttpRequest, enrollment: Enrollment, bound: Bound | None = None
) -> HttpResponse:
    members = list(enrollment.household.members.select_related("person").order_by("id"))
    forms_shown = action_forms(
        request,
        actions_for(ENROLLMENT, enrollment, request.user),
        _enrollment_forms(enrollment, members),
        bound,
    )
    people = {m.person_id: m.person.name for m in members}
    rechecks = [
        (
            recheck,
            [
                (people.get(row["person"], f"#{row['person']}"), Decimal(row["monthly_income"]))
                for row in recheck.incomes
            ],
        )
        for recheck in selectors.recheck_list(enrollment)
    ]
    context = {
        "enrollment": enrollment,
        "household": enrollment.household,
        "members": members,
        "covered": enrollment.covered_members.all(),
        "amounts": enrollment.amounts.order_by("-effective_from"),
        "reading": services.enrollment_amount_reading(enrollment),
        "rechecks": rechecks,
        "action_forms": forms_shown,
    }
    return render(request, "assistance/enrollment_detail.html", context)


def _enrollment_forms(enrollment: Enrollment, members: list[Any]) -> dict[str, type[forms.Form]]:
    """The status changes' forms and this household's re-check form (an income field per member)."""
    recheck = recheck_form_for(members, irregular_income=services.irregular_income_of(enrollment))
    return {**ENROLLMENT_ACTION_FORMS, "recheck": recheck}


def _recheck(request: HttpRequest, enrollment: Enrollment, **data: Any) -> Enrollment:
    """The re-check form's input as the service takes it: each member's income by person."""
    people = {m.person_id: m.person for m in enrollment.household.members.select_related("person")}
    incomes = [(name, value) for name, value in data.items() if name.startswith(RecheckForm.INCOME_PREFIX)]
    return services.enrollment_recheck(
        actor=request.user,
        enrollment=enrollment,
        visited_on=data["visited_on"],
        report=data["report"],
        irregular_income=data["irregular_income"],
        members=[
            services.IncomeInput(people[int(name.removeprefix(RecheckForm.INCOME_PREFIX))], value)
            for name, value in incomes
            if int(name.removeprefix(RecheckForm.INCOME_PREFIX)) in people
        ],
    )


def _enrollment_done(updated: Enrollment, transition: Transition) -> str:
    if transition.action != "recheck":
        return _("Enrollment #%(id)s: “%(action)s” done.") % {"id": updated.pk, "action": transition.label}
    if updated.status == EnrollmentStatus.TERMINATED:
        assert updated.end is not None
        return _(
            "Enrollment #%(id)s: re-check recorded; the income is not below the standard, so it ends on %(end)s."
        ) % {
            "id": updated.pk,
            "end": updated.end.isoformat(),
        }
    return _(
        "Enrollment #%(id)s: re-check recorded; %(amount)s a month from the next month, next re-check on %(date)s."
    ) % {"id": updated.pk, "amount": yuan(updated.monthly_amount), "date": updated.next_review.isoformat()}


@role_required(CASE_READERS)
def enrollment_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _enrollment_page(request, _enrollment_get(request, pk))


@role_required(CASE_READERS)
@require_POST
def enrollment_action_page(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    enrollment = _enrollment_get(request, pk)
    members = list(enrollment.household.members.select_related("person").order_by("id"))

    def perform(**data: Any) -> Enrollment:
        if action == "recheck":
            return _recheck(request, enrollment, **data)
        return services.enrollment_change_status(
            actor=request.user, enrollment=enrollment, action=action, **data
        )

    return take_posted_action(
        request,
        workflow=ENROLLMENT,
        action=action,
        forms_by_action=_enrollment_forms(enrollment, members),
        perform=perform,
        done=_enrollment_done,
        redirect_to=reverse("assistance:enrollment-detail", args=[pk]),
        rerender=lambda bound: _enrollment_page(request, _enrollment_get(request, pk), bound=bound),
        obj=enrollment,
        subject=_("Enrollment #%(id)s: %(category)s, %(amount)s a month")
        % {
            "id": enrollment.pk,
            "category": enrollment.get_category_display(),
            "amount": yuan(enrollment.monthly_amount),
        },
        # Ending what a household lives on is final: asked twice.
        confirm={"terminate"},
    )


# --- The payee of an enrollment: the bank file's name, account and bank ------------------------------------


@ability_required("work_assistance")
def enrollment_payee_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Record who the bank pays for an enrollment (SPEC §4.3), through payees.enrollment_set_payee (audited)."""
    enrollment = _enrollment_get(request, pk)
    initial = {
        "payee": enrollment.payee,
        "bank_account": enrollment.bank_account,
        "bank_name": enrollment.bank_name,
    }
    form = payees.PayeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            payees.enrollment_set_payee(actor=request.user, enrollment=enrollment, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("Enrollment #%(id)s: bank details saved.") % {"id": enrollment.pk})
            return redirect("assistance:enrollment-detail", pk=enrollment.pk)
    return render(request, "assistance/enrollment_payee.html", {"enrollment": enrollment, "form": form})


# --- District jobs: the annual uplift and the monthly payment batches ------------------------------------------
# District business, not one town's case data: read by BATCH_READERS, created and approved by DECIDERS only
# (jobs.py refuses everyone else with PermissionDenied, which answers 403).

# A page whose job is still working reloads itself every few seconds (static/js/portal.js).
REFRESH_SECONDS = 5
UPLIFT_WORKING = (UpliftStatus.APPROVED, UpliftStatus.RUNNING)
BATCH_WORKING = (JobStatus.QUEUED, JobStatus.RUNNING)


@role_required(BATCH_READERS)
def uplift_list_page(request: HttpRequest) -> HttpResponse:
    may_create = may(request.user, "run_district_jobs")
    form = UpliftForm(request.POST or None) if may_create else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                uplift = jobs.uplift_preview(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("The preview of the %(year)s uplift is ready: check it, then approve it.")
                    % {"year": uplift.year},
                )
                return redirect("assistance:uplift-detail", pk=uplift.pk)
    page = _page(request, Uplift.objects.order_by("-year"))
    return render(
        request,
        "assistance/uplift_list.html",
        {
            "form": form,
            "page": page,
            "refresh": REFRESH_SECONDS if any(u.status in UPLIFT_WORKING for u in page) else None,
        },
    )


MONTHS_A_YEAR = 12


def _uplift_page(request: HttpRequest, uplift: Uplift) -> HttpResponse:
    lines = [
        {
            "category": Category(line["category"]).label,
            "old_amount": Decimal(line["old_amount"]),
            "new_amount": Decimal(line["new_amount"]),
            "explanation": line.get("explanation", ""),
            "enrollments": line["enrollments"],
            "monthly_cost_change": Decimal(line["monthly_cost_change"]),
            # What a full year of the new standards costs beside the old ones (the budget's question).
            "annual_cost_change": Decimal(line["monthly_cost_change"]) * MONTHS_A_YEAR,
        }
        for line in uplift.lines
    ]
    total = uplift.total_enrollments
    context = {
        "uplift": uplift,
        "lines": lines,
        "total_enrollments": sum(line["enrollments"] for line in lines),
        "total_cost_change": sum((line["monthly_cost_change"] for line in lines), Decimal("0.00")),
        "total_annual_cost_change": sum((line["annual_cost_change"] for line in lines), Decimal("0.00")),
        "percent": min(100, uplift.processed_enrollments * 100 // total) if total else 0,
        "may_approve": any(t.action == "approve" for t in actions_for(UPLIFT, uplift, request.user)),
        # A preview based on standards no longer in force cannot be approved (SPEC §4.4).
        "stale": jobs.stale_reason(uplift) if uplift.status == UpliftStatus.PREVIEW else None,
        "refresh": REFRESH_SECONDS if uplift.status in UPLIFT_WORKING else None,
    }
    return render(request, "assistance/uplift_detail.html", context)


@role_required(BATCH_READERS)
def uplift_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _uplift_page(request, get_object_or_404(Uplift, pk=pk))


@role_required(DECIDERS)
@require_POST
def uplift_approve_page(request: HttpRequest, pk: int) -> HttpResponse:
    uplift = get_object_or_404(Uplift, pk=pk)
    return take_posted_action(
        request,
        workflow=UPLIFT,
        action="approve",
        forms_by_action={},
        perform=lambda: jobs.uplift_approve(actor=request.user, uplift=uplift),
        done=lambda approved, transition: (
            _("The %(year)s uplift has been approved; the job recomputing the amounts has been queued.")
            % {"year": uplift.year}
        ),
        redirect_to=reverse("assistance:uplift-detail", args=[pk]),
        obj=uplift,
        subject=_("Uplift of the standards, %(year)s: rate %(rate)s from %(date)s")
        % {"year": uplift.year, "rate": percent(uplift.rate), "date": uplift.effective_from.isoformat()},
    )


@role_required(BATCH_READERS)
def payment_batch_list_page(request: HttpRequest) -> HttpResponse:
    may_create = may(request.user, "run_district_jobs")
    form = PaymentBatchForm(request.POST or None) if may_create else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                batch = jobs.payment_batch_create(actor=request.user, month=form.cleaned_data["month"])
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("The payment batch of %(month)s has been queued.") % {"month": f"{batch.month:%Y-%m}"},
                )
                return redirect("assistance:payment-batch-list")
    page = _page(request, PaymentBatch.objects.order_by("-month"))
    return render(
        request,
        "assistance/payment_batch_list.html",
        {
            "form": form,
            "page": page,
            "refresh": REFRESH_SECONDS if any(b.status in BATCH_WORKING for b in page) else None,
        },
    )


@role_required(BATCH_READERS)
def payment_batch_export_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The bank file as CSV (default) or XLSX (``?format=xlsx``): full ID numbers and accounts, so
    jobs.payment_batch_export audits it; limited to the jurisdiction; written by the kernel's export helper."""
    batch = get_object_or_404(PaymentBatch, pk=pk)
    fmt = wanted_format(request.GET) or "csv"
    try:
        bank_file = jobs.payment_batch_export(actor=request.user, batch=batch, fmt=fmt)
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("assistance:payment-batch-list")
    response = export_response(
        fmt=fmt,
        columns=bank_file.columns,
        rows=bank_file.rows,
        filename=bank_file.name,
        footer=bank_file.footer,
    )
    return cast(HttpResponse, response)  # streamed: role_required's typing names plain responses only
