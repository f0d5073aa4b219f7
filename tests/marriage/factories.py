"""Factories for marriage records. Records are built directly; the rules are exercised through the services."""

import datetime

import factory
from django.utils import timezone

from civil_affairs.people.models import Person
from marriage.civil_code import certificate_number
from marriage.models import CounsellingCase, DivorceApplication, Registration
from marriage.workflow import DivorceState
from tests.people.factories import PersonFactory


def person(sex: str, birth_date: datetime.date, division_id: str = "370114001001", **fields) -> Person:
    """A registered resident of the given sex and birth date (a valid ID number is composed for them)."""
    return PersonFactory(sex=sex, birth_date=birth_date, division_id=division_id, **fields)


def man(birth_date: datetime.date = datetime.date(1990, 5, 17), **fields) -> Person:
    return person("male", birth_date, **fields)


def woman(birth_date: datetime.date = datetime.date(1992, 8, 3), **fields) -> Person:
    return person("female", birth_date, **fields)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    party_a = factory.LazyFunction(man)
    party_b = factory.LazyFunction(woman)
    registration_date = datetime.date(2020, 5, 20)
    certificate_number = factory.Sequence(lambda n: certificate_number("J", "370114", 2020, 900_000 + n))
    declares_not_close_relatives = True


class DivorceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DivorceApplication

    registration = factory.SubFactory(RegistrationFactory)
    application_date = factory.LazyFunction(lambda: timezone.localdate())
    agreement = "婚生子由女方抚养，男方每月支付抚养费1500元；共同住房归女方所有；无共同债务。"
    attended_in_person = True
    state = DivorceState.OPEN


class CounsellingCaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CounsellingCase

    party_a = factory.LazyFunction(man)
    party_b = factory.LazyFunction(woman)
    opened_on = factory.LazyFunction(lambda: timezone.localdate())
