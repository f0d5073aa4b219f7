"""Two registrations racing for one person: each thread has its own database connection and transaction;
the row locks on the people let exactly one through, whichever order the parties are given in."""

import datetime

import pytest

from civil_affairs.errors import RuleViolation
from marriage import services
from marriage.models import Registration
from tests.helpers import race as race_all
from tests.marriage.factories import man, woman

pytestmark = pytest.mark.django_db(transaction=True)

ON = datetime.date(2024, 6, 15)


def race(actor, couples):
    """Start one registration per couple at the same moment; return each one's registration or refusal."""
    return race_all(
        lambda couple: services.registration_create(
            actor=actor,
            party_a=couple[0],
            party_b=couple[1],
            registration_date=ON,
            declares_not_close_relatives=True,
        ),
        couples,
        refusals=(RuleViolation,),
    )


@pytest.mark.parametrize("rounds", range(3))
def test_of_two_brides_racing_for_one_groom_exactly_one_marries_him(divisions, registrar, rounds):
    groom, first, second = man(), woman(), woman()

    results = race(registrar, [(groom, first), (second, groom)])

    won = [r for r in results if isinstance(r, Registration)]
    lost = [r for r in results if isinstance(r, RuleViolation)]
    assert (len(won), len(lost)) == (1, 1), results
    assert "is married to" in " ".join(lost[0].messages)
    assert (
        Registration.objects.filter(party_a=groom).count()
        + Registration.objects.filter(party_b=groom).count()
        == 1
    )


def test_the_same_couple_registered_twice_at_once_is_registered_once(divisions, registrar):
    groom, bride = man(), woman()

    results = race(registrar, [(groom, bride), (bride, groom), (groom, bride)])

    assert sum(isinstance(r, Registration) for r in results) == 1, results
    assert all(isinstance(r, (Registration, RuleViolation)) for r in results), results
    assert Registration.objects.count() == 1
    numbers = list(Registration.objects.values_list("certificate_number", flat=True))
    assert numbers == ["J370114-2024-000001"]


def test_unrelated_couples_register_at_once_with_distinct_numbers(divisions, registrar):
    couples = [(man(), woman()) for _ in range(4)]

    results = race(registrar, couples)

    assert all(isinstance(r, Registration) for r in results), results
    numbers = sorted(r.certificate_number for r in results)
    assert numbers == [f"J370114-2024-00000{i}" for i in range(1, 5)]
