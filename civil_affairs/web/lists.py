"""List pages (issue 14 #1): the app's FilterSet as the page's filter form, its selector applying the same
FilterSet, ``?ordering=`` on the API's columns, and ``?page=`` / ``?page_size=``. Every choice is a GET
parameter, so a list's URL can be bookmarked and shared and reproduces the list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar, cast

import django_filters
from django import forms
from django.contrib import messages
from django.core.paginator import Page
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from civil_affairs.api.pagination import EstimatedCountPaginator
from civil_affairs.api.query_filters import TRUE_VALUES, StrictBooleanField
from civil_affairs.errors import RuleViolation
from civil_affairs.people.forms import division_choices
from civil_affairs.web.exports import export_if_asked

M = TypeVar("M", bound=Model)

# The page sizes a list offers (``?page_size=``); anything else reads as the list's default.
PAGE_SIZES = (10, 25, 50, 100)


def paginate(request: HttpRequest, items: Any, *, per_page: int = 25) -> Page:
    """The page ``?page=`` asks for (the last one past the end), ``?page_size=`` rows long if it is one of
    :data:`PAGE_SIZES`. The page carries ``page_size`` and ``page_sizes`` for pagination.html."""
    asked = request.GET.get("page_size", "")
    size = int(asked) if asked.isdigit() and int(asked) in PAGE_SIZES else per_page
    # Past 100,000 rows the count is PostgreSQL's estimate: a page never reads the whole list to count it.
    page = EstimatedCountPaginator(items, size).get_page(request.GET.get("page"))
    page.page_size = size  # type: ignore[attr-defined]
    page.page_sizes = PAGE_SIZES  # type: ignore[attr-defined]
    return page


def ordered(request: HttpRequest, items: QuerySet[M], allowed: Sequence[str]) -> QuerySet[M]:
    """``?ordering=column`` or ``-column`` on one of ``allowed`` (the API's ``ordering_fields``), newest
    first among equals; anything else leaves the selector's order."""
    ordering = request.GET.get("ordering", "").strip()
    if ordering.lstrip("-") not in allowed:
        return items
    return items.order_by(ordering, "-pk")


class CheckboxInput(forms.CheckboxInput):
    """A checkbox for a yes/no filter: ticked means ``on`` (true); unticked means no filter at all, not
    "false" (Django's checkbox would send False and filter the other way). Named as Django's, so the field
    partial lays it out as a checkbox (its ``widget_type`` is "checkbox")."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=lambda value: str(value).strip().lower() in TRUE_VALUES)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name) or None


def filter_form(
    request: HttpRequest,
    filterset_class: type[django_filters.FilterSet],
    *,
    shown: Sequence[str],
    labels: Mapping[str, str] | None = None,
    divisions: str | None = "division",
    village_divisions: bool = False,
) -> forms.Form:
    """The FilterSet's own form, bound to the query, with the ``shown`` fields in that order and page widgets:
    a search box, date pickers, ticks for yes/no filters and the division picker (names with their town)."""
    form = filterset_class(request.GET or None, request=request).form
    form.fields = {name: form.fields[name] for name in shown}
    for name, field in form.fields.items():
        field.help_text = ""
        if labels and name in labels:
            field.label = labels[name]
        if isinstance(field, StrictBooleanField):
            field.widget = CheckboxInput()
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
        elif name == "search":
            field.widget = forms.TextInput(attrs={"type": "search"})
        elif isinstance(field, forms.ChoiceField) and name != divisions:
            # The FilterSet's empty choice reads "---------"; on a page it means every value.
            choices = [choice for choice in cast(Any, field.choices) if choice[0] != ""]
            cast(Any, field.widget).choices = [("", _("All")), *choices]
        elif name == divisions:
            field.widget = forms.Select(
                choices=[
                    ("", _("All towns and villages")),
                    *division_choices(request.user, villages=village_divisions),
                ]
            )
    return form


def filtered(
    request: HttpRequest,
    select: Callable[[Mapping[str, Any] | None], QuerySet[M]],
    *,
    form: forms.Form | None = None,
    drop: Sequence[str] = (),
) -> QuerySet[M]:
    """``select(filters)`` (an app's selector) over the query's parameters but ``drop``. A value the
    FilterSet refuses leaves the list empty, with a message naming the filter (the form shows it too)."""
    params = request.GET.copy()
    for name in drop:
        params.pop(name, None)
    try:
        return select(params)
    except RuleViolation as error:
        names = [
            str(form.fields[key].label) if form is not None and key in form.fields else key
            for key in error.errors
        ]
        messages.error(
            request,
            _("Correct the filters to see the list: %(filters)s.") % {"filters": _(", ").join(names)},
        )
        return select(None).none()


def list_page(
    request: HttpRequest,
    template: str,
    select: Callable[[Mapping[str, Any] | None], QuerySet[M]],
    *,
    filterset: type[django_filters.FilterSet],
    shown: Sequence[str],
    labels: Mapping[str, str] | None = None,
    ordering: Sequence[str] = (),
    export: tuple[str, Sequence[Any]] | None = None,
    form: Callable[[forms.Form], None] | None = None,
    annotate: Callable[[QuerySet[M]], QuerySet[M]] | None = None,
    context: Mapping[str, Any] | Callable[[QuerySet[M]], Mapping[str, Any]] | None = None,
    divisions: str | None = "division",
    per_page: int = 25,
) -> HttpResponse:
    """A whole list page: ``select(filters)`` (the app's selector, which applies ``filterset``) over the
    query, the FilterSet's ``shown`` filters as the page's form (``form`` may adjust it), ``?ordering=`` on
    ``ordering``, ``annotate`` applied; then the file that ``?format=csv|xlsx`` asks for (``export`` = (name,
    columns)) or ``template`` with ``filters``, ``page`` and ``context`` (or ``context(rows)``, for figures
    of the filtered list such as its total). ``divisions`` names the filter shown as the division picker."""
    filters = filter_form(request, filterset, shown=shown, labels=labels, divisions=divisions)
    if form is not None:
        form(filters)
    rows = ordered(request, filtered(request, select, form=filters), ordering)
    if annotate is not None:
        rows = annotate(rows)
    if export is not None:
        name, columns = export
        exported = export_if_asked(request, name=name, columns=columns, rows=rows)
        if exported is not None:
            return exported
    page = paginate(request, rows, per_page=per_page)
    extra = context(rows) if callable(context) else context
    return render(request, template, {"filters": filters, "page": page, **(extra or {})})
