"""People pages: a searchable list (masked numbers), registration, the audited full record, correction."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from civil_affairs.accounts.permissions import CASE_READERS
from civil_affairs.errors import DomainError
from civil_affairs.web.decorators import ability_required, role_required
from civil_affairs.web.exports import export_if_asked
from civil_affairs.web.forms import show_domain_error
from civil_affairs.web.lists import filter_form, filtered, ordered, paginate

from . import selectors, services
from .exports import PERSON_COLUMNS
from .forms import PersonForm


@role_required(CASE_READERS)
def person_list_page(request: HttpRequest) -> HttpResponse:
    """People by name, whole ID number, division, sex and life status (the API's PersonFilter), ordered by a
    column; every choice in the URL."""
    form = filter_form(
        request,
        selectors.PersonFilter,
        shown=["search", "division", "sex", "is_deceased"],
        labels={"search": _("Name or ID number")},
    )
    people = filtered(
        request, lambda filters: selectors.person_list(user=request.user, filters=filters), form=form
    )
    people = ordered(request, people, selectors.PERSON_ORDERING)
    export = export_if_asked(request, name="people", columns=PERSON_COLUMNS, rows=people)
    if export is not None:
        return export
    return render(request, "people/list.html", {"page": paginate(request, people), "filters": form})


@ability_required("register_person")
def person_create_page(request: HttpRequest) -> HttpResponse:
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": person.name})
            return redirect("people:list")
    return render(request, "people/form.html", {"form": form, "title": _("Register a person")})


@role_required(CASE_READERS)
def person_detail_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The record with the ID number masked: the full number is shown on a click (person_reveal_id_page)."""
    person = selectors.person_get(user=request.user, pk=pk)
    return render(request, "people/detail.html", {"person": person, "revealed": False})


@role_required(CASE_READERS)
@require_POST
@never_cache
def person_reveal_id_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The full ID number, shown because the user asked for it: one audit event per click (SPEC §2.2,
    issue 14 #5). A POST, so neither a page load, a prefetch nor a crawler reveals it."""
    person = selectors.person_get(user=request.user, pk=pk)
    services.person_full_id_viewed(actor=request.user, person=person)
    return render(request, "people/detail.html", {"person": person, "revealed": True})


@ability_required("correct_person")
def person_edit_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(user=request.user, pk=pk)
    initial = {
        "id_number": person.id_number,
        "name": person.name,
        "division": person.division,
        "registration_area": person.registration_area,
        "phone": person.phone,
        "disability_kind": person.disability_kind,
        "disability_grade": person.disability_grade,
    }
    form = PersonForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "GET":
        services.person_full_id_viewed(actor=request.user, person=person)  # the form shows the full number
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("The record has been saved."))
            return redirect("people:detail", pk=person.pk)
    return render(
        request, "people/form.html", {"form": form, "title": _("Correct a record"), "person": person}
    )
