"""Who the bank pays for an enrollment, and where (SPEC §4.3): the payee's name, bank account and bank, which
the monthly bank file lists. One service sets them, for the API and the enrollment page alike, audited.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.accounts.permissions import CASE_WRITERS, user_has_role
from civil_affairs.audit.services import audit_record
from civil_affairs.errors import Conflict, RuleViolation

from .models import Enrollment
from .workflow import EnrollmentStatus

# Who records a household's bank details: the caseworkers who take the case (and administrators).
PAYEE_WRITERS = CASE_WRITERS

# Bank card and account numbers in China: digits only, 12 to 30 of them (cards have 16–19; some
# passbook and co-operative bank accounts are longer or shorter). Spaces and dashes people type are dropped.
ACCOUNT_DIGITS = re.compile(r"^[0-9]{12,30}$")
ACCOUNT_SEPARATORS = re.compile(r"[\s-]+")


def normalise_account(value: str) -> str:
    """The account number as the bank file carries it: full-width digits read as ASCII, separators dropped."""
    return ACCOUNT_SEPARATORS.sub("", unicodedata.normalize("NFKC", value or ""))


def _visible_text(value: str, field: str, label: str, max_length: int) -> str:
    """Text a person can read: no control or format characters (RTL overrides, zero-width), not too long."""
    text = unicodedata.normalize("NFC", (value or "").strip())
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} for ch in text):
        raise RuleViolation(
            _("%(label)s contains invisible or control characters.") % {"label": label},
            field=field,
            code="invisible_characters",
        )
    if len(text) > max_length:
        raise RuleViolation(
            _("%(label)s has at most %(count)s characters.") % {"label": label, "count": max_length},
            field=field,
        )
    return text


def mask_account(value: str) -> str:
    """An account number as the API and the audit log show it: its last four digits only. The full number
    goes only to the bank file (jobs.py) and to the caseworker's form that records it."""
    return f"****{value[-4:]}" if value else ""


def enrollment_set_payee(
    *, actor: Any, enrollment: Enrollment, payee: str, bank_account: str, bank_name: str
) -> Enrollment:
    """Record the payee, bank account and bank of an enrollment (SPEC §4.3), audited.

    The three go together: all empty (the bank file then names the household head and leaves the account
    blank), or a payee, an account of 12–30 digits and a bank. A caseworker of the enrollment's jurisdiction
    (or an administrator) may; others are refused (403). A terminated enrollment is closed: its details stay as
    its last bank files paid them (409, as for its other actions).
    """
    if not (user_has_role(actor, PAYEE_WRITERS) and serves(actor, Line.ASSISTANCE)):
        raise PermissionDenied(_("Your role may not do this."))
    if not covers(actor, enrollment.division_id):
        raise PermissionDenied(_("This enrollment is outside your jurisdiction."))
    payee = _visible_text(payee, "payee", _("The payee"), 100)
    bank_name = _visible_text(bank_name, "bank_name", _("The bank"), 100)
    account = normalise_account(bank_account)
    errors: dict[str, list[str]] = {}
    if account and not ACCOUNT_DIGITS.match(account):
        errors["bank_account"] = [_("A bank account number has 12 to 30 digits.")]
    if payee or account or bank_name:
        for field, value, message in (
            ("payee", payee, _("Enter the payee's name.")),
            ("bank_account", account, _("Enter the bank account number.")),
            ("bank_name", bank_name, _("Enter the bank.")),
        ):
            if not value:
                errors.setdefault(field, []).append(message)
    if errors:
        raise RuleViolation(errors=errors, code="bank_details_incomplete")
    with transaction.atomic():
        locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if locked.status == EnrollmentStatus.TERMINATED:
            raise Conflict(
                _("Enrollment #%(id)s is terminated: its bank details can no longer be changed.")
                % {"id": locked.pk}
            )
        before = {"payee": locked.payee, "bank_account": locked.bank_account, "bank_name": locked.bank_name}
        after = {"payee": payee, "bank_account": account, "bank_name": bank_name}
        changed = [name for name in after if before[name] != after[name]]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, after[name])
        locked.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=actor,
            action="update",
            obj=locked,
            changes={
                name: [mask_account(before[name]), mask_account(after[name])]
                if name == "bank_account"
                else [before[name], after[name]]
                for name in changed
            },
        )
    return locked


class PayeeForm(forms.Form):
    """The enrollment page's form for the bank details: shape only, the rules are the service's."""

    payee = forms.CharField(label=gettext_lazy("Payee"), max_length=100, required=False)
    bank_account = forms.CharField(
        label=gettext_lazy("Bank account"),
        max_length=60,
        required=False,
        help_text=gettext_lazy("12 to 30 digits; spaces may be typed."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bank_name = forms.CharField(
        label=gettext_lazy("Bank"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("The bank and branch, e.g. 中国农业银行章丘支行."),
    )
