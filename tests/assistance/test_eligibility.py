"""Who may receive what (SPEC §4.2, issue 9 #1, #4): the gap category refused at 0, categories that exclude
each other, age and disability for 特困 and the child categories, the disability subsidies, urban and rural
divisions; at filing and again at approval; refusals as 400 keyed by field with their rule, nothing stored;
child support ended at the end of the month of the 18th birthday by a daily job."""

import datetime
from decimal import Decimal

import pytest

from assistance import services
from assistance.models import Application, Enrollment, EnrollmentAmount
from assistance.rules import Category
from assistance.schedule import BEAT_SCHEDULE
from assistance.tasks import end_child_support
from assistance.workflow import EnrollmentStatus, State
from civil_affairs.people.models import Person
from civil_affairs.workflow.models import StateChange
from tests.assistance.factories import EnrollmentFactory, HouseholdFactory, HouseholdMemberFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2024, 9, 20)
URBAN = "370114001001"  # 明水社区
RURAL = "370114001002"  # 明水村


@pytest.fixture(autouse=True)
def today(freeze):
    return freeze(TODAY)


def household(*people, division=URBAN):
    """A household of ``people``: (birth date, income, certificate kind, grade) each; the first is the head."""
    home = HouseholdFactory(division_id=division)
    for index, (birth, income, kind, grade) in enumerate(people):
        HouseholdMemberFactory(
            household=home,
            person=PersonFactory(
                birth_date=birth, division_id=division, disability_kind=kind, disability_grade=grade
            ),
            relation="self" if index == 0 else "child",
            monthly_income=Decimal(income),
        )
    return home


def adult(income="0", kind="", grade=None):
    return (D(1980, 5, 1), income, kind, grade)


def submit(client, home, category, **extra):
    return client.post(
        "/api/v1/assistance/applications/",
        {"household": home.pk, "category": category, **extra},
        format="json",
    )


def publicised(caseworker, home, category, covered=None):
    """Filed 2024-09-02, accepted the 3rd, visited the 4th, notice from the 5th: approvable on 20 September."""
    application = services.application_submit(
        actor=caseworker,
        household=home,
        category=category,
        covered_members=covered,
        received_on=D(2024, 9, 2),
    )
    application = services.application_accept(actor=caseworker, application=application, date=D(2024, 9, 3))
    application = services.application_investigate(
        actor=caseworker, application=application, report="入户核实", date=D(2024, 9, 4)
    )
    return services.application_publicise(
        actor=caseworker, application=application, notice_from=D(2024, 9, 5)
    )


def approve(client, application):
    return client.post(f"/api/v1/assistance/applications/{application.pk}/approve/")


def assert_refused(response, field, rule):
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert response.json()["rule"] == rule


# --- The gap category at 0 (issue 9 #1) ---------------------------------------------------------------------------


def test_income_equal_to_the_standard_is_refused_at_approval_and_nothing_is_stored(
    api_as, caseworker, reviewer, all_standards
):
    application = publicised(caseworker, household(adult("1010.00"), adult("1010.00")), Category.DIBAO_URBAN)
    steps = StateChange.objects.count()

    response = approve(api_as(reviewer), application)

    assert_refused(response, "household", "income_not_below_standard")
    assert "(1010.00 − 1010.00) × 2 = 0.00" in response.json()["household"][0]
    application.refresh_from_db()
    assert application.state == State.PUBLICISED and application.decided_at is None
    assert not Enrollment.objects.exists() and StateChange.objects.count() == steps


def test_income_one_fen_below_the_standard_is_approved_at_one_fen(
    api_as, caseworker, reviewer, all_standards
):
    application = publicised(caseworker, household(adult("1010.00"), adult("1009.99")), Category.DIBAO_URBAN)

    response = approve(api_as(reviewer), application)

    assert response.status_code == 200
    enrollment = Enrollment.objects.get()
    assert enrollment.monthly_amount == Decimal("0.01")  # (2020.00 − 2019.99) × 2 / 2
    assert enrollment.start == D(2024, 10, 1)


def test_income_above_the_standard_is_refused_and_a_flat_category_is_not(
    api_as, caseworker, reviewer, all_standards
):
    gap = publicised(caseworker, household(adult("2000.00")), Category.DIBAO_URBAN)
    flat = publicised(caseworker, household(adult("3000.00", "physical", 1)), Category.DISABILITY_CARE)

    assert_refused(approve(api_as(reviewer), gap), "household", "income_not_below_standard")
    assert approve(api_as(reviewer), flat).status_code == 200
    assert Enrollment.objects.get().monthly_amount == Decimal("100.00")


