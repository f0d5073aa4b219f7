import datetime

import factory

from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person


class PersonFactory(factory.django.DjangoModelFactory):
    """A registered resident of 明水街道's first community unless told otherwise."""

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"居民{n}")
    sex = factory.Iterator(["male", "female"])
    birth_date = factory.Sequence(lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=97 * n))
    id_number = factory.LazyAttributeSequence(
        lambda person, n: compose_id_number("370114", person.birth_date, n, person.sex)
    )
    division_id = "370114001001"
    phone = "13800000000"
