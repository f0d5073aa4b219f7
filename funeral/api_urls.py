"""The funeral API routes under ``/api/v1/funeral/`` (the kernel's API URLs include them)."""

from .api import (
    BurialSubsidyViewSet,
    CemeteryViewSet,
    CouncilEventViewSet,
    DeathRecordViewSet,
    FeeWaiverViewSet,
    VillageCouncilViewSet,
)

routes = [
    ("deaths", DeathRecordViewSet, "funeral-death"),
    ("burial-subsidies", BurialSubsidyViewSet, "funeral-burial-subsidy"),
    ("fee-waivers", FeeWaiverViewSet, "funeral-fee-waiver"),
    ("cemeteries", CemeteryViewSet, "funeral-cemetery"),
    ("village-councils", VillageCouncilViewSet, "funeral-village-council"),
    ("council-events", CouncilEventViewSet, "funeral-council-event"),
]
