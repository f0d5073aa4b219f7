"""Recording a death is the death event (SPEC §7): in one transaction the person becomes deceased and every
app that cares reacts — assistance ends or recomputes enrollments, elder care ends services, the marriage ends —
or, if any of them refuses, nothing is recorded."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance import jobs
from assistance.models import EnrollmentAmount, Payment, PaymentBatch
from assistance.workflow import EnrollmentStatus
from civil_affairs import deaths
from civil_affairs.audit.models import AuditEvent
from civil_affairs.errors import RuleViolation
from civil_affairs.people.models import Person
from funeral.models import DeathRecord
from tests.assistance.factories import EnrollmentFactory, household_with
from tests.funeral.conftest import APRIL, DIED, MARCH, MAY, record_death
from tests.marriage.factories import RegistrationFactory, man, woman
from tests.people.factories import PersonFactory


def pay(month, reviewer):
    batch = jobs.payment_batch_create(actor=reviewer, month=month, queue_job=False)
    return jobs.payment_batch_run(batch_id=batch.pk)


def test_a_death_record_marks_the_person_deceased(officer_api, divisions):
    person = PersonFactory()

    response = record_death(officer_api, person, cremated=True, cremated_on="2024-03-12")

    assert response.status_code == 201, response.json()
    person.refresh_from_db()
    assert person.is_deceased and person.date_of_death == DIED
    record = DeathRecord.objects.get(person=person)
    assert response.json()["id"] == record.pk
    assert (record.place, record.cremated, record.cremated_on) == (
        "章丘区人民医院",
        True,
        datetime.date(2024, 3, 12),
    )


def test_a_second_death_record_is_a_conflict(officer_api, divisions):
    person = PersonFactory()
    record_death(officer_api, person)

    response = record_death(officer_api, person, on=DIED + datetime.timedelta(days=1))

    assert response.status_code == 409
    assert DeathRecord.objects.filter(person=person).count() == 1


@pytest.mark.parametrize("when", ["future", "before_birth"])
def test_a_date_of_death_in_the_future_or_before_birth_is_refused(officer_api, divisions, when):
    person = PersonFactory(birth_date=datetime.date(1960, 1, 1))
    day = (
        timezone.localdate() + datetime.timedelta(days=2) if when == "future" else datetime.date(1959, 12, 31)
    )

    response = record_death(officer_api, person, on=day)

    assert response.status_code == 400 and "date_of_death" in response.json()
    person.refresh_from_db()
    assert not person.is_deceased and not DeathRecord.objects.exists()


def test_a_person_outside_the_jurisdiction_is_an_invalid_value(api_as, make_user, divisions):
    town_officer = make_user(lines=["funeral"])  # 明水街道
    stranger = PersonFactory(division_id="370114002001")

    response = record_death(api_as(town_officer), stranger)

    assert response.status_code == 400 and "person" in response.json()
    assert not DeathRecord.objects.exists()


def test_a_one_person_beneficiary_is_terminated_at_month_end_and_later_payments_are_overpaid(
    officer_api, api_as, reviewer, standards, divisions
):
    enrollment = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    person = enrollment.covered_members.get()
    pay(MARCH, reviewer)
    pay(APRIL, reviewer)  # paid before anyone knew of the death

    assert record_death(officer_api, person).status_code == 201

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED
    assert enrollment.end == datetime.date(2024, 3, 31)
    assert person.name in enrollment.status_reason and "2024-03-10" in enrollment.status_reason
    assert AuditEvent.objects.filter(
        object_type="assistance.enrollment", object_id=str(enrollment.pk), action="transition:terminate"
    ).exists()
    # The next batch skips them.
    pay(MAY, reviewer)
    assert not Payment.objects.filter(enrollment=enrollment, month=MAY).exists()
    assert PaymentBatch.objects.get(month=MAY).count == 0
    # April, already paid, is listed for recovery; March, the month of death, is not.
    listed = api_as(reviewer).get("/api/v1/assistance/overpayments/").json()["results"]
    april = Payment.objects.get(enrollment=enrollment, month=APRIL)
    assert listed == [
        {
            "payment": april.pk,
            "enrollment": enrollment.pk,
            "person": person.pk,
            "month": "2024-04",
            "amount": "1000.00",
            "date_of_death": "2024-03-10",
        }
    ]


def test_an_enrollment_not_yet_started_is_terminated_and_pays_no_month(
    officer_api, reviewer, standards, divisions
):
    enrollment = EnrollmentFactory(start=APRIL)
    person = enrollment.covered_members.get()

    assert record_death(officer_api, person).status_code == 201

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED and enrollment.end == APRIL
    pay(APRIL, reviewer)
    assert not Payment.objects.filter(enrollment=enrollment).exists()


def test_a_member_of_a_three_person_household_is_recomputed_from_the_next_month(
    officer_api, api_as, reviewer, standards, divisions
):
    household = household_with(["0", "0", "0"])
    enrollment = EnrollmentFactory(
        household=household, member_count=3, covered_count=3, start=datetime.date(2024, 1, 1)
    )
    assert enrollment.monthly_amount == Decimal("3000.00")
    member = household.members.exclude(relation="self").first().person
    pay(APRIL, reviewer)

    assert record_death(officer_api, member).status_code == 201

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert enrollment.covered_count == 2 and member not in enrollment.covered_members.all()
    history = list(
        EnrollmentAmount.objects.filter(enrollment=enrollment)
        .order_by("effective_from")
        .values_list("effective_from", "monthly_amount")
    )
    assert history == [(datetime.date(2024, 1, 1), Decimal("3000.00")), (APRIL, Decimal("2000.00"))]
    assert enrollment.monthly_amount == Decimal("2000.00")  # in force today
    assert AuditEvent.objects.filter(object_id=str(enrollment.pk), action="recompute_after_death").exists()
    # May is paid the new amount; April, paid the old one, has 1000 to recover.
    pay(MAY, reviewer)
    assert Payment.objects.get(enrollment=enrollment, month=MAY).amount == Decimal("2000.00")
    listed = api_as(reviewer).get("/api/v1/assistance/overpayments/").json()["results"]
    assert [(r["month"], r["amount"], r["person"]) for r in listed] == [("2024-04", "1000.00", member.pk)]


def test_a_household_enrollment_ends_when_nobody_covered_is_left(officer_api, standards, divisions):
    household = household_with(["0", "0"])
    enrollment = EnrollmentFactory(household=household, member_count=2, covered_count=2)
    first, second = [m.person for m in household.members.order_by("id")]

    record_death(officer_api, first)
    record_death(officer_api, second, on=datetime.date(2024, 5, 20))

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED and enrollment.end == datetime.date(2024, 5, 31)


def test_a_married_persons_spouse_is_not_married_the_day_after(officer_api, api_as, reviewer, divisions):
    husband, wife = man(), woman()
    registration = RegistrationFactory(
        party_a=husband, party_b=wife, registration_date=datetime.date(2000, 1, 1)
    )

    assert record_death(officer_api, husband).status_code == 201

    def married(on):
        response = api_as(reviewer).get(
            "/api/v1/marriage/status/", {"person": wife.pk, "date": on.isoformat()}
        )
        return response.json()["married"]

    assert married(DIED - datetime.timedelta(days=1)) is True
    assert married(DIED + datetime.timedelta(days=1)) is False
    assert AuditEvent.objects.filter(
        object_type="marriage.registration", object_id=str(registration.pk), action="ended_by_death"
    ).exists()


def test_an_elders_home_care_project_ends(officer_api, divisions):
    from eldercare.models import HomeCareProject, HomeCareStatus

    elder = PersonFactory(birth_date=datetime.date(1940, 2, 2))
    project = HomeCareProject.objects.create(person=elder, division_id=elder.division_id, kind="family_bed")

    assert record_death(officer_api, elder).status_code == 201

    project.refresh_from_db()
    assert project.status == HomeCareStatus.ENDED and project.ended_on == DIED


def test_a_handler_that_refuses_leaves_nothing_recorded(officer_api, monkeypatch, standards, divisions):
    enrollment = EnrollmentFactory()
    person = enrollment.covered_members.get()

    def refuse(event):
        raise RuleViolation("This app refuses the death.", field="person", code="refused")

    # After assistance (10), elder care (20) and marriage (30): their changes must be undone too.
    monkeypatch.setitem(deaths._handlers, "tests.refuse", (99, refuse))
    audit_before = AuditEvent.objects.count()

    response = record_death(officer_api, person)

    assert response.status_code == 400
    person.refresh_from_db()
    enrollment.refresh_from_db()
    assert not person.is_deceased and person.date_of_death is None
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.end is None
    assert not DeathRecord.objects.exists()
    assert AuditEvent.objects.count() == audit_before


def test_the_waiver_snapshot_survives_a_household_recompute(officer_api, standards, divisions):
    household = household_with(["0", "0"])
    EnrollmentFactory(household=household, member_count=2, covered_count=2)
    member = household.members.exclude(relation="self").get().person
    record_death(officer_api, member)

    response = officer_api.post("/api/v1/funeral/fee-waivers/", {"deceased": member.pk}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == "630.00" and response.json()["category"] == "dibao_urban"
    assert Person.objects.get(pk=member.pk).fee_waiver.amount == Decimal("630.00")


def test_a_death_dated_before_a_later_marriage_is_refused_and_nothing_recorded(officer_api, divisions):
    from marriage.models import Registration
    from tests.marriage.factories import RegistrationFactory

    marriage = RegistrationFactory(registration_date=timezone.localdate() - datetime.timedelta(days=10))
    groom = marriage.party_a

    response = officer_api.post(
        "/api/v1/funeral/deaths/",
        {
            "person": groom.pk,
            "date_of_death": str(marriage.registration_date - datetime.timedelta(days=30)),
            "place": "家中",
            "cremated": False,
        },
        format="json",
    )

    assert response.status_code == 400 and response.json()["rule"] == "death_before_a_later_marriage"
    groom.refresh_from_db()
    assert not groom.is_deceased
    assert Registration.objects.filter(pk=marriage.pk).exists()


def test_when_the_payee_dies_the_household_enrollment_keeps_no_payee(officer_api, standards, divisions):
    household = household_with(["0", "0"])
    enrollment = EnrollmentFactory(
        household=household, member_count=2, covered_count=2, start=datetime.date(2024, 1, 1)
    )
    head = household.members.get(relation="self").person
    enrollment.payee, enrollment.bank_account, enrollment.bank_name = (
        head.name,
        "6217000000012345678",
        "农业银行",
    )
    enrollment.save(update_fields=["payee", "bank_account", "bank_name"])

    assert record_death(officer_api, head).status_code == 201

    enrollment.refresh_from_db()
    assert (enrollment.payee, enrollment.bank_account, enrollment.bank_name) == ("", "", "")
    event = AuditEvent.objects.get(action="payee_cleared_by_death", object_id=str(enrollment.pk))
    assert event.changes["bank_account"] == ["****5678", ""]


def test_overpayments_are_counted_on_the_dashboard_as_on_their_list(
    officer_api, api_as, reviewer, standards, divisions
):
    enrollment = EnrollmentFactory(start=datetime.date(2024, 1, 1))
    pay(APRIL, reviewer)  # paid before anyone knew of the death in March
    assert record_death(officer_api, enrollment.covered_members.get()).status_code == 201

    listed = api_as(reviewer).get("/api/v1/assistance/overpayments/").json()
    summary = api_as(reviewer).get("/api/v1/dashboards/summary/", {"from": "2024-04", "to": "2024-04"}).json()

    assert listed["count"] == summary["assistance"]["overpayments"] == 1
    assert summary["assistance"]["overpayment_amount"] == listed["results"][0]["amount"] == "1000.00"
    town = next(row for row in summary["by_town"] if row["division"] == "370114001")
    assert town["overpayments"] == 1