# --- Categories that exclude each other ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("held", "applied", "allowed"),
    [
        (Category.ORPHAN_COMMUNITY, Category.TEKUN_URBAN, False),
        (Category.TEKUN_URBAN, Category.UNSUPPORTED_CHILD, False),
        (Category.ORPHAN_INSTITUTION, Category.DISABILITY_LIVING, False),
        (Category.DISABILITY_LIVING, Category.ORPHAN_COMMUNITY, False),
        (Category.ORPHAN_COMMUNITY, Category.DISABILITY_CARE, True),
        (Category.DIBAO_URBAN, Category.DISABILITY_LIVING, True),
    ],
)
def test_categories_that_exclude_each_other(api_as, caseworker, all_standards, held, applied, allowed):
    child = (D(2010, 3, 1), "0", "intellectual", 1)  # 14, severely disabled: eligible for all of these
    home = household(child)
    EnrollmentFactory(household=home, category=held)  # covering the child

    response = submit(api_as(caseworker), home, applied)

    if allowed:
        assert response.status_code == 201, response.json()
    else:
        assert_refused(response, "covered_members", "categories_exclusive")
        assert not Application.objects.exists()


# --- Eligibility of the person ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "kind", "grade", "eligible"),
    [
        (D(1964, 9, 20), "", None, True),  # 60 today
        (D(1964, 9, 21), "", None, False),  # 60 tomorrow
        (D(2006, 9, 21), "", None, True),  # 17, 18 tomorrow
        (D(2006, 9, 20), "", None, False),  # 18 today
        (D(1980, 1, 1), "intellectual", 3, True),
        (D(1980, 1, 1), "intellectual", 4, False),
        (D(1980, 1, 1), "mental", 3, True),
        (D(1980, 1, 1), "physical", 2, True),
        (D(1980, 1, 1), "physical", 3, False),
        (D(1980, 1, 1), "visual", 1, True),
        (D(1980, 1, 1), "visual", 2, False),
        (D(1980, 1, 1), "hearing", 1, False),
    ],
)
def test_tekun_needs_age_60_or_under_18_or_a_severe_disability(
    api_as, caseworker, all_standards, birth, kind, grade, eligible
):
    response = submit(api_as(caseworker), household((birth, "0", kind, grade)), Category.TEKUN_URBAN)

    if eligible:
        assert response.status_code == 201, response.json()
    else:
        assert_refused(response, "covered_members", "tekun_not_eligible")
        assert not Application.objects.exists()


@pytest.mark.parametrize(("birth", "eligible"), [(D(2006, 9, 21), True), (D(2006, 9, 20), False)])
@pytest.mark.parametrize(
    "category", [Category.ORPHAN_INSTITUTION, Category.ORPHAN_COMMUNITY, Category.UNSUPPORTED_CHILD]
)
def test_child_categories_need_age_under_18(api_as, caseworker, all_standards, category, birth, eligible):
    response = submit(api_as(caseworker), household((birth, "0", "", None)), category)

    if eligible:
        assert response.status_code == 201
    else:
        assert_refused(response, "covered_members", "child_over_18")


def test_the_living_subsidy_needs_a_certificate_and_a_dibao_household(api_as, caseworker, all_standards):
    client = api_as(caseworker)
    without_certificate = household(adult())
    not_dibao = household(adult(kind="hearing", grade=4))

    no_certificate = submit(client, without_certificate, Category.DISABILITY_LIVING)
    no_dibao = submit(client, not_dibao, Category.DISABILITY_LIVING)
    submit(client, not_dibao, Category.DIBAO_URBAN)  # an open 低保 application counts at filing
    with_dibao_application = submit(client, not_dibao, Category.DISABILITY_LIVING)

    assert_refused(no_certificate, "covered_members", "disability_certificate_required")
    assert_refused(no_dibao, "household", "not_a_dibao_household")
    assert with_dibao_application.status_code == 201


def test_the_living_subsidy_is_approved_only_once_the_household_receives_dibao(
    api_as, caseworker, reviewer, all_standards
):
    home = household(adult(kind="physical", grade=3))
    dibao = publicised(caseworker, home, Category.DIBAO_URBAN)
    subsidy = publicised(caseworker, home, Category.DISABILITY_LIVING)
    client = api_as(reviewer)

    early = approve(client, subsidy)
    approve(client, dibao)
    later = approve(client, subsidy)

    assert_refused(early, "household", "not_a_dibao_household")
    assert later.status_code == 200
    assert set(Enrollment.objects.values_list("category", "monthly_amount")) == {
        (Category.DIBAO_URBAN, Decimal("1010.00")),
        (Category.DISABILITY_LIVING, Decimal("100.00")),
    }


