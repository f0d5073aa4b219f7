"""Ten households filed at the same moment with the same person (issue 8 #9): one is recorded, the other nine
are told the person already belongs to a household — never a 500 from a duplicate key."""

from decimal import Decimal

import pytest

from assistance import services
from assistance.models import Household, HouseholdMember
from civil_affairs.divisions.models import Division
from civil_affairs.errors import RuleViolation
from tests.helpers import race
from tests.people.factories import PersonFactory


@pytest.mark.django_db(transaction=True)
def test_racing_households_with_the_same_person_record_one_and_refuse_the_rest(caseworker, divisions):
    person = PersonFactory()
    village = Division.objects.get(code="370114001001")

    def file(index: int) -> Household:
        return services.household_create(
            actor=caseworker,
            division=village,
            address=f"明水街道{index}号",
            members=[services.MemberInput(person, "self", Decimal("0.00"))],
        )

    outcomes = race(file, list(range(10)), refusals=(RuleViolation,))

    assert sum(isinstance(o, Household) for o in outcomes) == 1
    assert sum(isinstance(o, RuleViolation) for o in outcomes) == 9
    assert HouseholdMember.objects.filter(person=person).count() == 1
