"""Reads of people (SPEC §2.2): who a user may see, and the one search by name or whole ID number that every
list where people appear uses (:class:`PersonSearchFilter`)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import django_filters
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import jurisdiction_q
from civil_affairs.accounts.lines import Line, serves
from civil_affairs.api.query_filters import StrictBooleanFilter
from civil_affairs.filtering import apply_filterset, division_filter

from .models import Person

M = TypeVar("M", bound=Model)

_WHOLE_NUMBER = re.compile(r"^[0-9]{17}[0-9X]$")
_LAST_FOUR = re.compile(r"^[0-9]{3}[0-9X]$")


_NUMBER_PART = re.compile(r"^[0-9X ]+$")


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
    # A name is never made of digits alone: such a term is part of a number, which finds nobody.
    if not name or len(last_four) > 1 or _NUMBER_PART.match(name.upper()):
        return people.none()
    people = people.filter(name__icontains=name)
    if last_four:
        people = people.filter(id_number__endswith=last_four[0])
    return people


def search_records(
    records: QuerySet[M],
    search: str,
    *,
    people: Sequence[str] = (),
    numbers: Sequence[str] = (),
    text: Sequence[str] = (),
) -> QuerySet[M]:
    """Narrow ``records`` to those where a person at one of the ``people`` paths matches ``search`` as
    :func:`person_search` reads it (a name, a name with the last 4 characters of the number, or a whole ID
    number, never a part of one), or one of the ``numbers`` fields (certificate numbers) equals it, or one
    of the ``text`` fields (an address) contains it. Each record once, however many of its people match."""
    term = " ".join((search or "").split())
    if not term:
        return records
    matching = person_search(Person.objects.all(), term).values("pk")
    found = Q(pk__in=[])
    for path in people:
        found |= Q(**{f"{path}__in": matching})
    for field in numbers:
        found |= Q(**{field: term.upper()})
    for field in text:
        found |= Q(**{f"{field}__icontains": term})
    return records.filter(pk__in=records.model._default_manager.filter(found).values("pk"))


SEARCH_HELP = (
    "A name, a name followed by the last 4 characters of the ID number (`王小明 002X`), or a whole ID number; "
    "parts of a number match nothing."
)


class PersonSearchFilter(django_filters.CharFilter):
    """``?search=`` on a list where people appear: :func:`search_records` over the record's ``people`` paths,
    its certificate ``numbers`` (whole numbers) and its ``text`` fields (SPEC §2.2: whole ID numbers only)."""

    def __init__(
        self,
        *,
        people: Sequence[str],
        numbers: Sequence[str] = (),
        text: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label", _("Search"))
        kwargs.setdefault("max_length", 100)
        help_text = SEARCH_HELP
        if numbers:
            help_text += " A whole certificate number finds its record."
        if text:
            help_text += " Also matches part of the address."
        kwargs.setdefault("help_text", help_text)
        super().__init__(**kwargs)
        self.people, self.numbers, self.text = tuple(people), tuple(numbers), tuple(text)

    def filter(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        return search_records(qs, value, people=self.people, numbers=self.numbers, text=self.text)


class PersonFilter(django_filters.FilterSet):
    """The people list's filters (API and page alike)."""

    search = django_filters.CharFilter(
        method="search_people",
        label=_("Search"),
        max_length=100,
        help_text="A whole ID number, or a name optionally followed by the number's last 4 characters "
        "(`王小明 002X`). Parts of a number match nothing.",
    )
    division = division_filter()
    is_deceased = StrictBooleanFilter(label=_("Deceased"))
    sex = django_filters.ChoiceFilter(
        choices=Person._meta.get_field("sex").choices, label=_("Sex"), empty_label=_("Either sex")
    )

    class Meta:
        model = Person
        fields = ["division", "is_deceased", "sex"]

    def search_people(self, queryset: QuerySet[Person], name: str, value: str) -> QuerySet[Person]:
        return person_search(queryset, value)


# ``?ordering=`` on the people list (API and page): anything else answers 400 in the API.
PERSON_ORDERING = ["id", "name", "birth_date", "division"]


def visible_q(user: Any) -> Q:
    """The people a user may see: those registered in the user's jurisdiction and, for users serving marriage
    (registered nationwide, SPEC §2.2), the people from outside the district, who have no division."""
    visible = jurisdiction_q(user)
    if serves(user, Line.MARRIAGE) and getattr(user, "jurisdiction_id", None):
        visible |= Q(division__isnull=True)
    return visible


def person_list(*, user: Any, filters: Mapping[str, Any] | None = None) -> QuerySet[Person]:
    """People the user may see (:func:`visible_q`), narrowed by :class:`PersonFilter` (``filters``: the query
    parameters; an invalid value raises RuleViolation naming it)."""
    people = Person.objects.filter(visible_q(user)).select_related("division").order_by("-id")
    return apply_filterset(PersonFilter, people, filters)


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
