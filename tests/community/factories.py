"""Factories of community data. Workers are built directly (the services are tested through the API)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from community.models import CommunityWorker, MutualAidFund, VillageAssessment
from community.rules import Certificate, Post
from tests.people.factories import PersonFactory


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


class WorkerFactory(factory.django.DjangoModelFactory):
    """A staff member of 明水街道's first community, in post from a year ago for three years."""

    class Meta:
        model = CommunityWorker

    person = factory.SubFactory(PersonFactory)
    community_id = "370114001001"
    post = Post.STAFF
    grade = 3
    contract_start = factory.LazyFunction(lambda: days_from_today(-365))
    contract_end = factory.LazyFunction(lambda: days_from_today(365 * 2))
    grade_since = factory.LazyAttribute(lambda worker: worker.contract_start)
    certificate = Certificate.SOCIAL_WORKER
    recruitment_batch = "2023"


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MutualAidFund

    village_id = "370114001001"
    balance = Decimal("1000.00")


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VillageAssessment

    village_id = "370114001001"
    quarter = "2026Q3"
    score = 90


def bulk_workers(count: int, *, certified: int, community_id: str, **fields) -> list[CommunityWorker]:
    """``count`` workers in post today in one community, the first ``certified`` holding a certificate."""
    people = PersonFactory.build_batch(count, division_id=community_id)
    PersonFactory._meta.model.objects.bulk_create(people)
    start, end = days_from_today(-30), days_from_today(365)
    return CommunityWorker.objects.bulk_create(
        CommunityWorker(
            person=person,
            community_id=community_id,
            post=Post.STAFF,
            grade=1,
            grade_since=start,
            contract_start=start,
            contract_end=end,
            certificate=Certificate.SOCIAL_WORKER if index < certified else Certificate.NONE,
            recruitment_batch="2023",
            **fields,
        )
        for index, person in enumerate(people)
    )
