"""Forms of the elder-care pages: shape checks only (the rules are in services.py)."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civil_affairs.divisions.models import Division
from civil_affairs.people.forms import DivisionChoiceField, divisions_within

from .models import FacilityKind, FacilityStatus, HomeCareKind, HomeCareStatus, Ownership, Severity

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MONTH_TEXT = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})")


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        value = super().to_python(value)
        if not value:
            return None
        # ASCII digits only: str.isdigit() also takes "²" (int() then fails: a 500) and other scripts' digits.
        match = MONTH_TEXT.fullmatch(value)
        if match is None or not 1 <= int(match["month"]) <= 12 or int(match["year"]) < 1900:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(int(match["year"]), int(match["month"]), 1)


# The facility list's "order by" choices (``?ordering=``, the API's ordering fields).
FACILITY_ORDER_CHOICES = [
    ("name", pgettext_lazy("facility", "Name")),
    ("-beds", _("Beds, most first")),
    ("-star_rating", _("Star rating, highest first")),
    ("opened_on", _("Opened on, earliest first")),
    ("kind", _("Kind")),
]


class FacilityForm(forms.Form):
    """Register a facility (with its division) or edit one (``editing``: the division stays)."""

    name = forms.CharField(label=pgettext_lazy("facility", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=FacilityKind.choices)
    division = DivisionChoiceField(label=_("Division"), queryset=Division.objects.none())
    operator = forms.CharField(label=_("Operator"), max_length=100, required=False)
    ownership = forms.ChoiceField(label=_("Ownership"), choices=Ownership.choices)
    beds = forms.IntegerField(label=_("Beds"), initial=0)
    star_rating = forms.IntegerField(label=_("Star rating"), required=False, help_text=_("1 to 5, or empty."))
    status = forms.ChoiceField(label=_("Status"), choices=FacilityStatus.choices)
    opened_on = forms.DateField(
        label=pgettext_lazy("facility", "Opened on"), widget=DATE_INPUT, required=False
    )
    has_escrow_account = forms.BooleanField(label=_("Escrow account"), required=False)

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["division"]
        else:
            cast(forms.ModelChoiceField, self.fields["division"]).queryset = divisions_within(user)


def _money_field(label: Any, **options: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, **options)


class StatementForm(forms.Form):
    month = MonthFormField(label=_("Month"), widget=MONTH_INPUT)
    residents = forms.IntegerField(label=_("Residents"))
    monthly_fee = _money_field(_("Average monthly fee (yuan)"))
    prepaid_fees_held = _money_field(_("Prepaid fees held (yuan)"))
    deposits_held = _money_field(_("Deposits held (yuan)"))


class StatementCorrectForm(forms.Form):
    residents = forms.IntegerField(label=_("Residents"))
    monthly_fee = _money_field(_("Average monthly fee (yuan)"))
    prepaid_fees_held = _money_field(_("Prepaid fees held (yuan)"))
    deposits_held = _money_field(_("Deposits held (yuan)"))


class MealReportForm(forms.Form):
    month = MonthFormField(label=_("Month"), widget=MONTH_INPUT)
    meals_served = forms.IntegerField(label=_("Meals served"))
    subsidised_meals = forms.IntegerField(
        label=_("Subsidised meals"), help_text=_("No more than the meals served.")
    )


class InspectionForm(forms.Form):
    date = forms.DateField(label=_("Inspection date"), widget=DATE_INPUT)
    inspector = forms.CharField(label=_("Inspector"), max_length=100)


class HazardForm(forms.Form):
    description = forms.CharField(label=_("Hazard"), required=False, max_length=500)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, required=False)
    deadline = forms.DateField(label=_("Rectification deadline"), widget=DATE_INPUT, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description") and not data.get("deadline"):
            self.add_error("deadline", _("Give the rectification deadline."))
        return data


HAZARD_ROWS = 3


class RectifyForm(forms.Form):
    rectified_on = forms.DateField(label=_("Rectified on"), widget=DATE_INPUT)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class AlertCloseForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500)


class HomeCareForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    kind = forms.ChoiceField(label=_("Kind"), choices=HomeCareKind.choices)
    contractor = forms.CharField(label=_("Contractor"), required=False, max_length=100)
    subsidy = _money_field(_("Subsidy (yuan)"), initial=Decimal("0.00"))
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in HomeCareStatus.choices if c[0] != HomeCareStatus.ENDED]
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE_INPUT, required=False)


class HomeCareEditForm(forms.Form):
    """Move a project along or correct it (its person and kind stay)."""

    contractor = forms.CharField(label=_("Contractor"), required=False, max_length=100)
    subsidy = _money_field(_("Subsidy (yuan)"))
    status = forms.ChoiceField(
        label=_("Status"), choices=[c for c in HomeCareStatus.choices if c[0] != HomeCareStatus.ENDED]
    )
    completed_on = forms.DateField(
        label=_("Completed on"), widget=DATE_INPUT, required=False, help_text=_("Only when completed.")
    )


# --- 情暖夕阳 meal delivery ----------------------------------------------------------------------------------------


class MealSiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（{obj.division.name}）"


class MealEnrolmentForm(forms.Form):
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    facility = MealSiteChoiceField(label=_("Meal site"), queryset=None, empty_label=_("Choose a meal site"))
    enrolled_on = forms.DateField(label=_("Enrolled on"), widget=DATE_INPUT)

    def __init__(self, *args: Any, meal_sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["facility"]).queryset = meal_sites


class MealDeliveryForm(forms.Form):
    month = MonthFormField(label=_("Month"), widget=MONTH_INPUT)
    meals_delivered = forms.IntegerField(
        label=_("Meals delivered"), help_text=_("At most three a day: 84 to 93 in a month, by its length.")
    )


class MealDeliveryCorrectForm(forms.Form):
    meals_delivered = forms.IntegerField(label=_("Meals delivered"))


class MealEnrolmentEndForm(forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE_INPUT)
    reason = forms.CharField(label=_("Reason for ending"), max_length=200)
