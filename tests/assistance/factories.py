"""Factories for social-assistance data. Enrollments are built directly (not through the workflow)."""

import datetime
from decimal import Decimal

import factory

from assistance.models import (
    Enrollment,
    EnrollmentAmount,
    EnrollmentSuspension,
    Household,
    HouseholdMember,
    Standard,
)
from assistance.rules import Category, monthly_amount
from assistance.workflow import EnrollmentStatus
from tests.people.factories import PersonFactory


class StandardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Standard

    category = Category.DIBAO_URBAN
    monthly_amount = Decimal("1000.00")
    effective_from = datetime.date(2024, 1, 1)


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    division_id = "370114001001"
    address = factory.Sequence(lambda n: f"明水街道{n}号")


class HouseholdMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory)
    person = factory.SubFactory(PersonFactory, division_id=factory.SelfAttribute("..household.division_id"))
    relation = "self"
    monthly_income = Decimal("0.00")


def household_with(incomes, division_id="370114001001"):
    """A household whose members earn ``incomes`` (the first is the head)."""
    household = HouseholdFactory(division_id=division_id)
    for index, income in enumerate(incomes):
        HouseholdMemberFactory(
            household=household, relation="self" if index == 0 else "child", monthly_income=Decimal(income)
        )
    return household


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """An active enrollment of a one-person household; amount computed by the rules from ``standard``."""

    class Meta:
        model = Enrollment
        skip_postgeneration_save = True

    class Params:
        standard = Decimal("1000.00")

    household = factory.LazyAttribute(lambda o: household_with(["0"], division_id=o.division_id))
    division_id = "370114001001"
    category = Category.DIBAO_URBAN
    total_income = Decimal("0.00")
    member_count = 1
    covered_count = 1
    monthly_amount = factory.LazyAttribute(
        lambda o: monthly_amount(
            category=o.category,
            standard=o.standard,
            total_income=o.total_income,
            member_count=o.member_count,
            covered_count=o.covered_count,
        )
    )
    start = datetime.date(2024, 1, 1)
    status = EnrollmentStatus.ACTIVE
    next_review = datetime.date(2025, 1, 1)

    @factory.post_generation
    def amount_history(self, create, extracted, **kwargs):
        if create:
            EnrollmentAmount.objects.create(
                enrollment=self, monthly_amount=self.monthly_amount, effective_from=self.start
            )
            self.covered_members.set([m.person for m in self.household.members.all()[: self.covered_count]])

    @factory.post_generation
    def suspension_history(self, create, extracted, **kwargs):
        """A suspended enrollment has its open suspension, here from its start (as the services keep it)."""
        if create and self.status == EnrollmentStatus.SUSPENDED:
            EnrollmentSuspension.objects.create(enrollment=self, start=self.start)
