from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.forms import BoundField
from django.http import HttpRequest
from django.utils.translation import gettext as _

from civil_affairs.errors import NON_FIELD, DomainError


def show_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it names (or above the form)."""
    for field, field_messages in error.errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(None if target is None or field == NON_FIELD else target, message)


def saved(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[Mapping[str, Any]], Any],
    *,
    success: str | Callable[[Any], str],
) -> Any | None:
    """The page side of a service call: when the bound ``form`` is valid, ``save(cleaned_data)`` (a service
    that returns the record it wrote). On success, the ``success`` message (or ``success(record)``) and the
    record; on the service's refusal, the refusal beside the field it names and None, for the page to show
    the form again."""
    if not form.is_valid():
        return None
    try:
        record = save(form.cleaned_data)
    except DomainError as error:
        show_domain_error(form, error)
        return None
    messages.success(request, success(record) if callable(success) else success)
    return record


# Widgets where a person picks rather than types: "please choose …" rather than "please fill in …".
_PICKED = ("select", "selectmultiple", "radioselect", "checkboxselectmultiple", "nullbooleanselect")


def _generic_messages(field: forms.Field) -> list[str]:
    """The field's and its validators' own wording (Django's, in the current language), which never names
    the field: "This field is required.", "Enter a valid date.", "Ensure this value has at most …"."""
    messages = [str(message) for message in field.error_messages.values()]
    messages += [str(getattr(validator, "message", "")) for validator in field.validators]
    return [message for message in messages if message]


def _matches(template: str, error: str) -> bool:
    """``error`` is ``template`` with its %(name)s / %(name)d placeholders filled in."""
    if "%(" not in template:
        return template == error
    pattern = re.escape(template)
    pattern = re.sub(r"%\\\(\w+\\\)[sdir]", ".*?", pattern)
    return re.fullmatch(pattern, error, flags=re.DOTALL) is not None


def field_error_text(bound: BoundField, error: Any) -> str:
    """A field's error as a person reads it beside the field: Django's generic wording is rewritten to say
    which field ("请填写申请人姓名" rather than "该字段是必填项"); a rule's own message, which already says what
    is wrong, is kept as it is."""
    text = str(error)
    field = bound.field
    label = str(bound.label or bound.name).rstrip("：:")
    if text == str(field.error_messages.get("required", "")):
        widget = getattr(bound, "widget_type", "")
        if widget == "checkbox":
            return _("Please tick “%(label)s”.") % {"label": label}
        if widget in _PICKED or isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
            return _("Please choose %(label)s.") % {"label": label}
        return _("Please fill in %(label)s.") % {"label": label}
    if any(_matches(message, text) for message in _generic_messages(field)):
        return _("%(label)s: %(error)s") % {"label": label, "error": text}
    return text
