from __future__ import annotations

import re
from typing import Any

from django.db.models import QuerySet

from civil_affairs.accounts.jurisdiction import get_within_jurisdiction_or_404, within_jurisdiction

from .models import Person

_WHOLE_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
_LAST_FOUR = re.compile(r"^[0-9]{3}[0-9X]$")


def person_search(people: QuerySet[Person], search: str) -> QuerySet[Person]:
    """Narrow ``people`` by a search term the way SPEC §2.2 allows, so a number cannot be recovered digit by
    digit: a whole ID number finds its person; otherwise the term is a name, optionally with the last 4
    characters of the number as a separate word (``王小明 002X``). A part of a number alone finds nobody."""
    words = (search or "").split()
    if not words:
        return people
    if len(words) == 1 and _WHOLE_NUMBER.match(words[0].upper()):
        return people.filter(id_number=words[0].upper())
    last_four = [word.upper() for word in words if _LAST_FOUR.match(word.upper())]
    name = " ".join(word for word in words if not _LAST_FOUR.match(word.upper()))
    if not name or len(last_four) > 1:
        return people.none()
    people = people.filter(name__icontains=name)
    if last_four:
        people = people.filter(id_number__endswith=last_four[0])
    return people


def person_list(*, user: Any, search: str = "") -> QuerySet[Person]:
    """People registered in the user's jurisdiction, narrowed by :func:`person_search`."""
    people = within_jurisdiction(Person.objects.select_related("division"), user)
    return person_search(people, search).order_by("-id")


def person_get(*, user: Any, pk: Any) -> Person:
    """One person in the user's jurisdiction, else 404."""
    return get_within_jurisdiction_or_404(Person.objects.select_related("division"), user, pk=pk)


def person_by_id_number(*, user: Any, id_number: str) -> Person | None:
    """The person with exactly this (whole) ID number in the user's jurisdiction, if any."""
    return within_jurisdiction(Person.objects.all(), user).filter(id_number=id_number.strip().upper()).first()


def people_visible_to(user: Any) -> QuerySet[Person]:
    """Every person the user may name in a request: a person outside reads as unknown (SPEC §7)."""
    return within_jurisdiction(Person.objects.all(), user)
