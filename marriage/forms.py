"""Forms of the registrar's pages. They validate shape and find people by ID number; the Civil Code's rules
live in services.py, whose refusals are shown next to the party or field they name. The registration form also
takes a party registered elsewhere in the country who is not yet in the registry (nationwide registration,
婚姻登记条例 2025): their name and area code, registered with the marriage."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.people.id_numbers import IdNumberFacts, InvalidIdNumber, parse_id_number
from civil_affairs.people.models import Person

from . import selectors
from .models import Registration
from .workflow import AnnulmentGround, CounsellingOutcome


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


NOT_REGISTERED = _(
    "No one with this ID number is registered in your jurisdiction; register the person first."
)


class PersonByIdNumberField(forms.CharField):
    """An ID number typed by the registrar, cleaned to the registered person it belongs to; with
    ``allow_new``, a valid number of someone not registered yet is cleaned to its facts (IdNumberFacts)."""

    def __init__(self, *, allow_new: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("help_text", _("18 characters; the last may be X."))
        super().__init__(**kwargs)
        self.user: Any = None
        self.allow_new = allow_new

    def clean(self, value: Any) -> Person | IdNumberFacts | None:
        number = super().clean(value)
        if not number:
            return None
        try:
            facts = parse_id_number(number)
        except InvalidIdNumber as error:
            raise forms.ValidationError(str(error)) from None
        person = selectors.person_by_id_number(user=self.user, id_number=facts.number)
        if person is not None:
            return person
        if self.allow_new:
            return facts
        raise forms.ValidationError(NOT_REGISTERED)


class UserFormMixin:
    """Hands the signed-in user to the fields that look people up, so lookups stay in the jurisdiction."""

    fields: dict[str, forms.Field]

    def bind_user(self, user: Any) -> None:
        for field in self.fields.values():
            if isinstance(field, PersonByIdNumberField):
                field.user = user


def outside_name_field() -> forms.CharField:
    return forms.CharField(label=_("Name"), required=False, max_length=50)


def outside_area_field() -> forms.CharField:
    return forms.CharField(
        label=_("Area code of the household registration"),
        required=False,
        max_length=6,
        help_text=_("6 digits; by default the first 6 of the ID number."),
    )


class RegistrationForm(UserFormMixin, forms.Form):
    party_a = PersonByIdNumberField(label=_("Party A: ID number"), allow_new=True)
    # A party from outside the district not yet registered (filled only then).
    party_a_name = outside_name_field()
    party_a_area = outside_area_field()
    party_b = PersonByIdNumberField(label=_("Party B: ID number"), allow_new=True)
    party_b_name = outside_name_field()
    party_b_area = outside_area_field()
    registration_date = forms.DateField(label=_("Registration date"), widget=date_input())
    declares_not_close_relatives = forms.BooleanField(
        label=_("Both declare that they are not close relatives"),
        required=False,
        help_text=_(
            "Not lineal relatives by blood, nor collateral relatives by blood within three generations "
            "(Civil Code art. 1048)."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"registration_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.bind_user(user)
        # Parties registered with this marriage, not yet in the registry: {"party_a": unsaved Person, ...}.
        self.new_parties: dict[str, Person] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for key in ("party_a", "party_b"):
            value = cleaned.get(key)
            if not isinstance(value, IdNumberFacts):
                continue
            name = (cleaned.get(f"{key}_name") or "").strip()
            if not name:
                self.add_error(
                    key,
                    _(
                        "No one with this ID number is registered in your jurisdiction. A party registered "
                        "outside the district is registered here: enter their name and the area code of their "
                        "household registration."
                    ),
                )
                continue
            person = Person(
                id_number=value.number,
                name=name,
                sex=value.sex,
                birth_date=value.birth_date,
                registration_area=(cleaned.get(f"{key}_area") or "").strip() or value.number[:6],
            )
            cleaned[key] = person
            self.new_parties[key] = person
        return cleaned

    def outside_fields(self, key: str) -> list[forms.BoundField]:
        return [self[f"{key}_name"], self[f"{key}_area"]]

    @property
    def party_a_outside(self) -> list[forms.BoundField]:
        return self.outside_fields("party_a")

    @property
    def party_b_outside(self) -> list[forms.BoundField]:
        return self.outside_fields("party_b")


class DateForm(forms.Form):
    date = forms.DateField(label=_("Registration date"), required=False, widget=date_input())


class DivorceApplicationForm(forms.Form):
    """The couple's marriage, their written agreement and their attendance. The application is dated today;
    an administrator entering an archive record may give an earlier date with its reason (``archive=True``).
    The rules (agreement, attendance, dates) are the service's, shown beside these fields."""

    certificate_number = forms.CharField(
        label=_("Marriage certificate number"), max_length=24, help_text=_("For example J370114-2024-000123.")
    )
    agreement = forms.CharField(
        label=_("Written agreement on children, property and debts"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What the couple agreed in writing on the care of their children, the division of their property "
            "and their debts (Civil Code art. 1076)."
        ),
    )
    attended_in_person = forms.BooleanField(label=_("Both parties attended in person"), required=False)
    application_date = forms.DateField(
        label=_("Application date"),
        required=False,
        widget=date_input(),
        help_text=_("Archive records only: the date of the original application."),
    )
    archive_reason = forms.CharField(
        label=_("Reason for the archive record"),
        required=False,
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, user: Any, archive: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"application_date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.user = user
        if not archive:  # caseworkers record applications made today, in person
            del self.fields["application_date"]
            del self.fields["archive_reason"]

    def clean_certificate_number(self) -> Registration:
        registration = selectors.current_registration_of(
            user=self.user, certificate_number=self.cleaned_data["certificate_number"]
        )
        if registration is None:
            raise forms.ValidationError(
                _("No marriage with this certificate number is on record in your jurisdiction.")
            )
        return registration


class CounsellingCaseForm(UserFormMixin, forms.Form):
    party_a = PersonByIdNumberField(label=_("Party A: ID number"))
    party_b = PersonByIdNumberField(label=_("Party B: ID number"))
    opened_on = forms.DateField(label=_("Opened on"), widget=date_input())
    concern = forms.CharField(
        label=_("What brings them"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"opened_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.bind_user(user)


class CounsellingSessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=date_input())
    counsellor = forms.CharField(label=_("Counsellor"), max_length=50)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"held_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class CounsellingCloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            (CounsellingOutcome.RECONCILED.value, CounsellingOutcome.RECONCILED.label),
            (CounsellingOutcome.DIVORCED.value, CounsellingOutcome.DIVORCED.label),
        ],
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=date_input())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"closed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class ReissueForm(forms.Form):
    """Issuing a certificate again needs nothing but the registrar's confirmation."""


class AnnulForm(forms.Form):
    ruling_date = forms.DateField(label=_("Date of the ruling"), widget=date_input())
    court = forms.CharField(label=_("Court"), max_length=100)
    ground = forms.ChoiceField(label=_("Ground"), choices=AnnulmentGround.choices)
