"""``/api/v1/marriage/`` (SPEC §6): registrations with their ``reissue``/``annul`` actions, divorce applications
with their ``withdraw``/``issue``/``reissue`` actions, marital status on a date, counselling cases. Thin views: shape checks here, rules in services.py.

Records of a couple are visible when either party's household registration lies in the caller's
jurisdiction (the registry office serves the whole district); anything else answers 404.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.permissions import CASE_READERS, CASE_WRITERS, RolePermission
from civil_affairs.api.viewsets import ScopedViewSet, ServiceCreateMixin, workflow_action
from civil_affairs.filtering import API_BACKENDS_WITHOUT_SEARCH
from civil_affairs.people.models import Person
from civil_affairs.people.selectors import people_visible_to

from . import exports, selectors, services
from .civil_code import days_left_on
from .models import CertificateReissue, CounsellingCase, CounsellingSession, DivorceApplication, Registration
from .workflow import (
    CLOSING_OUTCOMES,
    COUNSELLING_TRANSITIONS,
    DIVORCE_TRANSITIONS,
    AnnulmentGround,
    CounsellingOutcome,
    DivorcePhase,
    DivorceState,
    WithdrawalReason,
)


def _scope(fields: dict[str, serializers.Field], **querysets: QuerySet) -> None:
    for name, queryset in querysets.items():
        cast(serializers.PrimaryKeyRelatedField, fields[name]).queryset = queryset


# --- Registrations ----------------------------------------------------------------------------------------


class ReissueSerializer(serializers.ModelSerializer):
    """A certificate issued again (补领): ``BJ…`` for a marriage, ``BL…`` for a divorce."""

    class Meta:
        model = CertificateReissue
        fields = ["id", "certificate_number", "original_number", "issued_on", "registration", "divorce"]
        read_only_fields = fields


def _reissued_numbers(record: Registration | DivorceApplication) -> list[str]:
    return [reissue.certificate_number for reissue in record.reissues.all()]


class RegistrationSerializer(serializers.ModelSerializer):
    annulled = serializers.BooleanField(
        source="is_annulled",
        read_only=True,
        help_text="A court ruled it void or annulled: it never had effect.",
    )
    annulment_ground = serializers.SerializerMethodField()
    reissued_certificates = serializers.SerializerMethodField()

    class Meta:
        model = Registration
        fields = [
            "id",
            "certificate_number",
            "party_a",
            "party_b",
            "registration_date",
            "declares_not_close_relatives",
            "dissolved_on",
            "annulled",
            "annulment_ruling_date",
            "annulment_court",
            "annulment_ground",
            "reissued_certificates",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=AnnulmentGround.choices, allow_null=True))
    def get_annulment_ground(self, registration: Registration) -> str | None:
        return registration.annulment_ground or None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reissued_certificates(self, registration: Registration) -> list[str]:
        return _reissued_numbers(registration)


class AnnulSerializer(serializers.Serializer):
    ruling_date = serializers.DateField(help_text="The date of the court's ruling; not in the future.")
    court = serializers.CharField(max_length=100, help_text="The court that ruled.")
    ground = serializers.ChoiceField(
        choices=AnnulmentGround.choices,
        help_text="Void (Civil Code art. 1051: bigamy, close_relatives, under_age) or annulled (arts. 1052–1053: "
        "coercion, undisclosed_illness).",
    )


class RegistrationCreateSerializer(serializers.Serializer):
    """Shape only: the Civil Code's rules are checked by services.registration_create."""

    party_a = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), help_text="A person id.")
    party_b = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none(), help_text="A person id.")
    registration_date = serializers.DateField(required=False, help_text="Today or earlier; default today.")
    declares_not_close_relatives = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Both declare they are not close relatives (Civil Code art. 1048); required to be true.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scope(
            fields,
            party_a=people_visible_to(self.context["request"].user),
            party_b=people_visible_to(self.context["request"].user),
        )
        return fields


@extend_schema_view(
    create=extend_schema(
        request=RegistrationCreateSerializer,
        responses={
            201: RegistrationSerializer,
            400: OpenApiResponse(
                description="A rule is broken: the errors name the party (or field) and rule."
            ),
        },
        summary="Register a marriage",
    )
)
class RegistrationViewSet(ServiceCreateMixin, ScopedViewSet):
    """Marriage registrations (SPEC §6). A refusal answers 400 keyed by ``party_a``/``party_b``/field."""

    serializer_class = RegistrationSerializer
    export_columns = exports.REGISTRATION_COLUMNS
    export_name = "registrations"
    ordering_fields = selectors.REGISTRATION_ORDERING
    selector = selectors.registration_list
    line = Line.MARRIAGE
    create_input = RegistrationCreateSerializer
    create_service = services.registration_create
    filterset_class = selectors.RegistrationFilter
    # ``?search=`` is the FilterSet's (names, whole ID and certificate numbers), not SearchFilter's.
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {"create": CASE_WRITERS, "reissue": CASE_WRITERS, "annul": CASE_WRITERS}

    @extend_schema(
        request=None,
        responses={
            201: ReissueSerializer,
            409: OpenApiResponse(description="The marriage was dissolved, ended or annulled."),
        },
        summary="Issue the marriage certificate again (补领)",
    )
    @action(detail=True, methods=["post"], url_path="reissue", url_name="reissue")
    def reissue(self, request: Request, pk: str | None = None) -> Response:
        reissue = services.registration_reissue(actor=request.user, registration=self.get_object())
        return Response(ReissueSerializer(reissue).data, status=201)

    annul = workflow_action(
        "annul",
        perform=lambda actor, obj, **arguments: services.registration_annul(
            actor=actor, registration=obj, **arguments
        ),
        input_serializer=AnnulSerializer,
        output_serializer=RegistrationSerializer,
        summary="Record a court's ruling that the marriage is void or annulled",
    )


# --- Divorce applications ---------------------------------------------------------------------------------


class DivorceSerializer(serializers.ModelSerializer):
    """An application with its calendar; ``phase`` and ``days_left`` are as of today (Asia/Shanghai).

    ``cooling_off_ends`` and ``certificate_window_ends`` are the last days of the two periods, each the 30th
    day or, when that is a statutory holiday or rest day, the next working day (Civil Code art. 203);
    ``cooling_off_until``/``certificate_until`` repeat them under their earlier names.
    """

    party_a = serializers.IntegerField(source="registration.party_a_id", read_only=True)
    party_b = serializers.IntegerField(source="registration.party_b_id", read_only=True)
    phase = serializers.SerializerMethodField()
    cooling_off_until = serializers.DateField(source="cooling_off_ends", read_only=True)
    certificate_from = serializers.DateField(source="calendar.certificate_from", read_only=True)
    certificate_until = serializers.DateField(source="certificate_window_ends", read_only=True)
    days_left = serializers.SerializerMethodField()
    reissued_certificates = serializers.SerializerMethodField()
    withdrawn_on = serializers.SerializerMethodField()
    withdrawal_reason = serializers.SerializerMethodField()

    class Meta:
        model = DivorceApplication
        fields = [
            "id",
            "registration",
            "party_a",
            "party_b",
            "application_date",
            "agreement",
            "attended_in_person",
            "archive_reason",
            "phase",
            "cooling_off_ends",
            "certificate_window_ends",
            "cooling_off_until",
            "certificate_from",
            "certificate_until",
            "days_left",
            "withdrawn_on",
            "withdrawal_reason",
            "withdrawn_by",
            "issued_on",
            "certificate_number",
            "reissued_certificates",
            "created_at",
        ]
        read_only_fields = fields

    def _today(self) -> datetime.date:
        return self.context.get("today") or timezone.localdate()

    def _lapsed_unrecorded(self, divorce: DivorceApplication) -> bool:
        """Past its certificate period but the daily job has not recorded it yet: it already counts as withdrawn."""
        return (
            divorce.state == DivorceState.OPEN and divorce.phase_on(self._today()) == DivorcePhase.WITHDRAWN
        )

    @extend_schema_field(serializers.ChoiceField(choices=DivorcePhase.choices))
    def get_phase(self, divorce: DivorceApplication) -> str:
        return divorce.phase_on(self._today()).value

    @extend_schema_field(
        serializers.IntegerField(
            allow_null=True, help_text="Days after today until the current period ends (0 on its last day)."
        )
    )
    def get_days_left(self, divorce: DivorceApplication) -> int | None:
        today = self._today()
        if divorce.state != DivorceState.OPEN or today < divorce.application_date:
            return None
        return days_left_on(divorce.calendar, today)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_reissued_certificates(self, divorce: DivorceApplication) -> list[str]:
        return _reissued_numbers(divorce)

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_withdrawn_on(self, divorce: DivorceApplication) -> datetime.date | None:
        if self._lapsed_unrecorded(divorce):
            return divorce.calendar.lapses_on
        return divorce.withdrawn_on

    @extend_schema_field(serializers.ChoiceField(choices=WithdrawalReason.choices, allow_null=True))
    def get_withdrawal_reason(self, divorce: DivorceApplication) -> str | None:
        if self._lapsed_unrecorded(divorce):
            return WithdrawalReason.LAPSED.value
        return divorce.withdrawal_reason or None


