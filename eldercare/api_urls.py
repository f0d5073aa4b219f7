"""The elder-care API routes under ``/api/v1/eldercare/`` (the kernel's API URLs include them)."""

from .api import (
    AlertViewSet,
    AwardViewSet,
    FacilityViewSet,
    HazardViewSet,
    HomeCareViewSet,
    InspectionViewSet,
    MealDeliveryViewSet,
    MealEnrolmentViewSet,
    MealReportViewSet,
    StatementViewSet,
    TrainingViewSet,
)

routes = [
    ("facilities", FacilityViewSet, "eldercare-facility"),
    ("escrow-statements", StatementViewSet, "eldercare-escrow-statement"),
    ("alerts", AlertViewSet, "eldercare-alert"),
    ("inspections", InspectionViewSet, "eldercare-inspection"),
    ("hazards", HazardViewSet, "eldercare-hazard"),
    ("home-care", HomeCareViewSet, "eldercare-home-care"),
    ("meal-reports", MealReportViewSet, "eldercare-meal-report"),
    ("meal-enrolments", MealEnrolmentViewSet, "eldercare-meal-enrolment"),
    ("meal-deliveries", MealDeliveryViewSet, "eldercare-meal-delivery"),
    ("trainings", TrainingViewSet, "eldercare-training"),
    ("awards", AwardViewSet, "eldercare-award"),
]
