"""The social-assistance API routes under ``/api/v1/assistance/`` (the kernel's API URLs include them)."""

from .amounts_api import EnrollmentAmountViewSet
from .api import ApplicationViewSet, CategoryViewSet, EnrollmentViewSet, HouseholdViewSet, StandardViewSet
from .batch_api import PaymentBatchViewSet, UpliftViewSet
from .overpayments import OverpaymentViewSet

routes = [
    ("categories", CategoryViewSet, "assistance-category"),
    ("standards", StandardViewSet, "assistance-standard"),
    ("households", HouseholdViewSet, "assistance-household"),
    ("applications", ApplicationViewSet, "assistance-application"),
    ("enrollments", EnrollmentViewSet, "assistance-enrollment"),
    (
        r"enrollments/(?P<enrollment_pk>[0-9]+)/amounts",
        EnrollmentAmountViewSet,
        "assistance-enrollment-amount",
    ),
    ("payment-batches", PaymentBatchViewSet, "assistance-payment-batch"),
    ("uplifts", UpliftViewSet, "assistance-uplift"),
    ("overpayments", OverpaymentViewSet, "assistance-overpayment"),
]
