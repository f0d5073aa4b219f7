"""``/api/v1/calendar-days/``: the bureau's holiday and make-up working-day entries (SPEC §2.5).

Everyone signed in reads them; administrators enter, correct and remove them (audited).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from civil_affairs.accounts.permissions import ADMINISTRATORS, ALL_ROLES, RolePermission

from . import calendar_known, services
from .models import CalendarDay, DayKind

# The years a bureau's calendar entry may fall in (older cases never count working days; nor do far futures).
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS = {"first": FIRST_YEAR, "last": LAST_YEAR}


class CalendarDaySerializer(serializers.ModelSerializer):
    day = serializers.DateField()

    def validate_day(self, day: datetime.date) -> datetime.date:
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise serializers.ValidationError(_("Give a year from %(first)s to %(last)s.") % YEARS)
        return day

    kind = serializers.ChoiceField(choices=DayKind.choices)

    class Meta:
        model = CalendarDay
        fields = ["day", "kind", "name"]


class CalendarDayViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Holidays and make-up working days entered by the bureau; ``?year=`` filters (and says whether the
    year's calendar is known at all)."""

    serializer_class = CalendarDaySerializer
    permission_classes = [RolePermission]
    read_roles = ALL_ROLES
    roles_by_action = {"create": ADMINISTRATORS, "destroy": ADMINISTRATORS}
    lookup_field = "day"
    lookup_value_regex = r"\d{4}-\d{2}-\d{2}"

    def _year(self) -> int | None:
        """``?year=``: a year the calendar can hold, else 400 (SPEC §3)."""
        raw = self.request.query_params.get("year")
        if raw is None:
            return None
        if not raw.isdigit() or not FIRST_YEAR <= int(raw) <= LAST_YEAR:
            raise ValidationError({"year": [_("Give a year from %(first)s to %(last)s.") % YEARS]})
        return int(raw)

    def get_queryset(self) -> QuerySet[CalendarDay]:
        days = CalendarDay.objects.order_by("day")
        year = self._year()
        return days.filter(day__year=year) if year else days

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        year = self._year()
        if year and isinstance(response.data, dict):
            response.data["calendar_known"] = calendar_known(year)
        return response

    def create(self, request: Request) -> Response:
        data = CalendarDaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.calendar_day_set(actor=request.user, **data.validated_data)
        return Response(CalendarDaySerializer(entry).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: CalendarDay) -> None:
        services.calendar_day_remove(actor=self.request.user, entry=instance)
