"""Forms of the social-assistance pages. They check the shape of what was typed; the rules live in
services.py, whose refusals the views show next to the field they name (STYLE.md).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civil_affairs.divisions.models import Division
from civil_affairs.people.forms import DivisionChoiceField, divisions_within
from civil_affairs.people.id_numbers import InvalidIdNumber, parse_id_number
from civil_affairs.people.models import Person
from civil_affairs.web.actions import NoInputForm

from .models import Relation
from .rules import MAX_MONTHLY_INCOME, Category


def _date_widget() -> forms.DateInput:
    # ISO values in every language, as the browser's date picker sends them.
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _received_on_field() -> forms.DateField:
    return forms.DateField(
        label=_("Received on"),
        required=False,
        initial=timezone.localdate,
        widget=_date_widget(),
        help_text=_("The day the paper application arrived: today or up to 30 days back."),
    )


def _category_field(**options: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Assistance category"), choices=[("", "---------"), *Category.choices], **options
    )


# --- Filing an application ----------------------------------------------------------------------------------


class FilingForm(forms.Form):
    """The household part of "file an application": where it lives and what it applies for."""

    division = DivisionChoiceField(
        label=_("Village or community"),
        queryset=Division.objects.none(),
        help_text=_("Members not yet registered are registered here."),
    )
    address = forms.CharField(label=_("Home address"), max_length=200)
    category = _category_field()
    irregular_income = forms.BooleanField(
        label=_("Irregular income"),
        required=False,
        help_text=_("Members able to work with irregular income: re-check every 6 months."),
    )
    received_on = _received_on_field()

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A household lives in a village or community, named with its town (issue 14 #3).
        cast(forms.ModelChoiceField, self.fields["division"]).queryset = divisions_within(user, villages=True)


class MemberForm(forms.Form):
    """One household member: looked up by ID number, or registered when not yet in the registry."""

    id_number = forms.CharField(label=_("ID number"), max_length=18)
    name = forms.CharField(label=_("Name"), max_length=50)
    relation = forms.ChoiceField(
        label=_("Relation to the head"), choices=[("", "---------"), *Relation.choices]
    )
    monthly_income = forms.DecimalField(
        label=_("Monthly income (yuan)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("Leave empty for none."),
    )
    covered = forms.BooleanField(label=_("Covered by the application"), required=False, initial=True)

    def clean_id_number(self) -> str:
        # The standard's own check, so a mistyped number shows beside the row at once.
        try:
            return parse_id_number(self.cleaned_data["id_number"]).number
        except InvalidIdNumber as error:
            raise forms.ValidationError(str(error)) from None

    def clean_monthly_income(self) -> Decimal:
        income = self.cleaned_data.get("monthly_income")
        return Decimal("0.00") if income is None else income


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        rows = [form.cleaned_data for form in self.forms if form.has_changed() or form in self.initial_forms]
        if rows and not any(row.get("covered") for row in rows):
            raise forms.ValidationError(_("Choose at least one member to be covered."))

    def filled_forms(self) -> list[MemberForm]:
        """The rows that were filled in (blank extra rows are left out)."""
        return [
            cast(MemberForm, form)
            for form in self.forms
            if form.cleaned_data and (form.has_changed() or form in self.initial_forms)
        ]


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=20,
    validate_max=True,
)

MEMBERS_PREFIX = "members"


def member_formset(data: Any = None) -> BaseMemberFormSet:
    """The member rows, the first one preset as the head of household."""
    return cast(
        BaseMemberFormSet,
        MemberFormSet(data, prefix=MEMBERS_PREFIX, initial=[{"relation": Relation.SELF, "covered": True}]),
    )


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


class ApplyForm(forms.Form):
    """An application of an existing household."""

    category = _category_field()
    covered_members = MemberChoiceField(
        label=_("Members covered"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave all unticked to cover every member."),
    )
    irregular_income = forms.BooleanField(
        label=_("Irregular income"),
        required=False,
        help_text=_("Members able to work with irregular income: re-check every 6 months."),
    )
    received_on = _received_on_field()

    def __init__(self, *args: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(MemberChoiceField, self.fields["covered_members"])
        field.queryset = Person.objects.filter(pk__in=[m.person_id for m in members]).order_by("pk")


# --- Workflow actions ---------------------------------------------------------------------------------------


class AcceptForm(forms.Form):
    date = forms.DateField(
        label=_("Accepted on"),
        required=False,
        initial=timezone.localdate,
        widget=_date_widget(),
        help_text=_(
            "Not before the day received, not in the future. The decision is due 20 working days later."
        ),
    )


class InvestigateForm(forms.Form):
    report = forms.CharField(
        label=_("Home-visit report"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the home visit found: living conditions, income, property."),
    )
    date = forms.DateField(
        label=_("Home visit on"),
        required=False,
        initial=timezone.localdate,
        widget=_date_widget(),
        help_text=_("Not before the acceptance, not in the future."),
    )


class PubliciseForm(forms.Form):
    notice_from = forms.DateField(
        label=_("Notice posted on"),
        required=False,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Today or earlier, not before the home visit. The notice runs 7 full days before approval."
        ),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The household is notified in writing with this reason."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawal"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


# One input form per workflow action (workflow.TRANSITIONS); the field names are the service's arguments.
APPLICATION_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "accept": AcceptForm,
    "investigate": InvestigateForm,
    "publicise": PubliciseForm,
    "approve": NoInputForm,
    "reject": RejectForm,
    "withdraw": WithdrawForm,
}


class SuspendForm(forms.Form):
    reason = forms.CharField(label=_("Reason for suspension"), widget=forms.Textarea(attrs={"rows": 2}))


class ResumeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for resuming"), widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(forms.Form):
    reason = forms.CharField(label=_("Reason for termination"), widget=forms.Textarea(attrs={"rows": 2}))
    end = forms.DateField(
        label=_("Last day paid"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Default: today."),
    )


class ExtendDecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for extending"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Once only: the decision is then due 30 working days after acceptance."),
    )


class RecheckForm(forms.Form):
    """A re-check: the visit, the report, and one income field per household member (``income_<person id>``,
    added by :func:`recheck_form_for`)."""

    visited_on = forms.DateField(
        label=_("Re-check visit on"),
        initial=timezone.localdate,
        widget=_date_widget(),
        help_text=_("Not in the future, not before the previous visit."),
    )
    report = forms.CharField(
        label=_("Re-check report"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the re-check found: income, property, who lives in the household."),
    )
    irregular_income = forms.BooleanField(
        label=_("Irregular income"),
        required=False,
        help_text=_("Members able to work with irregular income: re-check every 6 months."),
    )

    INCOME_PREFIX = "income_"

    def incomes(self) -> list[tuple[int, Decimal]]:
        """(person id, monthly income) per member, from the cleaned form."""
        return [
            (int(name.removeprefix(self.INCOME_PREFIX)), value)
            for name, value in self.cleaned_data.items()
            if name.startswith(self.INCOME_PREFIX)
        ]


def recheck_form_for(members: Any, *, irregular_income: bool) -> type[RecheckForm]:
    """The re-check form of one household: an income field per member, filled with the income on record."""
    fields: dict[str, forms.Field] = {
        f"{RecheckForm.INCOME_PREFIX}{member.person_id}": forms.DecimalField(
            label=_("Monthly income of %(name)s (yuan)") % {"name": member.person.name},
            min_value=Decimal("0"),
            max_value=MAX_MONTHLY_INCOME,
            max_digits=12,
            decimal_places=2,
            initial=member.monthly_income,
        )
        for member in members
    }
    fields["irregular_income"] = forms.BooleanField(
        label=_("Irregular income"),
        required=False,
        initial=irregular_income,
        help_text=_("Members able to work with irregular income: re-check every 6 months."),
    )
    # type() with a Form base builds the class through Django's form metaclass, which collects the fields.
    return cast(type[RecheckForm], type("HouseholdRecheckForm", (RecheckForm,), fields))


# One input form per enrollment status change (workflow.ENROLLMENT_TRANSITIONS); the re-check's is made per
# household by recheck_form_for.
ENROLLMENT_ACTION_FORMS: dict[str, type[forms.Form]] = {
    "suspend": SuspendForm,
    "resume": ResumeForm,
    "terminate": TerminateForm,
}


# --- District jobs: the annual uplift and the monthly payment batches ------------------------------------------


class UpliftForm(forms.Form):
    year = forms.IntegerField(
        label=_("Year"), min_value=2000, max_value=2100, initial=lambda: timezone.localdate().year
    )
    rate = forms.DecimalField(
        label=_("Uplift rate"),
        max_digits=5,
        decimal_places=4,
        help_text=_("As a fraction: 0.05 raises the standards by 5%."),
    )
    effective_from = forms.DateField(
        label=_("Effective from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Amounts change from this day; the old amounts stay in the history."),
    )


class PaymentBatchForm(forms.Form):
    month = forms.DateField(
        label=_("Month to pay"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        help_text=_("As YYYY-MM. One batch per month."),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )
