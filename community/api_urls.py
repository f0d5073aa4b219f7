"""The community API routes under ``/api/v1/community/`` (the kernel's API URLs include them)."""

from .api import (
    AssessmentViewSet,
    FundViewSet,
    MovementViewSet,
    PayScaleViewSet,
    StaffingViewSet,
    TownViewSet,
    WorkerViewSet,
)

routes = [
    ("workers", WorkerViewSet, "community-worker"),
    ("staffing", StaffingViewSet, "community-staffing"),
    ("towns", TownViewSet, "community-town"),
    ("pay-scale", PayScaleViewSet, "community-pay-scale"),
    ("funds", FundViewSet, "community-fund"),
    ("fund-movements", MovementViewSet, "community-fund-movement"),
    ("assessments", AssessmentViewSet, "community-assessment"),
]
