"""One way for a page to take a workflow action posted from a form (the page side of the workflow engine).

A detail or list page offers a form per action the user may take now (:func:`action_forms`, from the engine's
``actions_for``); the form posts to a view that calls :func:`take_posted_action`, which checks the role and line
of work (403), validates the form, asks for confirmation when the action is a decision, calls the service, and
answers with a message and a redirect — or shows the service's refusal beside the field it names. Decisions
(the transitions marked ``decides`` and any the view names in ``confirm``) are confirmed on a page of their own
that repeats what was entered: it works without JavaScript and no inline script is needed (CSP).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from civil_affairs.errors import DomainError
from civil_affairs.web.forms import field_error_text, show_domain_error
from civil_affairs.workflow.engine import Transition, Workflow, check_four_eyes, check_may_take

# The POST field the confirmation page adds; without it a decision only shows that page.
CONFIRMED = "confirmed"

FormClasses = Mapping[str, type[forms.Form]]
# (action, bound form): the action just posted and its form, shown again with its input and errors.
Bound = tuple[str, forms.Form]


class NoInputForm(forms.Form):
    """An action that needs nothing but its button (accept, approve, issue…)."""


def safe_next(request: HttpRequest, default: str) -> str:
    """The ``next`` the form posted when it is an address of this site, else ``default``."""
    candidate = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def errors_as_messages(request: HttpRequest, form: forms.BaseForm) -> None:
    """A form's errors above the page, for a form the page no longer shows (or never showed); Django's
    generic wording names its field ("请填写驳回理由"), since the field is not beside it."""
    for name, errors in form.errors.items():
        for error in errors:
            text = field_error_text(form[name], error) if name in form.fields else str(error)
            messages.error(request, text)


def form_for(forms_by_action: FormClasses, action: str, data: Any = None, **kwargs: Any) -> forms.Form:
    return forms_by_action.get(action, NoInputForm)(data, prefix=action, **kwargs)


def action_forms(
    request: HttpRequest, allowed: list[Transition], forms_by_action: FormClasses, bound: Bound | None
) -> list[dict[str, Any]]:
    """A form per allowed action; the one just posted keeps its input and errors. A posted action that is no
    longer allowed (the case moved on meanwhile) has its errors shown above the page."""
    rows = []
    for transition in allowed:
        if bound is not None and bound[0] == transition.action:
            form = bound[1]
        else:
            form = form_for(forms_by_action, transition.action)
        rows.append({"transition": transition, "form": form})
    if bound is not None and bound[0] not in {t.action for t in allowed}:
        errors_as_messages(request, bound[1])
    return rows


def _summary(form: forms.Form) -> list[tuple[str, str]]:
    """What was typed, as label and readable value, for the confirmation page."""
    lines = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", [], ()):
            continue
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            value = dict(field.choices).get(value, value)  # type: ignore[arg-type]
        elif isinstance(value, models.QuerySet):
            value = "、".join(str(item) for item in value)
        lines.append((str(field.label or name), str(value)))
    return lines


def take_posted_action(
    request: HttpRequest,
    *,
    workflow: Workflow,
    action: str,
    forms_by_action: FormClasses,
    perform: Callable[..., Any],
    done: Callable[[Any, Transition], str],
    redirect_to: str,
    rerender: Callable[[Bound], HttpResponse] | None = None,
    obj: models.Model | None = None,
    subject: str = "",
    details: Callable[[], Sequence[tuple[str, str]]] | None = None,
    confirm: Collection[str] = (),
    back_to: str | None = None,
    carry: Collection[str] = ("next",),
) -> HttpResponse:
    """Take ``action`` as posted by ``request``: the role and line of work (403), the form, the confirmation
    of a decision, then ``perform(**form.cleaned_data)`` (a service call). Success redirects to
    ``redirect_to`` with the message ``done(result, transition)``; a refusal shows the page again through
    ``rerender((action, form))`` with the error beside its field, or, for a page without forms of its own
    (``rerender=None``), as a message above ``redirect_to``.

    ``obj`` is the record acted on: for a decision its state allows, whoever took a step of it is refused (four
    eyes) before being asked to confirm; an action its state no longer allows goes straight to the service,
    whose refusal says why. ``subject`` names it on the confirmation page and ``details()`` adds what the
    decision will do there (label, value: e.g. the proposed amount and how it was reached); ``back_to`` is
    where that page's "go back" leads (default ``redirect_to``); ``carry`` names the posted fields besides the form's that the
    confirmation posts again (``next``, or the field naming the action on a page with several forms).
    """
    transition = workflow.transitions.get(action)
    if transition is None:
        raise Http404
    check_may_take(workflow, transition, request.user)
    # Asked only while the state allows the action; otherwise the service explains why not (409).
    open_now = obj is None or getattr(obj, workflow.state_field) in transition.sources
    if open_now and transition.decides and obj is not None:
        check_four_eyes(obj, request.user)
    form = form_for(forms_by_action, action, request.POST)
    if form.is_valid():
        if open_now and (transition.decides or action in confirm) and not request.POST.get(CONFIRMED):
            return render(
                request,
                "confirm.html",
                {
                    "transition": transition,
                    "form": form,
                    "summary": [*(details() if details else ()), *_summary(form)],
                    "subject": subject,
                    "carried": [(name, request.POST[name]) for name in carry if request.POST.get(name)],
                    "back": back_to or redirect_to,
                    "confirmed_field": CONFIRMED,
                },
            )
        try:
            result = perform(**form.cleaned_data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, done(result, transition))
            return redirect(redirect_to)
    if rerender is None:
        errors_as_messages(request, form)
        return redirect(redirect_to)
    return rerender((action, form))
