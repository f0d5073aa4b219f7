import datetime

import factory

from civil_affairs.people.id_numbers import compose_id_number
from civil_affairs.people.models import Person

BIRTH_SPAN_DAYS = 18_262  # 50 years: everyone an adult of any legal age (marriage 22, work 18)


class PersonFactory(factory.django.DjangoModelFactory):
    """A registered resident of 明水街道's first community unless told otherwise; the one factory of people.

    Every person gets a valid ID number of their own, even when many share a birth date and sex (as the
    marriage tests' parties do): the sequence part steps by two from 300 and the sex picks its parity,
    which keeps clear of the small sequences tests compose by hand.
    """

    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"居民{n}")
    sex = factory.Iterator(["male", "female"])
    # Born 1950–1999 whatever the sequence has reached in a long run (an ever-growing date would soon be in
    # the future); 97 is prime to the 18,262-day span, so 18,262 people get distinct birth dates first.
    birth_date = factory.Sequence(
        lambda n: datetime.date(1950, 1, 1) + datetime.timedelta(days=(97 * n) % BIRTH_SPAN_DAYS)
    )
    id_number = factory.LazyAttributeSequence(
        lambda person, n: compose_id_number("370114", person.birth_date, 300 + (2 * n) % 600, person.sex)
    )
    division_id = "370114001001"
    phone = "13800000000"
