"""Forms of the community pages. They check the shape of what was typed; the rules live in services.py, whose
refusals the views show next to the field they name (STYLE.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.people.forms import DivisionChoiceField
from civil_affairs.people.id_numbers import InvalidIdNumber, parse_id_number
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import person_by_id_number

from . import selectors
from .rules import Certificate, Post


class DateInput(forms.DateInput):
    """A date picker; its value is ISO whatever the language (a browser's date input reads nothing else)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _village_field(label: Any) -> forms.ModelChoiceField:
    # Django's empty choice reads "---------"; say what to do instead.
    return DivisionChoiceField(
        label=label, queryset=selectors.villages_of(None), empty_label=_("Choose a village or community")
    )


class WorkerForm(forms.Form):
    """Record a community worker's post: the person by ID number (already registered), where and how."""

    id_number = forms.CharField(label=_("ID number"), max_length=18)
    community = _village_field(_("Village or community"))
    post = forms.ChoiceField(label=_("Post"), choices=Post.choices)
    grade = forms.IntegerField(label=_("Grade"), help_text=_("Head 7–18, deputy 4–15, staff 1–12."))
    contract_start = forms.DateField(label=_("Contract start"), widget=DateInput)
    contract_end = forms.DateField(label=_("Contract end"), widget=DateInput)
    certificate = forms.ChoiceField(label=_("Social-work certificate"), choices=Certificate.choices)
    recruitment_batch = forms.CharField(label=_("Recruitment batch"), max_length=20, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["community"]).queryset = selectors.villages_of(user)

    def clean_id_number(self) -> Person:
        raw = self.cleaned_data["id_number"]
        try:
            number = parse_id_number(raw).number
        except InvalidIdNumber as error:
            raise forms.ValidationError(str(error)) from None
        person = person_by_id_number(user=self.user, id_number=number)
        if person is None:
            raise forms.ValidationError(_("No one with this ID number is registered in your jurisdiction."))
        return person


class DateForm(forms.Form):
    date = forms.DateField(label=_("On"), widget=DateInput, required=False)
    # The home page's to-do "towns below the staffing targets" lands here: only those towns.
    below_target = forms.BooleanField(label=_("Only towns below target"), required=False)


class UrbanPopulationForm(forms.Form):
    urban_population = forms.IntegerField(label=_("Urban population"), min_value=0)


class MovementForm(forms.Form):
    """A donation or a disbursement: how much, when, who, what for."""

    amount = forms.DecimalField(
        label=_("Amount (yuan)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    date = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    party = forms.CharField(label=_("Donor or recipient"), max_length=100)
    purpose = forms.CharField(label=_("Purpose"), max_length=200)


class FundOpenForm(forms.Form):
    village = _village_field(_("Village or community"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["village"]).queryset = selectors.villages_of(user)


class AssessmentForm(forms.Form):
    village = _village_field(_("Village or community"))
    quarter = forms.CharField(label=_("Quarter"), max_length=6, help_text=_("Like 2026Q3."))
    score = forms.IntegerField(label=_("Score"), help_text=_("0 to 100."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["village"]).queryset = selectors.villages_of(user)
