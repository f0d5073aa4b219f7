"""Eco-burial subsidies (amounts by type, four eyes, one per deceased), basic funeral fee waivers for 低保 and
特困 beneficiaries, cemetery plots (never over-allocated, also under concurrency), village councils (SPEC §7)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from civil_affairs.accounts.models import Role
from civil_affairs.errors import Conflict
from civil_affairs.workflow.models import StateChange
from funeral import services
from funeral.models import BurialSubsidy, Cemetery, CouncilEvent, FeeWaiver, PlotAllocation, VillageCouncil
from funeral.workflow import SubsidyState
from tests.assistance.factories import EnrollmentFactory
from tests.funeral.conftest import DIED, record_death
from tests.helpers import race
from tests.people.factories import PersonFactory


def deceased(client):
    person = PersonFactory()
    assert record_death(client, person).status_code == 201
    person.refresh_from_db()
    return person


def file_subsidy(client, dead, burial_type="tree", **extra):
    body = {
        "deceased": dead.pk,
        "burial_type": burial_type,
        "applicant": PersonFactory().pk,
        "burial_date": "2024-03-15",
        **extra,
    }
    return client.post("/api/v1/funeral/burial-subsidies/", body, format="json")


# --- Eco-burial subsidies -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("burial_type", "amount"),
    [
        ("scattering", "4000.00"),
        ("sea", "4000.00"),
        ("degradable_urn", "3000.00"),
        ("tree", "3000.00"),
        ("flower", "3000.00"),
        ("lawn", "3000.00"),
        ("deep_no_mound", "2000.00"),
        ("niche", "1000.00"),
    ],
)
def test_the_subsidy_amount_follows_the_burial_type(officer_api, divisions, burial_type, amount):
    dead = deceased(officer_api)

    response = file_subsidy(officer_api, dead, burial_type)

    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == amount and response.json()["state"] == "submitted"
    assert BurialSubsidy.objects.get(deceased=dead).amount == Decimal(amount)


def test_the_amount_table_is_configurable(officer_api, divisions, settings):
    settings.FUNERAL_BURIAL_SUBSIDY_AMOUNTS = {**settings.FUNERAL_BURIAL_SUBSIDY_AMOUNTS, "niche": "1200"}

    response = file_subsidy(officer_api, deceased(officer_api), "niche")

    assert response.json()["amount"] == "1200.00"


def test_a_burial_type_outside_the_table_is_refused(officer_api, divisions):
    response = file_subsidy(officer_api, deceased(officer_api), "rocket")

    assert response.status_code == 400
    assert "award table" in response.json()["burial_type"][0]
    assert not BurialSubsidy.objects.exists()


def test_a_subsidy_for_a_living_person_needs_a_death_record(officer_api, divisions):
    response = file_subsidy(officer_api, PersonFactory())

    assert response.status_code == 400 and "death record" in response.json()["deceased"][0]
    assert not BurialSubsidy.objects.exists()


def test_a_second_subsidy_for_the_same_deceased_is_a_conflict(officer_api, divisions):
    dead = deceased(officer_api)
    file_subsidy(officer_api, dead)

    response = file_subsidy(officer_api, dead, "niche")

    assert response.status_code == 409
    assert BurialSubsidy.objects.filter(deceased=dead).count() == 1


def test_four_eyes_whoever_filed_may_not_approve(api_as, make_user, divisions):
    administrator = make_user(Role.ADMINISTRATOR, "370114")
    reviewer = make_user(Role.DISTRICT_REVIEWER, "370114")
    admin_api = api_as(administrator)
    subsidy_id = file_subsidy(admin_api, deceased(admin_api)).json()["id"]

    refused = admin_api.post(f"/api/v1/funeral/burial-subsidies/{subsidy_id}/approve/")
    approved = api_as(reviewer).post(f"/api/v1/funeral/burial-subsidies/{subsidy_id}/approve/")
    paid = api_as(reviewer).post(
        f"/api/v1/funeral/burial-subsidies/{subsidy_id}/pay/", {"paid_on": "2024-04-01"}
    )

    assert refused.status_code == 403
    assert approved.status_code == 200 and paid.status_code == 200
    subsidy = BurialSubsidy.objects.get(pk=subsidy_id)
    assert subsidy.state == SubsidyState.PAID and subsidy.paid_on == datetime.date(2024, 4, 1)
    steps = StateChange.objects.filter(object_type="funeral.burialsubsidy", object_id=subsidy_id).order_by(
        "id"
    )
    assert [(s.action, s.actor_id) for s in steps] == [
        ("submit", administrator.pk),
        ("approve", reviewer.pk),
        ("pay", reviewer.pk),
    ]


def test_a_rejection_needs_a_reason_and_ends_the_case(officer_api, api_as, reviewer, divisions):
    subsidy_id = file_subsidy(officer_api, deceased(officer_api)).json()["id"]
    url = f"/api/v1/funeral/burial-subsidies/{subsidy_id}/"

    assert api_as(reviewer).post(url + "reject/", {}).status_code == 400
    assert api_as(reviewer).post(url + "reject/", {"reason": "骨灰未按生态方式安葬"}).status_code == 200
    assert api_as(reviewer).post(url + "pay/").status_code == 409
    assert BurialSubsidy.objects.get(pk=subsidy_id).state == SubsidyState.REJECTED


# --- Fee waivers ------------------------------------------------------------------------------------------------


def test_a_deceased_dibao_beneficiary_gets_the_fee_waiver_once(officer_api, standards, divisions):
    enrollment = EnrollmentFactory()
    person = enrollment.covered_members.get()
    record_death(officer_api, person)

    first = officer_api.post("/api/v1/funeral/fee-waivers/", {"deceased": person.pk}, format="json")
    second = officer_api.post("/api/v1/funeral/fee-waivers/", {"deceased": person.pk}, format="json")

    assert first.status_code == 201 and first.json()["amount"] == "630.00"
    assert second.status_code == 409
    assert FeeWaiver.objects.get().deceased == person


def test_an_enrollment_not_yet_started_on_the_date_of_death_counts(officer_api, standards, divisions):
    enrollment = EnrollmentFactory(start=datetime.date(2024, 4, 1))
    person = enrollment.covered_members.get()
    record_death(officer_api, person)

    response = officer_api.post("/api/v1/funeral/fee-waivers/", {"deceased": person.pk}, format="json")

    assert response.status_code == 201


def test_no_waiver_for_someone_not_a_beneficiary_on_the_date_of_death(officer_api, standards, divisions):
    ended_before = EnrollmentFactory(end=DIED - datetime.timedelta(days=1), status="terminated")
    person = ended_before.covered_members.get()
    record_death(officer_api, person)

    response = officer_api.post("/api/v1/funeral/fee-waivers/", {"deceased": person.pk}, format="json")

    assert response.status_code == 400 and "低保 or 特困 beneficiary" in response.json()["deceased"][0]
    assert not FeeWaiver.objects.exists()


def test_a_disability_subsidy_alone_does_not_qualify(officer_api, standards, divisions):
    enrollment = EnrollmentFactory(category="disability_living")
    person = enrollment.covered_members.get()
    record_death(officer_api, person)

    response = officer_api.post("/api/v1/funeral/fee-waivers/", {"deceased": person.pk}, format="json")

    assert response.status_code == 400


# --- Cemeteries ---------------------------------------------------------------------------------------------------


def test_plots_are_numbered_and_a_full_cemetery_refuses(officer_api, divisions):
    cemetery = officer_api.post(
        "/api/v1/funeral/cemeteries/",
        {"name": "马安公益性公墓", "division": "370114001", "plots_total": 1},
        format="json",
    ).json()
    url = f"/api/v1/funeral/cemeteries/{cemetery['id']}/allocate/"
    first, second = deceased(officer_api), deceased(officer_api)

    allocated = officer_api.post(url, {"deceased": first.pk}, format="json")
    again = officer_api.post(url, {"deceased": first.pk}, format="json")
    full = officer_api.post(url, {"deceased": second.pk}, format="json")

    assert allocated.status_code == 201 and allocated.json()["plot"] == 1
    assert again.status_code == 409 and full.status_code == 409
    assert Cemetery.objects.get().plots_used == 1
    assert list(PlotAllocation.objects.values_list("deceased_id", "plot")) == [(first.pk, 1)]


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_allocations_into_three_free_plots_give_exactly_three(officer, officer_api, divisions):
    cemetery = Cemetery.objects.create(
        name="杨北公益性公墓", division_id="370114001", plots_total=5, plots_used=2
    )
    dead = [deceased(officer_api) for _ in range(10)]

    results = race(
        lambda person: services.plot_allocate(actor=officer, cemetery=cemetery, deceased=person),
        dead,
        refusals=(Conflict,),
    )

    assert (
        sorted("full" if isinstance(r, Conflict) else "allocated" for r in results)
        == ["allocated"] * 3 + ["full"] * 7
    )
    cemetery.refresh_from_db()
    assert cemetery.plots_used == 5
    assert sorted(PlotAllocation.objects.values_list("plot", flat=True)) == [3, 4, 5]


# --- Village councils ---------------------------------------------------------------------------------------------


def test_a_village_council_and_its_events(officer_api, divisions):
    village = "370114001001"
    created = officer_api.post(
        "/api/v1/funeral/village-councils/",
        {
            "division": village,
            "chair": "李明",
            "members": ["李明", "王芳", "张强"],
            "charter_date": "2023-03-01",
        },
        format="json",
    )
    council_id = created.json()["id"]
    event = officer_api.post(
        "/api/v1/funeral/council-events/",
        {
            "council": council_id,
            "kind": "funeral",
            "held_on": "2023-06-02",
            "family": "王家",
            "guests": 40,
            "cost": "3200",
        },
        format="json",
    )
    duplicate = officer_api.post(
        "/api/v1/funeral/village-councils/",
        {"division": village, "chair": "赵六", "members": ["赵六"], "charter_date": "2023-03-01"},
        format="json",
    )

    assert created.status_code == 201 and event.status_code == 201 and duplicate.status_code == 409
    assert VillageCouncil.objects.get().members == ["李明", "王芳", "张强"]
    assert CouncilEvent.objects.get().cost == Decimal("3200.00")
    listed = officer_api.get("/api/v1/funeral/village-councils/").json()["results"]
    assert listed[0]["events"] == 1