class DivorceCreateSerializer(serializers.Serializer):
    registration = serializers.PrimaryKeyRelatedField(
        queryset=Registration.objects.none(), help_text="The marriage registration's id."
    )
    application_date = serializers.DateField(
        required=False,
        help_text="Today (the default). An earlier date only for an administrator entering an archive record, "
        "with `archive_reason`.",
    )
    agreement = serializers.CharField(
        allow_blank=True,
        max_length=20_000,
        help_text="The couple's written agreement on children, property and debts (Civil Code art. 1076).",
    )
    attended_in_person = serializers.BooleanField(
        required=False, default=False, help_text="Both parties came in person; required to be true."
    )
    archive_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=2_000,
        help_text="Why an archive record with an earlier application date is entered (kept in the audit event).",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        _scope(fields, registration=selectors.registration_list(user=self.context["request"].user))
        return fields


class WithdrawSerializer(serializers.Serializer):
    # A plain id, checked against the two parties by the service: an unknown id and someone else's answer alike.
    party = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The person id of the party who withdraws it (either of the two); optional.",
    )


def _divorce_action(name: str, perform: Callable[..., Any], input_serializer: Any) -> Callable[..., Response]:
    return workflow_action(
        name,
        perform=perform,
        input_serializer=input_serializer,
        output_serializer=DivorceSerializer,
        summary=str(DIVORCE_TRANSITIONS[name].label),
    )


@extend_schema_view(
    create=extend_schema(
        request=DivorceCreateSerializer,
        responses={
            201: DivorceSerializer,
            400: OpenApiResponse(description="The two are not married to each other."),
        },
        summary="Apply for a divorce by agreement",
    )
)
class DivorceViewSet(ServiceCreateMixin, ScopedViewSet):
    """Divorce by agreement through the 30-day cooling-off period (SPEC §6, Civil Code art. 1077).

    ``withdraw/`` until ``cooling_off_ends``, ``issue/`` (today) from the day after it until
    ``certificate_window_ends``; otherwise 409. After that the application counts as withdrawn (a daily job
    records it). ``reissue/`` issues an issued divorce certificate again (``BL…``, 201).
    """

    serializer_class = DivorceSerializer
    export_columns = exports.DIVORCE_COLUMNS
    export_name = "divorces"
    ordering_fields = selectors.DIVORCE_ORDERING
    selector = selectors.divorce_list
    line = Line.MARRIAGE
    create_input = DivorceCreateSerializer
    create_service = services.divorce_apply
    filterset_class = selectors.DivorceFilter
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {
        "create": CASE_WRITERS,
        "reissue": CASE_WRITERS,
        **{name: t.roles for name, t in DIVORCE_TRANSITIONS.items()},
    }

    withdraw = _divorce_action(
        "withdraw",
        lambda actor, obj, **arguments: services.divorce_withdraw(actor=actor, divorce=obj, **arguments),
        WithdrawSerializer,
    )
    issue = _divorce_action(
        "issue", lambda actor, obj, **arguments: services.divorce_issue(actor=actor, divorce=obj), None
    )

    @extend_schema(
        request=None,
        responses={
            201: ReissueSerializer,
            409: OpenApiResponse(description="No divorce certificate was issued on this application."),
        },
        summary="Issue the divorce certificate again (补领)",
    )
    @action(detail=True, methods=["post"], url_path="reissue", url_name="reissue")
    def reissue(self, request: Request, pk: str | None = None) -> Response:
        reissue = services.divorce_reissue(actor=request.user, divorce=self.get_object())
        return Response(ReissueSerializer(reissue).data, status=201)


# --- Marital status ---------------------------------------------------------------------------------------


class MaritalStatusQuerySerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="A person id.")
    date = serializers.DateField(required=False, help_text="YYYY-MM-DD; default today.")


class MaritalStatusSerializer(serializers.Serializer):
    married = serializers.BooleanField()
    spouse = serializers.IntegerField(allow_null=True, help_text="The spouse's person id.")
    since = serializers.DateField(allow_null=True, help_text="The registration date of the marriage.")
    registration = serializers.IntegerField(allow_null=True, help_text="The registration's id.")


