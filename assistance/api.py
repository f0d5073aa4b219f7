"""``/api/v1/assistance/``: categories, standards, households, applications (with workflow actions) and
enrollments (SPEC §3.1, §4). Thin views: shape checks here, rules in services.py. Payment batches and
uplifts are in batch_api.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import ALL_ROLES, CASE_WRITERS, RolePermission
from civil_affairs.api.viewsets import ScopedViewSet, ServiceCreateMixin, workflow_action
from civil_affairs.divisions.models import Division
from civil_affairs.filtering import API_BACKENDS_WITHOUT_SEARCH
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import people_visible_to

from . import exports, payees, rules, selectors, services
from .batch_api import payee_action
from .models import Application, Enrollment, Household, HouseholdMember, Recheck, Relation, Standard
from .rules import Category, payment_kind
from .workflow import ENROLLMENT_TRANSITIONS, TRANSITIONS, State

# --- Categories and standards -----------------------------------------------------------------------------


class CategorySerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Category.choices)
    name = serializers.CharField()
    payment_kind = serializers.ChoiceField(choices=["gap", "flat"])


class CategoryViewSet(viewsets.GenericViewSet):
    """The nine assistance categories (SPEC §4.1)."""

    serializer_class = CategorySerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    pagination_class = None
    filter_backends: list[type] = []

    def list(self, request: Request) -> Response:
        rows = [
            {"code": c.value, "name": str(c.label), "payment_kind": payment_kind(c.value)} for c in Category
        ]
        return Response(self.get_serializer(rows, many=True).data)


class StandardSerializer(serializers.ModelSerializer):
    class Meta:
        model = Standard
        fields = ["id", "category", "monthly_amount", "effective_from", "is_demo"]
        read_only_fields = fields


class StandardViewSet(viewsets.ReadOnlyModelViewSet):
    """Standards with their history, newest first (SPEC §4.1)."""

    serializer_class = StandardSerializer
    filterset_class = selectors.StandardFilter
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES

    def get_queryset(self) -> QuerySet[Standard]:
        return selectors.standard_list().order_by("-effective_from", "category")


# --- Households -------------------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    relation = serializers.ChoiceField(choices=Relation.choices)
    monthly_income = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        cast(serializers.PrimaryKeyRelatedField, fields["person"]).queryset = people_visible_to(
            self.context["request"].user
        )
        return fields


class HouseholdSerializer(serializers.ModelSerializer):
    head = serializers.SerializerMethodField()
    division = serializers.CharField(source="division_id", read_only=True)
    members = serializers.SerializerMethodField()

    class Meta:
        model = Household
        fields = ["id", "head", "division", "address", "members"]
        read_only_fields = fields

    @staticmethod
    def _members(household: Household) -> list[HouseholdMember]:
        return list(household.members.all())  # prefetched by the selector

    def get_head(self, household: Household) -> int | None:
        return next((m.person_id for m in self._members(household) if m.relation == Relation.SELF), None)

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, household: Household) -> list[dict[str, Any]]:
        return [
            {"person": m.person_id, "relation": m.relation, "monthly_income": f"{m.monthly_income:.2f}"}
            for m in self._members(household)
        ]


class HouseholdWriteSerializer(serializers.Serializer):
    division = serializers.SlugRelatedField(slug_field="code", queryset=Division.objects.all())
    address = serializers.CharField(max_length=200)
    # DRF passes min_length on to the list serializer (its stubs do not know that yet).
    members = MemberSerializer(many=True, min_length=1)  # type: ignore[call-arg]


def _members_input(rows: list[dict[str, Any]]) -> list[services.MemberInput]:
    return [services.MemberInput(r["person"], r["relation"], r["monthly_income"]) for r in rows]


@extend_schema_view(
    create=extend_schema(request=HouseholdWriteSerializer, responses={201: HouseholdSerializer}),
    partial_update=extend_schema(request=HouseholdWriteSerializer, responses={200: HouseholdSerializer}),
)
class HouseholdViewSet(ScopedViewSet):
    serializer_class = HouseholdSerializer
    export_columns = exports.HOUSEHOLD_COLUMNS
    export_name = "households"
    ordering_fields = selectors.HOUSEHOLD_ORDERING
    selector = selectors.household_list
    line = Line.ASSISTANCE
    roles_by_action = {"create": CASE_WRITERS, "partial_update": CASE_WRITERS}
    filterset_class = selectors.HouseholdFilter
    # ``?search=`` is the FilterSet's (names, whole ID numbers, the address), not SearchFilter's.
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request: Request) -> Response:
        data = self.validated(HouseholdWriteSerializer)
        household = services.household_create(
            actor=request.user,
            division=data["division"],
            address=data["address"],
            members=_members_input(data["members"]),
        )
        return self.read_back(household, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        household = self.get_object()
        data = self.validated(HouseholdWriteSerializer, partial=True)
        members = data.get("members")
        services.household_update(
            actor=request.user,
            household=household,
            address=data.get("address"),
            members=None if members is None else _members_input(members),
        )
        return self.read_back(household)


# --- Applications -----------------------------------------------------------------------------------------


def _standards(serializer: serializers.Serializer) -> services.StandardTable:
    """The standards, read once per response (a list computes every row's amount from them)."""
    context = serializer.context
    if "standards" not in context:
        context["standards"] = services.StandardTable()
    return cast(services.StandardTable, context["standards"])


# The states in which an application shows the amount its approval would set (SPEC §3.1, §4.2).
PROPOSING_STATES = frozenset({State.INVESTIGATED, State.PUBLICISED})


class ApplicationSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)
    covered_members: serializers.PrimaryKeyRelatedField[Person] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    enrollment = serializers.SerializerMethodField()
    decision_overdue = serializers.SerializerMethodField(
        help_text="Awaiting its decision past ``decision_due`` (20 working days after acceptance, 30 if extended)."
    )
    proposed_amount = serializers.SerializerMethodField(
        help_text="What approving it now would pay a month from the next month (investigated or publicised "
        "applications; null otherwise)."
    )
    amount_explanation = serializers.SerializerMethodField(
        help_text="How ``proposed_amount`` is computed, e.g. ``(1010.00 − 350.00) × 2 = 1320.00``."
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "household",
            "division",
            "category",
            "covered_members",
            "state",
            "irregular_income",
            "investigation_report",
            "received_on",
            "accepted_on",
            "visited_on",
            "notice_from",
            "decision_due",
            "decision_extension_reason",
            "decision_overdue",
            "decided_at",
            "decision_reason",
            "proposed_amount",
            "amount_explanation",
            "enrollment",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_enrollment(self, application: Application) -> int | None:
        enrollment = getattr(application, "enrollment", None)
        return enrollment.pk if enrollment else None

    def get_decision_overdue(self, application: Application) -> bool:
        return bool(
            application.state in services.AWAITING_DECISION
            and application.decision_due
            and application.decision_due < timezone.localdate()
        )

    def _proposal(self, application: Application) -> services.Proposal | None:
        if application.state not in PROPOSING_STATES:
            return None
        cache = self.context.setdefault("proposals", {})
        if application.pk not in cache:
            cache[application.pk] = services.application_proposal(application, standards=_standards(self))
        return cast(services.Proposal | None, cache[application.pk])

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True))
    def get_proposed_amount(self, application: Application) -> str | None:
        proposal = self._proposal(application)
        return None if proposal is None else f"{proposal.amount:.2f}"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_amount_explanation(self, application: Application) -> str | None:
        proposal = self._proposal(application)
        return None if proposal is None else proposal.explanation


