from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from civil_affairs.accounts.jurisdiction import get_within_jurisdiction_or_404, within_jurisdiction

from .models import Person


def person_list(*, user: Any, search: str = "") -> QuerySet[Person]:
    """People registered in the user's jurisdiction; ``search`` matches a name or an ID number's visible part."""
    people = within_jurisdiction(Person.objects.select_related("division"), user)
    search = search.strip()
    if search:
        term = search.upper()
        people = people.filter(
            Q(name__icontains=search) | Q(id_number__startswith=term) | Q(id_number__endswith=term)
        )
    return people.order_by("-id")


def person_get(*, user: Any, pk: Any) -> Person:
    """One person in the user's jurisdiction, else 404."""
    return get_within_jurisdiction_or_404(Person.objects.select_related("division"), user, pk=pk)


def person_by_id_number(*, user: Any, id_number: str) -> Person | None:
    """The person with exactly this (whole) ID number in the user's jurisdiction, if any."""
    return within_jurisdiction(Person.objects.all(), user).filter(id_number=id_number.strip().upper()).first()


def people_visible_to(user: Any) -> QuerySet[Person]:
    """Every person the user may name in a request: a person outside reads as unknown (SPEC §7)."""
    return within_jurisdiction(Person.objects.all(), user)
