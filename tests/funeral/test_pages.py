"""The funeral pages: every list answers in Chinese by default and exports CSV; recording a death through the
form shows its effects; a refusal is shown beside its field; a subsidy is decided from its page."""

import datetime

import pytest

from assistance.workflow import EnrollmentStatus
from civil_affairs.accounts.models import Role
from funeral.models import BurialSubsidy, DeathRecord
from funeral.workflow import SubsidyState
from tests.assistance.factories import EnrollmentFactory
from tests.funeral.conftest import record_death
from tests.helpers import zh
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

LISTS = [
    "/funeral/",
    "/funeral/deaths/",
    "/funeral/subsidies/",
    "/funeral/waivers/",
    "/funeral/cemeteries/",
    "/funeral/councils/",
    "/funeral/council-events/",
    "/funeral/overpayments/",
    "/funeral/deaths/new/",
    "/funeral/subsidies/new/",
    "/funeral/waivers/new/",
    "/funeral/cemeteries/new/",
    "/funeral/councils/new/",
    "/funeral/council-events/new/",
]


@pytest.mark.parametrize("url", LISTS)
def test_every_page_reads_in_chinese(client, officer, divisions, url):
    client.force_login(officer)

    response = client.get(url)

    assert response.status_code == 200
    assert zh("Death records") in response.content.decode()


@pytest.mark.parametrize(
    "url", [u for u in LISTS if u.count("/") == 3 and "new" not in u and u != "/funeral/"]
)
def test_every_list_exports_csv(client, officer, divisions, url):
    client.force_login(officer)

    response = client.get(url, {"format": "csv"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert b"".join(response.streaming_content).startswith("\ufeff".encode())


def test_recording_a_death_through_the_form_shows_its_effects(client, officer, standards, divisions):
    enrollment = EnrollmentFactory()
    person = enrollment.covered_members.get()
    client.force_login(officer)

    response = client.post(
        "/funeral/deaths/new/",
        {"person": person.id_number, "date_of_death": "2024-03-10", "place": "家中"},
        follow=True,
    )

    record = DeathRecord.objects.get(person=person)
    assert response.redirect_chain[-1][0] == f"/funeral/deaths/{record.pk}/"
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED
    page = response.content.decode()
    assert zh("What the death changed") in page and zh("Terminated") in page and f"#{enrollment.pk}" in page


def test_a_refused_death_is_shown_beside_the_date(client, officer, divisions):
    person = PersonFactory(birth_date=datetime.date(1970, 1, 1))
    client.force_login(officer)

    response = client.post(
        "/funeral/deaths/new/", {"person": person.id_number, "date_of_death": "1969-01-01"}
    )

    assert response.status_code == 200
    assert zh("The date of death cannot be before the birth date.") in response.content.decode()
    assert not DeathRecord.objects.exists()


def test_a_reviewer_approves_a_subsidy_from_its_page(client, api_as, officer, make_user, divisions):
    person = PersonFactory()
    record_death(api_as(officer), person)
    subsidy = BurialSubsidy.objects.create(
        deceased=person,
        division_id=person.division_id,
        burial_type="tree",
        applicant=PersonFactory(),
        burial_date=datetime.date(2024, 3, 12),
        amount="3000.00",
        submitted_by=officer,
    )
    client.force_login(make_user(Role.DISTRICT_REVIEWER, "370114"))

    page = client.get(f"/funeral/subsidies/{subsidy.pk}/").content.decode()
    client.post(f"/funeral/subsidies/{subsidy.pk}/approve/")

    assert zh("Approve") in page
    subsidy.refresh_from_db()
    assert subsidy.state == SubsidyState.APPROVED
