"""The demo data reaches the seed's figures and loads once."""

from __future__ import annotations

import io

import pytest

from eldercare import demo
from eldercare.models import (
    Alert,
    AlertKind,
    CaregiverTraining,
    Facility,
    FacilityKind,
    Hazard,
    HomeCareKind,
    HomeCareProject,
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