class ApplicationCreateSerializer(serializers.Serializer):
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    category = serializers.ChoiceField(choices=Category.choices)
    covered_members = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), many=True, required=False, help_text="Default: all members."
    )
    irregular_income = serializers.BooleanField(required=False, default=False)
    received_on = serializers.DateField(
        required=False,
        help_text="The day the paper application arrived: today or up to 30 days back (default today).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        cast(serializers.PrimaryKeyRelatedField, fields["household"]).queryset = selectors.household_list(
            user=self.context["request"].user
        )
        covered = cast(serializers.ManyRelatedField, fields["covered_members"])
        cast(serializers.PrimaryKeyRelatedField, covered.child_relation).queryset = people_visible_to(
            self.context["request"].user
        )
        return fields


class AcceptSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False,
        help_text="The day accepted: not before it was received, not in the future (default today).",
    )


class InvestigateSerializer(serializers.Serializer):
    report = serializers.CharField(help_text="What the home visit found.")
    date = serializers.DateField(
        required=False,
        help_text="The day of the home visit: not before acceptance, not in the future (default today).",
    )


class PubliciseSerializer(serializers.Serializer):
    notice_from = serializers.DateField(
        required=False, help_text="Today or earlier, not before the home visit; default today."
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


# Each workflow action: its input serializer and how the validated input maps to the service's arguments.
APPLICATION_ACTION_INPUT: dict[str, type[serializers.Serializer] | None] = {
    "accept": AcceptSerializer,
    "investigate": InvestigateSerializer,
    "publicise": PubliciseSerializer,
    "approve": None,
    "reject": RequiredReasonSerializer,
    "withdraw": ReasonSerializer,
}


def _application_action(name: str) -> Callable[..., Response]:
    return workflow_action(
        name,
        perform=lambda actor, obj, **arguments: services.APPLICATION_ACTIONS[name](
            actor=actor, application=obj, **arguments
        ),
        input_serializer=APPLICATION_ACTION_INPUT[name],
        output_serializer=ApplicationSerializer,
        summary=str(TRANSITIONS[name].label),
    )


@extend_schema_view(
    create=extend_schema(request=ApplicationCreateSerializer, responses={201: ApplicationSerializer})
)
class ApplicationViewSet(ServiceCreateMixin, ScopedViewSet):
    """Applications through the review workflow (SPEC §4.2). Actions: accept, investigate, publicise, approve,
    reject, withdraw, and extend-decision (once, with a reason); 409 when not allowed from the current state,
    403 when the role may not. ``?decision_overdue=true`` lists those past their decision's due date."""

    serializer_class = ApplicationSerializer
    export_columns = exports.APPLICATION_COLUMNS
    export_name = "applications"
    ordering_fields = selectors.APPLICATION_ORDERING
    selector = selectors.application_list
    line = Line.ASSISTANCE
    create_input = ApplicationCreateSerializer
    create_service = services.application_submit
    filterset_class = selectors.ApplicationFilter
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {
        "create": CASE_WRITERS,
        "extend_decision": services.EXTENDERS,
        **{name: t.roles for name, t in TRANSITIONS.items()},
    }

    accept = _application_action("accept")
    investigate = _application_action("investigate")
    publicise = _application_action("publicise")
    approve = _application_action("approve")
    reject = _application_action("reject")
    withdraw = _application_action("withdraw")

    @extend_schema(
        request=RequiredReasonSerializer,
        responses={200: ApplicationSerializer},
        summary="Extend the decision period once (30 working days after acceptance), with a reason",
    )
    @action(detail=True, methods=["post"], url_path="extend-decision", url_name="extend-decision")
    def extend_decision(self, request: Request, pk: str | None = None) -> Response:
        """SPEC §4.2: extendable once, to 30 working days after acceptance, with a reason; 409 the second time
        or once decided."""
        application = self.get_object()
        data = RequiredReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.application_extend_decision(
            actor=request.user, application=application, reason=data.validated_data["reason"]
        )
        return Response(ApplicationSerializer(self.get_queryset().get(pk=application.pk)).data)


# --- Enrollments ------------------------------------------------------------------------------------------


class EnrollmentSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division_id", read_only=True)
    covered_members: serializers.PrimaryKeyRelatedField[Person] = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    amount_explanation = serializers.SerializerMethodField(
        help_text="How ``monthly_amount`` is computed, e.g. ``(1010.00 − 350.00) × 2 = 1320.00``."
    )
    below_current_standard = serializers.SerializerMethodField(
        help_text="Paid less than its category's standard in force today would pay (flagged for correction)."
    )
    # Masked in lists, details and write responses alike, as ID numbers are in lists (SPEC §2.2): other systems
    # read this list; only the bank file (the payment batch's export) carries the full number.
    bank_account = serializers.SerializerMethodField(
        help_text="The payee's bank account, masked to its last four digits (``****8901``; empty when none is "
        "recorded). The full number is only in the payment batch's bank file."
    )

    def get_bank_account(self, enrollment: Enrollment) -> str:
        return payees.mask_account(enrollment.bank_account)

    def _reading(self, enrollment: Enrollment) -> services.AmountReading:
        cache = self.context.setdefault("readings", {})
        if enrollment.pk not in cache:
            cache[enrollment.pk] = services.enrollment_amount_reading(enrollment, standards=_standards(self))
        return cast(services.AmountReading, cache[enrollment.pk])

    def get_amount_explanation(self, enrollment: Enrollment) -> str:
        return self._reading(enrollment).explanation

    def get_below_current_standard(self, enrollment: Enrollment) -> bool:
        return self._reading(enrollment).below_current_standard

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "application",
            "category",
            "household",
            "division",
            "covered_members",
            "monthly_amount",
            "amount_explanation",
            "below_current_standard",
            "start",
            "end",
            "status",
            "status_reason",
            "next_review",
            "payee",
            "bank_account",
            "bank_name",
        ]
        read_only_fields = fields


