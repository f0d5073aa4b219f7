"""``/api/v1/people/`` (SPEC §3.1): list masked, read in full (audited), register and correct."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.permissions import CASE_WRITERS
from civil_affairs.api.serializers import RefuseUnknownFieldsMixin
from civil_affairs.api.viewsets import ScopedViewSet
from civil_affairs.divisions.models import Division
from civil_affairs.filtering import API_BACKENDS_WITHOUT_SEARCH

from . import exports, selectors, services
from .models import DisabilityKind, Person


class PersonSerializer(serializers.ModelSerializer):
    """A person as read. ``id_number`` is masked unless the view shows the full record."""

    division = serializers.CharField(
        source="division_id",
        read_only=True,
        allow_null=True,
        help_text="Null for a person from outside the district.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "id_number",
            "name",
            "sex",
            "birth_date",
            "division",
            "registration_area",
            "phone",
            "disability_kind",
            "disability_grade",
            "is_deceased",
            "date_of_death",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Person) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("full_id_number"):
            data["id_number"] = instance.masked_id_number
        return data


class PersonWriteSerializer(RefuseUnknownFieldsMixin, serializers.Serializer):
    """Shape only: the rules (ID validity, uniqueness, jurisdiction) live in people.services. Derived and
    life-status fields are not written here (400 naming them): sex and birth date come from the ID number,
    a death from the death event."""

    read_only_names = frozenset({"id", "sex", "birth_date", "is_deceased", "date_of_death"})

    id_number = serializers.CharField(max_length=18)
    name = serializers.CharField(max_length=50)
    division = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Division.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="The division of a district resident's household registration; null for someone from outside.",
    )
    registration_area = serializers.CharField(
        max_length=6,
        required=False,
        allow_blank=True,
        default="",
        help_text="For a person registered outside the district (nationwide marriage registration): the 6-digit "
        "area code of their registration. Exactly one of `division` and `registration_area`; users serving "
        "marriage only.",
    )
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")

    disability_kind = serializers.ChoiceField(
        choices=DisabilityKind.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Kind on the disability certificate; blank when the person holds none.",
    )
    disability_grade = serializers.IntegerField(
        min_value=1,
        max_value=4,
        required=False,
        allow_null=True,
        default=None,
        help_text="1 (most severe) to 4; null when the person holds no certificate.",
    )

    def to_internal_value(self, data: Any) -> Any:
        """A new person needs a division, or (from outside the district) a registration area: without either,
        ``division`` is named as required, beside any other field's error."""
        missing = (
            not self.partial
            and isinstance(data, Mapping)
            and data.get("division") in (None, "")
            and not data.get("registration_area")
        )
        required = {"division": [self.fields["division"].error_messages["required"]]}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if missing and isinstance(error.detail, dict):
                error.detail.update(cast(dict[str, Any], serializers.ValidationError(required).detail))
            raise
        if missing:
            raise serializers.ValidationError(required)
        return value


@extend_schema_view(
    create=extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer}),
    update=extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer}),
    partial_update=extend_schema(request=PersonWriteSerializer, responses={200: PersonSerializer}),
)
class PersonViewSet(ScopedViewSet):
    serializer_class = PersonSerializer
    export_columns = exports.PERSON_COLUMNS
    export_name = "people"
    ordering_fields = selectors.PERSON_ORDERING
    selector = selectors.person_list
    filterset_class = selectors.PersonFilter
    # ``?search=`` is PersonFilter's (whole numbers only, SPEC §2.2), not SearchFilter's.
    filter_backends = API_BACKENDS_WITHOUT_SEARCH
    roles_by_action = {"create": CASE_WRITERS, "update": CASE_WRITERS, "partial_update": CASE_WRITERS}

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        services.person_full_id_viewed(actor=request.user, person=person)
        return Response(PersonSerializer(person, context={"full_id_number": True}).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = PersonWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.person_register(actor=request.user, **data.validated_data)
        # Write answers mask the number (SPEC §2.2): only the audited detail view shows it in full.
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        data = PersonWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        person = services.person_update(actor=request.user, person=person, **data.validated_data)
        return Response(PersonSerializer(person).data)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.update(request, *args, partial=True, **kwargs)
