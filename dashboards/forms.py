"""The dashboard page's filter: a period of months and the district or a town (shape only; the period's rules
are periods.period_between, shared with the API)."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from civil_affairs.divisions.models import DivisionLevel

from .periods import PeriodError, parse_month, period_between
from .selectors import dashboard_divisions

MONTH_INPUT = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


class MonthFormField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a month as YYYY-MM.")}

    def to_python(self, value: Any) -> datetime.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


class DashboardForm(forms.Form):
    """``from`` and ``to`` (the API's names; set in __init__, "from" being a keyword), ``division``."""

    # A select of the user's divisions; any code is checked by selectors.division_for (outside: 404).
    division = forms.CharField(label=_("District or town/street"), required=False, widget=forms.Select)

    def __init__(self, *args: Any, user: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields = {
            "from": MonthFormField(label=_("From"), required=False, widget=MONTH_INPUT),
            "to": MonthFormField(label=_("To"), required=False, widget=MONTH_INPUT),
            "division": self.fields["division"],
        }
        cast(forms.Select, self.fields["division"].widget).choices = [
            (
                division.code,
                division.name if division.level == DivisionLevel.DISTRICT else f"— {division.name}",
            )
            for division in dashboard_divisions(user)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                data["period"] = period_between(data.get("from"), data.get("to"), self.today)
            except PeriodError as error:
                self.add_error(error.field, error.message)
        return data
