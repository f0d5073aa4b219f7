from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.divisions.models import Division, DivisionLevel

from .id_numbers import InvalidIdNumber, parse_id_number
from .models import DISABILITY_GRADES, DisabilityKind


def division_label(division: Division) -> str:
    """How a picker names a division: with its town, then its code (``明水街道 / 明水社区（370114001001）``)."""
    name = division.name
    if division.level == DivisionLevel.VILLAGE and division.parent is not None:
        name = f"{division.parent.name} / {name}"
    return f"{name}（{division.code}）"


def divisions_within(user: Any, *, villages: bool = False) -> QuerySet[Division]:
    """The divisions in the user's jurisdiction, each with its town, in code order; ``villages``: only the
    villages and communities (where a household or a person is registered)."""
    divisions = within_jurisdiction(Division.objects.select_related("parent").order_by("code"), user, "")
    if villages:
        divisions = divisions.filter(level=DivisionLevel.VILLAGE)
    return divisions


def division_choices(user: Any, *, villages: bool = False) -> list[tuple[str, str]]:
    """:func:`divisions_within` as (code, label) choices for a filter's select."""
    return [
        (division.code, division_label(division)) for division in divisions_within(user, villages=villages)
    ]


class DivisionChoiceField(forms.ModelChoiceField):
    """A division picker showing names with their town, not raw codes (issue 14 #3)."""

    def label_from_instance(self, obj: Division) -> str:
        return division_label(obj)


class PersonForm(forms.Form):
    """Shape only; people.services enforces the rules and its refusals are shown next to the fields."""

    id_number = forms.CharField(
        label=_("ID number"), max_length=18, help_text=_("18 characters; the last may be X.")
    )
    name = forms.CharField(label=_("Name"), max_length=50)
    division = DivisionChoiceField(
        label=_("Household registration"), queryset=Division.objects.none(), required=False
    )
    # Marriage users only: a person registered elsewhere in the country (SPEC §2.2).
    registration_area = forms.CharField(
        label=_("Or, registered outside the district: area code"),
        required=False,
        max_length=6,
        help_text=_("The 6-digit area code of a household registration elsewhere in the country."),
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    disability_kind = forms.ChoiceField(
        label=_("Disability certificate: kind"),
        required=False,
        choices=[("", _("No certificate")), *DisabilityKind.choices],
    )
    disability_grade = forms.TypedChoiceField(
        label=_("Disability certificate: grade"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "---------"), *((g, str(g)) for g in DISABILITY_GRADES)],
        help_text=_("Grade 1 is the most severe."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        division_field = cast(forms.ModelChoiceField, self.fields["division"])
        division_field.queryset = divisions_within(user, villages=True)
        if not serves(user, Line.MARRIAGE):
            del self.fields["registration_area"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # A division, or for marriage users an area code outside the district (SPEC §2.2).
        if (
            not cleaned.get("division")
            and not cleaned.get("registration_area")
            and "division" not in self.errors
        ):
            self.add_error("division", forms.Field.default_error_messages["required"])
        return cleaned

    def clean_id_number(self) -> str:
        # The standard's own check (id_numbers.py), so a bad number shows beside the other fields' errors.
        try:
            return parse_id_number(self.cleaned_data["id_number"]).number
        except InvalidIdNumber as error:
            raise forms.ValidationError(str(error)) from None
