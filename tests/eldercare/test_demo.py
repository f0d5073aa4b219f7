"""The demo data reaches the seed's figures and loads once."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone

from assistance import demo as assistance_demo
from assistance.beneficiaries import SUBSISTENCE_CATEGORIES, was_beneficiary_on
from civil_affairs import demo as kernel_demo
from eldercare import demo, services
from eldercare.models import (
    Alert,
    AlertKind,
    CaregiverTraining,
    Facility,
    FacilityKind,
    Hazard,
    HomeCareKind,
    HomeCareProject,
    MealDeliveryEnrolment,
)

pytestmark = pytest.mark.django_db


def test_demo_reaches_the_seed_figures_and_loads_once(divisions):
    demo.load(io.StringIO())
    assert Facility.objects.count() == 549
    assert Facility.objects.filter(kind=FacilityKind.MEAL_SITE).count() == 414
    assert Facility.objects.filter(has_escrow_account=True).count() == 16
    assert HomeCareProject.objects.filter(kind=HomeCareKind.FAMILY_BED).count() == 150
    assert HomeCareProject.objects.filter(kind=HomeCareKind.HOME_SERVICE).count() == 400
    assert HomeCareProject.objects.filter(kind=HomeCareKind.RENOVATION).count() == 240
    assert CaregiverTraining.objects.count() == 2254
    assert Alert.objects.filter(kind=AlertKind.STATEMENT_MISSING).count() == 1
    assert Alert.objects.filter(kind=AlertKind.PREPAID_OVER_CAP).count() == 2
    assert Alert.objects.filter(kind=AlertKind.DEPOSIT_OVER_CAP).count() == 1
    assert Alert.objects.filter(kind=AlertKind.RECTIFICATION_OVERDUE).count() >= 1
    assert Hazard.objects.count() > 50
    before = Facility.objects.count(), Alert.objects.count(), HomeCareProject.objects.count()
    demo.load(io.StringIO())
    assert (Facility.objects.count(), Alert.objects.count(), HomeCareProject.objects.count()) == before


def test_demo_meal_delivery_enrols_only_eligible_beneficiaries_with_every_month_delivered(divisions):
    """情暖夕阳 in the demo: every enrolment passes the service's own rules on its day, and each has one
    delivery record per month from its enrolment month to last month."""
    kernel_demo.load_accounts()
    assistance_demo.load(io.StringIO())
    demo.load(io.StringIO())
    today = timezone.localdate()
    enrolments = list(MealDeliveryEnrolment.objects.select_related("person", "facility"))
    assert len(enrolments) >= 100
    for enrolment in enrolments:
        person = enrolment.person
        assert services.age_on(person.birth_date, enrolment.enrolled_on) >= 60
        assert person.has_disability_certificate and not person.is_deceased
        assert enrolment.enrolled_on <= today and enrolment.facility.kind == FacilityKind.MEAL_SITE
        assert was_beneficiary_on(person, enrolment.enrolled_on, SUBSISTENCE_CATEGORIES) == enrolment.category
        months = list(enrolment.deliveries.order_by("month").values_list("month", flat=True))
        expected, month = [], services.first_of_month(enrolment.enrolled_on)
        while month <= services.previous_month(today):
            expected.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        assert months == expected
