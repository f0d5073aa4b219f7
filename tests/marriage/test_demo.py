"""The marriage demo data: a year in the seed's proportions, valid under the rules, loaded once, quickly."""

import datetime
import io
import time
from collections import Counter

import pytest
from django.utils import timezone

from civil_affairs import demo as kernel_demo
from civil_affairs.accounts.models import User
from civil_affairs.people.models import Person
from marriage import civil_code, demo, periods, selectors
from marriage.models import CertificateReissue, CounsellingCase, DivorceApplication, Registration

pytestmark = pytest.mark.django_db


def test_the_demo_is_a_year_in_the_seeds_proportions_and_loads_once(divisions):
    kernel_demo.load_people()
    kernel_demo.load_accounts()
    started = time.monotonic()
    demo.load(io.StringIO())
    elapsed = time.monotonic() - started
    counts = (Person.objects.count(), Registration.objects.count(), DivorceApplication.objects.count())

    demo.load(io.StringIO())

    assert elapsed < 30
    assert (
        Person.objects.count(),
        Registration.objects.count(),
        DivorceApplication.objects.count(),
    ) == counts
    today = timezone.localdate()
    this_year = Registration.objects.filter(registration_date__gte=today - datetime.timedelta(days=364))
    assert this_year.count() == demo.REGISTRATIONS_A_YEAR
    assert DivorceApplication.objects.count() == demo.DIVORCE_APPLICATIONS_A_YEAR
    outcomes = Counter(CounsellingCase.objects.values_list("outcome", flat=True))
    assert sum(outcomes.values()) == demo.COUNSELLING_CASES  # 1,580 people
    assert outcomes["reconciled"] == demo.RECONCILED
    assert Person.objects.filter(id_number=demo.MARKER_ID_NUMBER).exists()


def test_the_registrar_can_sign_in_with_the_demo_password(divisions):
    kernel_demo.load_accounts()
    kernel_demo.load_accounts()

    registrar = User.objects.get(username="marriage_registrar")
    assert registrar.check_password(kernel_demo.DEMO_PASSWORD)
    assert (registrar.role, registrar.jurisdiction_id) == ("caseworker", "370114")
    assert registrar.lines == ["marriage"]


def test_every_demo_record_obeys_the_civil_code(divisions):
    kernel_demo.load_accounts()
    demo.load_records(timezone.localdate())

    open_marriages = Counter()
    for registration in Registration.objects.select_related("party_a", "party_b"):
        a, b = registration.party_a, registration.party_b
        assert a.sex != b.sex
        assert civil_code.has_legal_age(a.birth_date, a.sex, registration.registration_date)
        assert civil_code.has_legal_age(b.birth_date, b.sex, registration.registration_date)
        civil_code.parse_certificate_number(registration.certificate_number)
        if selectors.marriage_end(registration) is None:
            open_marriages.update([a.pk, b.pk])
    assert max(open_marriages.values()) == 1  # nobody is married twice
    today = timezone.localdate()
    for divorce in DivorceApplication.objects.all():
        assert divorce.phase_on(today) in {"cooling_off", "awaiting_certificate", "issued", "withdrawn"}
        calendar = periods.divorce_calendar(divorce.application_date)
        assert (divorce.cooling_off_ends, divorce.certificate_window_ends) == (
            calendar.cooling_off_ends,
            calendar.certificate_window_ends,
        )
        assert divorce.agreement and divorce.attended_in_person
        if divorce.state == "issued":
            assert calendar.certificate_from <= divorce.issued_on <= calendar.certificate_window_ends
        if divorce.state == "open":
            assert today <= calendar.certificate_window_ends  # nothing left for the job


def test_the_demo_shows_an_annulment_and_certificates_issued_again(divisions):
    kernel_demo.load_accounts()
    demo.load_records(timezone.localdate())

    annulled = Registration.objects.get(annulment_ruling_date__isnull=False)
    reissued = CertificateReissue.objects.order_by("certificate_number")

    assert annulled.annulment_ground == "coercion"
    assert annulled.annulment_court == demo.COURT
    assert not selectors.marital_status(person=annulled.party_a, on=annulled.registration_date).married
    assert [r.certificate_number[:2] for r in reissued] == ["BJ", "BL"]
    assert reissued[0].original_number == reissued[0].registration.certificate_number
    assert reissued[1].original_number == reissued[1].divorce.certificate_number


def test_the_demo_shows_a_nationwide_registration(divisions):
    kernel_demo.load_accounts()
    demo.load_records(timezone.localdate())

    groom = Person.objects.get(registration_area=demo.BEIJING_AREA)
    registration = Registration.objects.get(party_a=groom)

    assert groom.division_id is None and groom.id_number.startswith("110105")
    assert registration.wife.division_id.startswith("370114")
    registrar = User.objects.get(username="marriage_registrar")
    assert selectors.registration_list(user=registrar).filter(pk=registration.pk).exists()
