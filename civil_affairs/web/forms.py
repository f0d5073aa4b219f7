from django import forms

from civil_affairs.errors import NON_FIELD, DomainError


def show_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Put a service's refusal next to the field it names (or above the form)."""
    for field, messages in error.errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(None if target is None or field == NON_FIELD else target, message)
