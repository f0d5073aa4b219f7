"""Forms of the funeral pages: they check the shape of what was typed; the rules live in services.py, whose
refusals the views show next to the field they name (STYLE.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.forms import DivisionChoiceField
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import person_by_id_number

from .models import CouncilEventKind, VillageCouncil
from .rules import BurialType


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PersonByIdNumberField(forms.CharField):
    """An ID number typed by the officer, resolved to a person of the user's jurisdiction."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("min_length", 18)
        super().__init__(**kwargs)
        self.user: Any = None

    def clean(self, value: Any) -> Person:
        number = super().clean(value)
        person = person_by_id_number(user=self.user, id_number=number or "")
        if person is None:
            raise forms.ValidationError(
                _("No person with this ID number is registered in your jurisdiction.")
            )
        return person


class UserForm(forms.Form):
    """A form whose person fields look people up within the user's jurisdiction."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for form_field in self.fields.values():
            if isinstance(form_field, PersonByIdNumberField):
                form_field.user = user


class DeathRecordForm(UserForm):
    person = PersonByIdNumberField(label=_("ID number of the deceased"))
    date_of_death = forms.DateField(label=_("Date of death"), widget=date_input())
    place = forms.CharField(label=_("Place of death"), max_length=200, required=False)
    cremated = forms.BooleanField(label=_("Cremated"), required=False)
    cremated_on = forms.DateField(label=_("Cremated on"), required=False, widget=date_input())


class BurialSubsidyForm(UserForm):
    deceased = PersonByIdNumberField(label=_("ID number of the deceased"))
    burial_type = forms.ChoiceField(label=_("Burial type"), choices=BurialType.choices)
    applicant = PersonByIdNumberField(label=_("ID number of the applicant"))
    burial_date = forms.DateField(label=_("Burial date"), widget=date_input())


class FeeWaiverForm(UserForm):
    deceased = PersonByIdNumberField(label=_("ID number of the deceased"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class CemeteryForm(UserForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    division = DivisionChoiceField(label=_("Division"), queryset=Division.objects.none())
    plots_total = forms.IntegerField(label=_("Plots in total"), min_value=1)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        self.fields["division"].queryset = within_jurisdiction(Division.objects.order_by("code"), user, "")  # type: ignore[attr-defined]


class AllocateForm(UserForm):
    deceased = PersonByIdNumberField(label=_("ID number of the deceased"))


class VillageCouncilForm(UserForm):
    division = DivisionChoiceField(label=_("Village or community"), queryset=Division.objects.none())
    chair = forms.CharField(label=_("Chair"), max_length=50)
    members = forms.CharField(
        label=_("Members"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One name per line.")
    )
    charter_date = forms.DateField(label=_("Charter date"), widget=date_input())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, user=user, **kwargs)
        villages = Division.objects.filter(level=DivisionLevel.VILLAGE).order_by("code")
        self.fields["division"].queryset = within_jurisdiction(villages, user, "")  # type: ignore[attr-defined]

    def clean_members(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["members"].splitlines() if line.strip()]


class CouncilEventForm(UserForm):
    council = forms.ModelChoiceField(label=_("Council"), queryset=VillageCouncil.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=CouncilEventKind.choices)
    held_on = forms.DateField(label=pgettext_lazy("council event", "Held on"), widget=date_input())
    family = forms.CharField(label=_("Family"), max_length=50)
    guests = forms.IntegerField(label=_("Guests"), min_value=0, initial=0)
    cost = forms.DecimalField(label=_("Cost (yuan)"), min_value=0, max_digits=12, decimal_places=2, initial=0)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        from .selectors import village_council_list

        super().__init__(*args, user=user, **kwargs)
        self.fields["council"].queryset = village_council_list(user=user)  # type: ignore[attr-defined]
        self.fields["council"].label_from_instance = lambda c: c.division.name  # type: ignore[attr-defined]
