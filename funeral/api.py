"""``/api/v1/funeral/``: death records, eco-burial subsidies (with workflow actions), fee waivers, cemeteries
(with plot allocation), village councils and their events (SPEC §7). Thin views: shape checks here, rules in
services.py, reads through selectors.py.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import CASE_WRITERS
from civil_affairs.api.viewsets import ScopedViewSet, ServiceCreateMixin, workflow_action
from civil_affairs.divisions.models import Division
from civil_affairs.filtering import API_BACKENDS_WITHOUT_SEARCH
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import people_visible_to

from . import exports, selectors, services
from .models import (
    BurialSubsidy,
    Cemetery,
    CouncilEvent,
    DeathRecord,
    FeeWaiver,
    VillageCouncil,
)
from .rules import BurialType
from .workflow import BURIAL_SUBSIDY


class PersonField(serializers.PrimaryKeyRelatedField):
    """A person id the caller may name: outside the jurisdiction it is an invalid value (400, SPEC §7)."""

    def get_queryset(self) -> Any:
        return people_visible_to(self.context["request"].user)


# --- Death records ----------------------------------------------------------------------------------------


class DeathRecordSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = DeathRecord
        fields = [
            "id",
            "person",
            "name",
            "division",
            "date_of_death",
            "place",
            "cremated",
            "cremated_on",
            "recorded_at",
        ]
        read_only_fields = fields


class DeathRecordCreateSerializer(serializers.Serializer):
    person = PersonField(queryset=Person.objects.none())
    date_of_death = serializers.DateField(help_text="Not in the future, not before birth.")
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    cremated = serializers.BooleanField(required=False, default=False)
    cremated_on = serializers.DateField(required=False, allow_null=True, default=None)


@extend_schema_view(
    create=extend_schema(request=DeathRecordCreateSerializer, responses={201: DeathRecordSerializer})
)
class DeathRecordViewSet(ServiceCreateMixin, ScopedViewSet):
    """Death records (SPEC §7). Recording one is the death event: benefits end, the marriage ends… (409 for a
    second record of the same person; 400 for a date in the future or before birth)."""

    serializer_class = DeathRecordSerializer
    selector = selectors.death_list
    line = Line.FUNERAL
    create_input = DeathRecordCreateSerializer
    create_service = services.death_record
    filterset_class = selectors.DeathRecordFilter
    # ``?search=`` is the FilterSet's (a name or a whole ID number), not SearchFilter's.
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    ordering_fields = selectors.DEATH_ORDERING
    roles_by_action = {"create": CASE_WRITERS}
    export_columns = exports.DEATH_COLUMNS
    export_name = "deaths"


# --- Eco-burial subsidies ------------------------------------------------------------------------------------


class BurialSubsidySerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = BurialSubsidy
        fields = [
            "id",
            "deceased",
            "division",
            "burial_type",
            "applicant",
            "burial_date",
            "amount",
            "state",
            "decision_reason",
            "submitted_at",
            "decided_at",
            "paid_on",
        ]
        read_only_fields = fields


class BurialSubsidyCreateSerializer(serializers.Serializer):
    deceased = PersonField(queryset=Person.objects.none())
    # A plain string: the service refuses a type outside the award table, naming the rule.
    burial_type = serializers.CharField(help_text="One of: " + ", ".join(BurialType.values))
    applicant = PersonField(queryset=Person.objects.none(), help_text="The relative who applies.")
    burial_date = serializers.DateField()


class SubsidyRejectSerializer(serializers.Serializer):
    reason = serializers.CharField()


class PaySerializer(serializers.Serializer):
    paid_on = serializers.DateField(required=False, help_text="Default today.")


SUBSIDY_ACTIONS: dict[str, Any] = {
    "approve": (lambda actor, obj, **kw: services.burial_subsidy_approve(actor=actor, subsidy=obj), None),
    "reject": (
        lambda actor, obj, **kw: services.burial_subsidy_reject(actor=actor, subsidy=obj, **kw),
        SubsidyRejectSerializer,
    ),
    "pay": (
        lambda actor, obj, **kw: services.burial_subsidy_pay(actor=actor, subsidy=obj, **kw),
        PaySerializer,
    ),
}


def _subsidy_action(name: str) -> Any:
    perform, input_serializer = SUBSIDY_ACTIONS[name]
    return workflow_action(
        name,
        perform=perform,
        input_serializer=input_serializer,
        output_serializer=BurialSubsidySerializer,
        summary=str(BURIAL_SUBSIDY[name].label),
    )


@extend_schema_view(
    create=extend_schema(request=BurialSubsidyCreateSerializer, responses={201: BurialSubsidySerializer})
)
class BurialSubsidyViewSet(ServiceCreateMixin, ScopedViewSet):
    """Eco-burial subsidies (生态葬奖补, SPEC §7): submitted → approved → paid, or rejected; four eyes."""

    serializer_class = BurialSubsidySerializer
    selector = selectors.burial_subsidy_list
    line = Line.FUNERAL
    create_input = BurialSubsidyCreateSerializer
    create_service = services.burial_subsidy_submit
    filterset_class = selectors.BurialSubsidyFilter
    search_fields = ["deceased__name"]
    ordering_fields = selectors.SUBSIDY_ORDERING
    roles_by_action = {"create": CASE_WRITERS, **{n: t.roles for n, t in BURIAL_SUBSIDY.transitions.items()}}
    export_columns = exports.SUBSIDY_COLUMNS
    export_name = "burial-subsidies"

    approve = _subsidy_action("approve")
    reject = _subsidy_action("reject")
    pay = _subsidy_action("pay")


# --- Fee waivers --------------------------------------------------------------------------------------------


class FeeWaiverSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)

    class Meta:
        model = FeeWaiver
        fields = ["id", "deceased", "division", "amount", "category", "granted_at"]
        read_only_fields = fields


class FeeWaiverCreateSerializer(serializers.Serializer):
    deceased = PersonField(queryset=Person.objects.none())


@extend_schema_view(
    create=extend_schema(request=FeeWaiverCreateSerializer, responses={201: FeeWaiverSerializer})
)
class FeeWaiverViewSet(ServiceCreateMixin, ScopedViewSet):
    """Basic funeral fee waivers (惠民殡葬, 630 yuan) for deceased 低保 and 特困 beneficiaries (SPEC §7)."""

    serializer_class = FeeWaiverSerializer
    selector = selectors.fee_waiver_list
    line = Line.FUNERAL
    create_input = FeeWaiverCreateSerializer
    create_service = services.fee_waiver_grant
    filterset_class = selectors.FeeWaiverFilter
    ordering_fields = selectors.WAIVER_ORDERING
    roles_by_action = {"create": CASE_WRITERS}
    export_columns = exports.WAIVER_COLUMNS
    export_name = "fee-waivers"


# --- Cemeteries ----------------------------------------------------------------------------------------------


class CemeterySerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())

    class Meta:
        model = Cemetery
        fields = ["id", "name", "division", "plots_total", "plots_used"]
        read_only_fields = ["id", "plots_used"]


class AllocateSerializer(serializers.Serializer):
    deceased = PersonField(queryset=Person.objects.none())


class PlotSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cemetery = serializers.IntegerField(source="cemetery_id")
    plot = serializers.IntegerField(help_text="The plot's number in the cemetery.")
    deceased = serializers.IntegerField(source="deceased_id")


class CemeteryViewSet(ScopedViewSet):
    """Public-welfare cemeteries (公益性公墓, SPEC §7) and plot allocation (full → 409; one per deceased)."""

    serializer_class = CemeterySerializer
    selector = selectors.cemetery_list
    line = Line.FUNERAL
    filterset_class = selectors.CemeteryFilter
    ordering_fields = selectors.CEMETERY_ORDERING
    roles_by_action = {"create": CASE_WRITERS, "allocate": CASE_WRITERS}
    export_columns = exports.CEMETERY_COLUMNS
    export_name = "cemeteries"

    @extend_schema(request=CemeterySerializer, responses={201: CemeterySerializer})
    def create(self, request: Request) -> Response:
        data = self.validated(CemeterySerializer)
        cemetery = services.cemetery_create(actor=request.user, **data)
        return self.read_back(cemetery, status.HTTP_201_CREATED)

    @extend_schema(request=AllocateSerializer, responses={201: PlotSerializer}, summary="Allocate a plot")
    @action(detail=True, methods=["post"])
    def allocate(self, request: Request, pk: str | None = None) -> Response:
        cemetery = self.get_object()
        data = self.validated(AllocateSerializer)
        allocation = services.plot_allocate(actor=request.user, cemetery=cemetery, deceased=data["deceased"])
        return Response(PlotSerializer(allocation).data, status=status.HTTP_201_CREATED)


# --- Village councils -------------------------------------------------------------------------------------------


class VillageCouncilSerializer(serializers.ModelSerializer):
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())
    members = serializers.ListField(child=serializers.CharField(max_length=50), allow_empty=False)
    events = serializers.IntegerField(source="event_count", read_only=True)

    class Meta:
        model = VillageCouncil
        fields = ["id", "division", "chair", "members", "charter_date", "events"]
        read_only_fields = ["id", "events"]


class CouncilEventSerializer(serializers.ModelSerializer):
    council = serializers.PrimaryKeyRelatedField(queryset=VillageCouncil.objects.none())

    class Meta:
        model = CouncilEvent
        fields = ["id", "council", "kind", "held_on", "family", "guests", "cost", "note"]
        read_only_fields = ["id"]

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            cast(
                serializers.PrimaryKeyRelatedField, fields["council"]
            ).queryset = selectors.village_council_list(user=request.user)
        return fields


class VillageCouncilViewSet(ScopedViewSet):
    """Village councils for weddings and funerals (红白理事会, SPEC §7): one per village."""

    serializer_class = VillageCouncilSerializer
    selector = selectors.village_council_list
    line = Line.FUNERAL
    filterset_class = selectors.CouncilFilter
    ordering_fields = selectors.COUNCIL_ORDERING
    roles_by_action = {"create": CASE_WRITERS}
    export_columns = exports.COUNCIL_COLUMNS
    export_name = "village-councils"

    def create(self, request: Request) -> Response:
        council = services.village_council_create(
            actor=request.user, **self.validated(VillageCouncilSerializer)
        )
        return self.read_back(council, status.HTTP_201_CREATED)


class CouncilEventViewSet(ScopedViewSet):
    """The weddings and funerals the councils handled."""

    serializer_class = CouncilEventSerializer
    selector = selectors.council_event_list
    line = Line.FUNERAL
    filterset_class = selectors.CouncilEventFilter
    ordering_fields = selectors.EVENT_ORDERING
    roles_by_action = {"create": CASE_WRITERS}
    export_columns = exports.EVENT_COLUMNS
    export_name = "council-events"

    def create(self, request: Request) -> Response:
        event = services.council_event_record(actor=request.user, **self.validated(CouncilEventSerializer))
        return self.read_back(event, status.HTTP_201_CREATED)