class EnrollmentStatusSerializer(serializers.Serializer):
    reason = serializers.CharField()
    end = serializers.DateField(
        required=False, help_text="Terminate only: the last day paid (default today)."
    )


class RecheckMemberSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    monthly_income = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, max_value=rules.MAX_MONTHLY_INCOME
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        request = self.context.get("request")
        person = cast(serializers.PrimaryKeyRelatedField, fields["person"])
        person.queryset = people_visible_to(request.user) if request is not None else Person.objects.none()
        return fields


class RecheckSerializer(serializers.Serializer):
    visited_on = serializers.DateField(help_text="The day of the re-check's home visit: not in the future.")
    members = RecheckMemberSerializer(
        many=True, help_text="Every member of the household once, with the monthly income found."
    )
    report = serializers.CharField(help_text="What the re-check found.")
    irregular_income = serializers.BooleanField(
        required=False, help_text="Irregular income: next re-check in 6 months (default: as before)."
    )


class RecheckRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recheck
        fields = [
            "id",
            "visited_on",
            "report",
            "incomes",
            "total_income",
            "member_count",
            "irregular_income",
            "amount_before",
            "amount_after",
            "effective_from",
            "next_review",
            "terminated",
            "recorded_at",
        ]
        read_only_fields = fields


def _enrollment_action(name: str) -> Callable[..., Response]:
    return workflow_action(
        name,
        perform=lambda actor, obj, **arguments: services.enrollment_change_status(
            actor=actor, enrollment=obj, action=name, **arguments
        ),
        input_serializer=EnrollmentStatusSerializer,
        output_serializer=EnrollmentSerializer,
        summary=str(ENROLLMENT_TRANSITIONS[name].label),
    )


