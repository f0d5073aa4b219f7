"""Every write to the people registry (SPEC §2.2). Each call is one transaction with its audit event."""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civil_affairs.accounts.jurisdiction import covers
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.audit.services import audit_record, diff
from civil_affairs.divisions.models import Division
from civil_affairs.errors import Conflict, RuleViolation

from .id_numbers import PROVINCE_CODES, InvalidIdNumber, parse_id_number
from .models import DISABILITY_GRADES, DisabilityKind, Person

EDITABLE_FIELDS = (
    "id_number",
    "name",
    "division",
    "registration_area",
    "phone",
    "disability_kind",
    "disability_grade",
)
_AREA_CODE = re.compile(r"^[0-9]{6}$")
NAME_MAX_LENGTH = 50
# Control, format (zero-width, direction overrides), surrogate, private-use and unassigned characters, and line
# or paragraph separators: none of them is part of a written name, and some make one display as another.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_PHONE = re.compile(r"^[0-9 +\-()]*$")


def _check_division(actor: Any, division: Division) -> None:
    if not covers(actor, division.code):
        raise RuleViolation(_("This division is outside your jurisdiction."), field="division")


def _check_residence(actor: Any, division: Division | None, registration_area: str) -> str:
    """A person is registered in a division of the district, or elsewhere in the country by the 6-digit area
    code of their registration (SPEC §2.2): exactly one. Only users serving marriage, which registers people
    from anywhere (婚姻登记条例 2025), register or see people from outside the district."""
    registration_area = (registration_area or "").strip()
    if division is not None and registration_area:
        raise RuleViolation(
            _("A person is registered either in a division of the district or outside it, not both."),
            field="registration_area",
            code="division_or_registration_area",
        )
    if division is not None:
        _check_division(actor, division)
        return ""
    if not registration_area:
        raise RuleViolation(
            _(
                "Choose the division of the household registration, or the area code of a registration outside "
                "the district."
            ),
            field="division",
            code="division_or_registration_area",
        )
    if not serves(actor, Line.MARRIAGE):
        raise PermissionDenied(_("Only the marriage registry registers people from outside the district."))
    if not _AREA_CODE.match(registration_area) or registration_area[:2] not in PROVINCE_CODES:
        raise RuleViolation(
            _("An area code has 6 digits and starts with a province code."),
            field="registration_area",
            code="registration_area_shape",
        )
    if Division.objects.filter(code=registration_area).exists():
        raise RuleViolation(
            _("This area is inside the district: choose the division of the household registration instead."),
            field="registration_area",
            code="registration_area_inside_district",
        )
    return registration_area


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
        "registration_area": person.registration_area,
        "phone": person.phone,
        "disability_kind": person.disability_kind,
        "disability_grade": person.disability_grade,
    }


def person_register(
    *,
    actor: Any,
    id_number: str,
    name: str,
    division: Division | None = None,
    registration_area: str = "",
    phone: str = "",
    disability_kind: str = "",
    disability_grade: int | None = None,
) -> Person:
    """Register a resident once; birth date and sex come from the ID number (GB 11643-1999). A person from
    outside the district has a ``registration_area`` instead of a division (marriage users only)."""
    facts = _parse(id_number)
    name = _check_name(name)
    phone = _check_phone(phone)
    disability_kind, disability_grade = _check_disability(disability_kind, disability_grade)
    # Said before any other refusal: whoever tries to register a number already registered (in another town,
    # or outside the district) learns that much, and nothing of where or whom (issue 8 #12).
    if Person.objects.filter(id_number=facts.number).exists():
        raise _already_registered()
    registration_area = _check_residence(actor, division, registration_area)
    try:
        with transaction.atomic():
            person = Person.objects.create(
                id_number=facts.number,
                name=name,
                sex=facts.sex,
                birth_date=facts.birth_date,
                division=division,
                registration_area=registration_area,
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
    if "division" in data or "registration_area" in data:
        # Moving into the district clears the area code; moving out clears the division.
        if "division" in data:
            division = data["division"]
        else:
            division = None if data.get("registration_area") else person.division
        if "registration_area" in data:
            area = data["registration_area"]
        else:
            area = "" if data.get("division") else person.registration_area
        person.registration_area = _check_residence(actor, division, area)
        person.division = division
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
                    "registration_area",
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


def home_division(person: Person) -> str:
    """The division code of a person whose household is registered in the district. People registered
    elsewhere (marriage registration is nationwide) have none, and no other line of work serves them."""
    if person.division_id is None:
        raise RuleViolation(
            _("%(name)s is registered outside the district.") % {"name": person.name}, field="person"
        )
    return person.division_id