@pytest.mark.parametrize(("grade", "eligible"), [(1, True), (2, True), (3, False), (None, False)])
def test_the_care_subsidy_needs_grade_1_or_2(api_as, caseworker, all_standards, grade, eligible):
    response = submit(
        api_as(caseworker),
        household(adult(kind="physical" if grade else "", grade=grade)),
        Category.DISABILITY_CARE,
    )

    if eligible:
        assert response.status_code == 201
    elif grade is None:
        assert_refused(response, "covered_members", "disability_certificate_required")
    else:
        assert_refused(response, "covered_members", "disability_grade_not_severe")


@pytest.mark.parametrize(
    ("category", "division", "rule"),
    [
        (Category.DIBAO_URBAN, RURAL, "urban_category_in_rural_division"),
        (Category.DIBAO_RURAL, URBAN, "rural_category_in_urban_division"),
        (Category.TEKUN_URBAN, RURAL, "urban_category_in_rural_division"),
        (Category.TEKUN_RURAL, URBAN, "rural_category_in_urban_division"),
        (Category.DIBAO_RURAL, RURAL, None),
        (Category.TEKUN_RURAL, RURAL, None),
    ],
)
def test_urban_categories_need_an_urban_division_and_rural_ones_a_rural_one(
    api_as, caseworker, all_standards, category, division, rule
):
    elderly = (D(1950, 1, 1), "0", "", None)

    response = submit(api_as(caseworker), household(elderly, division=division), category)

    if rule is None:
        assert response.status_code == 201
    else:
        assert_refused(response, "category", rule)


def test_eligibility_is_checked_again_at_approval(api_as, caseworker, reviewer, all_standards):
    home = household(adult(kind="visual", grade=1))
    application = publicised(caseworker, home, Category.TEKUN_URBAN)
    Person.objects.filter(household_membership__household=home).update(
        disability_kind="", disability_grade=None
    )

    response = approve(api_as(reviewer), application)

    assert_refused(response, "covered_members", "tekun_not_eligible")
    assert Application.objects.get(pk=application.pk).state == State.PUBLICISED
    assert not Enrollment.objects.exists()


def test_the_household_page_shows_an_eligibility_refusal_beside_the_members(
    client, caseworker, all_standards
):
    home = household(adult())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(caseworker)

    response = client.post(f"/assistance/households/{home.pk}/", {"category": Category.TEKUN_URBAN})

    errors = response.context["form"].errors["covered_members"]
    assert "neither 60 nor under 18" in errors[0]
    assert not Application.objects.exists()


# --- Child support ends at 18 ---------------------------------------------------------------------------------


def child_enrollment(*births, category=Category.ORPHAN_COMMUNITY):
    home = household(*[(birth, "0", "", None) for birth in births])
    enrollment = EnrollmentFactory(
        household=home,
        category=category,
        member_count=len(births),
        covered_count=len(births),
        standard=Decimal("1500.00"),
        start=D(2024, 1, 1),
    )
    return enrollment


def test_child_support_ends_at_the_end_of_the_month_of_the_18th_birthday(freeze, divisions, all_standards):
    enrollment = child_enrollment(D(2006, 9, 15))
    freeze(D(2024, 9, 14))

    before = end_child_support()  # the task, as the daily beat runs it
    freeze(D(2024, 9, 15))
    on_the_birthday = end_child_support()
    again = end_child_support()

    assert (before, on_the_birthday, again) == (0, 1, 0)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.TERMINATED and enrollment.end == D(2024, 9, 30)
    child = enrollment.covered_members.get()
    assert child.name in enrollment.status_reason and "18" in enrollment.status_reason
    assert StateChange.objects.filter(object_id=enrollment.pk, action="terminate", actor=None).count() == 1
    assert "assistance-end-child-support-daily" in BEAT_SCHEDULE


def test_a_child_turning_18_among_several_stops_being_covered_from_the_next_month(
    freeze, divisions, all_standards
):
    enrollment = child_enrollment(D(2006, 9, 15), D(2012, 4, 1))
    adult_child = enrollment.covered_members.get(birth_date=D(2006, 9, 15))
    freeze(D(2024, 10, 2))  # the job catches up after a missed day

    assert services.end_child_support() == 1

    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE and enrollment.covered_count == 1
    assert adult_child not in enrollment.covered_members.all()
    assert list(
        EnrollmentAmount.objects.filter(enrollment=enrollment).values_list("effective_from", "monthly_amount")
    ) == [
        (D(2024, 10, 1), Decimal("1500.00")),
        (D(2024, 1, 1), Decimal("3000.00")),
    ]
    assert enrollment.monthly_amount == Decimal("1500.00")