class EnrollmentViewSet(ScopedViewSet):
    """What gets paid (SPEC §4.3). Actions: suspend, resume, terminate, each with a reason."""

    serializer_class = EnrollmentSerializer
    export_columns = exports.ENROLLMENT_COLUMNS
    export_name = "enrollments"
    ordering_fields = selectors.ENROLLMENT_ORDERING
    selector = selectors.enrollment_list
    line = Line.ASSISTANCE
    filterset_class = selectors.EnrollmentFilter
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {name: t.roles for name, t in ENROLLMENT_TRANSITIONS.items()}

    suspend = _enrollment_action("suspend")
    resume = _enrollment_action("resume")
    terminate = _enrollment_action("terminate")

    @extend_schema(
        request=RecheckSerializer,
        responses={200: EnrollmentSerializer},
        summary=str(ENROLLMENT_TRANSITIONS["recheck"].label),
    )
    @action(detail=True, methods=["post"], url_path="recheck", url_name="recheck")
    def recheck(self, request: Request, pk: str | None = None) -> Response:
        """Record a re-check (SPEC §4.2): the amount from the next month, the next re-check's date; a 低保 gap
        of 0 terminates the enrollment at the end of this month."""
        enrollment = self.get_object()
        data = RecheckSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        services.enrollment_recheck(
            actor=request.user,
            enrollment=enrollment,
            visited_on=data.validated_data["visited_on"],
            members=[
                services.IncomeInput(row["person"], row["monthly_income"])
                for row in data.validated_data["members"]
            ],
            report=data.validated_data["report"],
            irregular_income=data.validated_data.get("irregular_income"),
        )
        return Response(EnrollmentSerializer(self.get_queryset().get(pk=enrollment.pk)).data)

    @extend_schema(responses={200: RecheckRecordSerializer(many=True)}, summary="The enrollment's re-checks")
    @action(detail=True, methods=["get"], url_path="rechecks", url_name="rechecks")
    def rechecks(self, request: Request, pk: str | None = None) -> Response:
        enrollment = self.get_object()
        return Response(RecheckRecordSerializer(selectors.recheck_list(enrollment), many=True).data)

    payee = payee_action(EnrollmentSerializer)