class MaritalStatusView(GenericAPIView):
    """Whether a person was married on a date, to whom and since when, from the registry's records (SPEC §6).

    A marriage holds from its registration date until its divorce certificate is issued or a party dies;
    remarriage, to the same person too, starts a new one. A marriage a court ruled void or annulled never
    held (Civil Code art. 1054).
    """

    permission_classes = [RolePermission]
    read_roles = CASE_READERS
    serializer_class = MaritalStatusSerializer
    pagination_class = None
    filter_backends: list[type] = []

    @extend_schema(
        parameters=[MaritalStatusQuerySerializer],
        responses={200: MaritalStatusSerializer},
        summary="Marital status on a date",
    )
    def get(self, request: Request) -> Response:
        query = MaritalStatusQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        person = people_visible_to(request.user).filter(pk=query.validated_data["person"]).first()
        if person is None:
            raise Http404
        on = query.validated_data.get("date") or timezone.localdate()
        return Response(MaritalStatusSerializer(selectors.marital_status(person=person, on=on)).data)


# --- Counselling ------------------------------------------------------------------------------------------


class CounsellingSessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = CounsellingSession
        fields = ["id", "held_on", "counsellor", "notes"]
        read_only_fields = fields


class CounsellingCaseSerializer(serializers.ModelSerializer):
    sessions = CounsellingSessionSerializer(many=True, read_only=True)

    class Meta:
        model = CounsellingCase
        fields = [
            "id",
            "party_a",
            "party_b",
            "registration",
            "divorce",
            "opened_on",
            "concern",
            "outcome",
            "closed_on",
            "sessions",
        ]
        read_only_fields = fields


class CounsellingCaseCreateSerializer(serializers.Serializer):
    party_a = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    party_b = serializers.PrimaryKeyRelatedField(queryset=Person.objects.none())
    registration = serializers.PrimaryKeyRelatedField(
        queryset=Registration.objects.none(),
        required=False,
        allow_null=True,
        help_text="Their marriage, if any.",
    )
    divorce = serializers.PrimaryKeyRelatedField(
        queryset=DivorceApplication.objects.none(),
        required=False,
        allow_null=True,
        help_text="The divorce application they are counselled during, if any.",
    )
    opened_on = serializers.DateField(required=False, help_text="Today or earlier; default today.")
    concern = serializers.CharField(required=False, allow_blank=True, default="")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        user = self.context["request"].user
        _scope(
            fields,
            party_a=people_visible_to(self.context["request"].user),
            party_b=people_visible_to(self.context["request"].user),
            registration=selectors.registration_list(user=user),
            divorce=selectors.divorce_list(user=user),
        )
        return fields


class CounsellingSessionCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField(required=False, help_text="Today or earlier; default today.")
    counsellor = serializers.CharField(max_length=50)
    notes = serializers.CharField()


class CounsellingCloseSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[(o.value, o.label) for o in CounsellingOutcome if o in CLOSING_OUTCOMES]
    )
    closed_on = serializers.DateField(required=False, help_text="Today or earlier; default today.")


@extend_schema_view(
    create=extend_schema(
        request=CounsellingCaseCreateSerializer,
        responses={201: CounsellingCaseSerializer},
        summary="Open a case",
    )
)
class CounsellingCaseViewSet(ServiceCreateMixin, ScopedViewSet):
    """Marriage and family counselling (婚姻家庭辅导): a couple, their sessions with notes, the outcome.

    ``sessions/`` records a session; ``close/`` sets the outcome (reconciled or divorced); 409 once closed.
    """

    serializer_class = CounsellingCaseSerializer
    export_columns = exports.COUNSELLING_COLUMNS
    export_name = "counselling-cases"
    ordering_fields = selectors.COUNSELLING_ORDERING
    selector = selectors.counselling_list
    line = Line.MARRIAGE
    create_input = CounsellingCaseCreateSerializer
    create_service = services.counselling_case_open
    filterset_class = selectors.CounsellingFilter
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {
        "create": CASE_WRITERS,
        "sessions": COUNSELLING_TRANSITIONS["record_session"].roles,
        "close": COUNSELLING_TRANSITIONS["close"].roles,
    }

    sessions = workflow_action(
        "sessions",
        perform=lambda actor, obj, **arguments: services.counselling_session_record(
            actor=actor, case=obj, **arguments
        ),
        input_serializer=CounsellingSessionCreateSerializer,
        output_serializer=CounsellingCaseSerializer,
        summary=str(COUNSELLING_TRANSITIONS["record_session"].label),
    )
    close = workflow_action(
        "close",
        perform=lambda actor, obj, **arguments: services.counselling_case_close(
            actor=actor, case=obj, **arguments
        ),
        input_serializer=CounsellingCloseSerializer,
        output_serializer=CounsellingCaseSerializer,
        summary=str(COUNSELLING_TRANSITIONS["close"].label),
    )
