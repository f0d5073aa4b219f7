from __future__ import annotations

import re
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from civil_affairs.accounts.jurisdiction import jurisdiction_q
from civil_affairs.accounts.lines import Line, serves

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


def visible_q(user: Any) -> Q:
    """The people a user may see: those registered in the user's jurisdiction and, for users serving marriage
    (registered nationwide, SPEC §2.2), the people from outside the district, who have no division."""
    visible = jurisdiction_q(user)
    if serves(user, Line.MARRIAGE) and getattr(user, "jurisdiction_id", None):
        visible |= Q(division__isnull=True)
    return visible


def person_list(*, user: Any, search: str = "") -> QuerySet[Person]:
    """People the user may see (:func:`visible_q`), narrowed by :func:`person_search`."""
    people = Person.objects.filter(visible_q(user)).select_related("division")
    return person_search(people, search).order_by("-id")


def person_get(*, user: Any, pk: Any) -> Person:
    """One person the user may see, else 404."""
    try:
        return Person.objects.select_related("division").filter(visible_q(user)).get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def person_by_id_number(*, user: Any, id_number: str) -> Person | None:
    """The person with exactly this (whole) ID number whom the user may see, if any."""
    return Person.objects.filter(visible_q(user)).filter(id_number=id_number.strip().upper()).first()


def people_visible_to(user: Any) -> QuerySet[Person]:
    """Every person the user may name in a request: a person outside reads as unknown (SPEC §7)."""
    return Person.objects.filter(visible_q(user))
