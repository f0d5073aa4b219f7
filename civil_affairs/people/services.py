"""Every write to the people registry (SPEC §2.2). Each call is one transaction with its audit event."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.audit.services import audit_record, diff
from civil_affairs.divisions.models import Division
from civil_affairs.errors import Conflict, RuleViolation

from .id_numbers import InvalidIdNumber, parse_id_number
from .models import DISABILITY_GRADES, DisabilityKind, Person

EDITABLE_FIELDS = ("id_number", "name", "division", "phone", "disability_kind", "disability_grade")
NAME_MAX_LENGTH = 50
# Control, format (zero-width, direction overrides), surrogate, private-use and unassigned characters, and line
# or paragraph separators: none of them is part of a written name, and some make one display as another.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_PHONE = re.compile(r"^[0-9 +\-()]*$")


def _check_division(actor: Any, division: Division) -> None:
    if not covers(actor, division.code):
        raise RuleViolation(_("This division is outside your jurisdiction."), field="division")


def _check_name(name: str) -> str:
    """1–50 characters of visible text (SPEC §2.2): letters, and nothing hidden among them."""
    name = (name or "").strip()
    if any(unicodedata.category(character) in _HIDDEN_CATEGORIES for character in name):
        raise RuleViolation(
            _("A name cannot contain control characters or invisible formatting characters."), field="name"
        )
    if not any(unicodedata.category(character).startswith("L") for character in name):
        raise RuleViolation(_("Enter the person's name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise RuleViolation(
            _("A name has at most %(count)d characters.") % {"count": NAME_MAX_LENGTH}, field="name"
        )
    return name


def _check_phone(phone: str) -> str:
    """Digits, spaces, +, - and brackets only; blank when unknown."""
    phone = (phone or "").strip()
    if phone and (not _PHONE.match(phone) or not any(character.isdigit() for character in phone)):
        raise RuleViolation(
            _("A phone number may contain only digits, spaces, +, - and brackets."), field="phone"
        )
    return phone


def _check_disability(kind: str | None, grade: int | None) -> tuple[str, int | None]:
    """A disability certificate has a kind and a grade 1–4, or the person holds none (SPEC §2.2)."""
    kind = kind or ""
    if kind and kind not in DisabilityKind.values:
        raise RuleViolation(_("Unknown disability kind."), field="disability_kind", code="invalid_choice")
    if grade is not None and grade not in DISABILITY_GRADES:
        raise RuleViolation(
            _("A disability grade is 1 to 4."), field="disability_grade", code="disability_grade_range"
        )
    if bool(kind) != (grade is not None):
        field = "disability_grade" if kind else "disability_kind"
        raise RuleViolation(
            _("A disability certificate has both a kind and a grade."),
            field=field,
            code="disability_certificate_incomplete",
        )
    return kind, grade


def _parse(id_number: str) -> Any:
    try:
        return parse_id_number(id_number)
    except InvalidIdNumber as error:
        raise RuleViolation(str(error), field="id_number") from None


def _already_registered() -> RuleViolation:
    return RuleViolation(_("A person with this ID number is already registered."), field="id_number")


def _snapshot(person: Person) -> dict[str, Any]:
    return {
        "id_number": person.id_number,
        "name": person.name,
        "division": person.division_id,
        "phone": person.phone,
        "disability_kind": person.disability_kind,
        "disability_grade": person.disability_grade,
    }


def person_register(
    *,
    actor: Any,
    id_number: str,
    name: str,
    division: Division,
    phone: str = "",
    disability_kind: str = "",
    disability_grade: int | None = None,
) -> Person:
    """Register a resident once; birth date and sex come from the ID number (GB 11643-1999)."""
    facts = _parse(id_number)
    name = _check_name(name)
    phone = _check_phone(phone)
    disability_kind, disability_grade = _check_disability(disability_kind, disability_grade)
    _check_division(actor, division)
    if Person.objects.filter(id_number=facts.number).exists():
        raise _already_registered()
    try:
        with transaction.atomic():
            person = Person.objects.create(
                id_number=facts.number,
                name=name,
                sex=facts.sex,
                birth_date=facts.birth_date,
                division=division,
                phone=phone,
                disability_kind=disability_kind,
                disability_grade=disability_grade,
            )
            audit_record(actor=actor, action="create", obj=person, changes=diff({}, _snapshot(person)))
    except IntegrityError:
        # Two registrations of one number raced; the unique index let only one through.
        raise _already_registered() from None
    return person


def person_update(*, actor: Any, person: Person, **data: Any) -> Person:
    """Change the listed fields only; a corrected ID number re-derives birth date and sex."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise RuleViolation(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = _snapshot(person)
    if "id_number" in data:
        facts = _parse(data["id_number"])
        if Person.objects.filter(id_number=facts.number).exclude(pk=person.pk).exists():
            raise _already_registered()
        person.id_number, person.birth_date, person.sex = facts.number, facts.birth_date, facts.sex
    if "name" in data:
        person.name = _check_name(data["name"])
    if "division" in data:
        _check_division(actor, data["division"])
        person.division = data["division"]
    if "phone" in data:
        person.phone = _check_phone(data["phone"])
    if "disability_kind" in data or "disability_grade" in data:
        person.disability_kind, person.disability_grade = _check_disability(
            data.get("disability_kind", person.disability_kind),
            data.get("disability_grade", person.disability_grade),
        )
    changes = diff(before, _snapshot(person))
    if not changes:
        return person
    try:
        with transaction.atomic():
            person.save(
                update_fields=[
                    "id_number",
                    "birth_date",
                    "sex",
                    "name",
                    "division",
                    "phone",
                    "disability_kind",
                    "disability_grade",
                    "updated_at",
                ]
            )
            audit_record(actor=actor, action="update", obj=person, changes=changes)
    except IntegrityError:
        raise _already_registered() from None
    return person


def person_full_id_viewed(*, actor: Any, person: Person) -> None:
    """Seeing a full ID number is itself an audited event (SPEC §2.2)."""
    audit_record(actor=actor, action="view_full_id", obj=person)


def person_mark_deceased(*, actor: Any, person: Person, date_of_death: datetime.date) -> Person:
    """Record that a person died (called by the death event, civil_affairs/deaths.py, SPEC §7): not twice
    (409), not in the future nor before birth (400)."""
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        if locked.is_deceased:
            raise Conflict(
                _("%(name)s is already recorded as deceased (%(date)s).")
                % {"name": locked.name, "date": locked.date_of_death}
            )
        if date_of_death > timezone.localdate():
            raise RuleViolation(_("The date of death cannot be in the future."), field="date_of_death")
        if date_of_death < locked.birth_date:
            raise RuleViolation(
                _("The date of death cannot be before the birth date."), field="date_of_death"
            )
        locked.is_deceased, locked.date_of_death = True, date_of_death
        locked.save(update_fields=["is_deceased", "date_of_death", "updated_at"])
        audit_record(
            actor=actor,
            action="death",
            obj=locked,
            changes={"is_deceased": [False, True], "date_of_death": [None, date_of_death]},
        )
    return locked
