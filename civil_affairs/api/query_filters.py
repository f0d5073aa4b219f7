"""django-filter filters that refuse invalid values instead of ignoring them or failing (SPEC §3).

- :class:`StrictBooleanFilter`: ``?is_deceased=maybe`` is a 400 naming the parameter; django-filter's
  own BooleanFilter reads it as "no filter" and answers the whole list.
- :class:`IsoDateTimeFilter`: an ISO 8601 time whose offset no time zone has (``+16:00``) or which falls
  outside the calendar once in UTC is a 400; django-filter's own passes it to PostgreSQL, which fails (500).

Use them in every FilterSet in place of ``django_filters.BooleanFilter`` and ``IsoDateTimeFilter``.
"""

from __future__ import annotations

import datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

TRUE_VALUES = frozenset({"true", "1", "yes", "on"})
FALSE_VALUES = frozenset({"false", "0", "no", "off"})
# The offsets real time zones use: UTC−12:00 (Baker Island) to UTC+14:00 (Line Islands).
MIN_OFFSET = datetime.timedelta(hours=-12)
MAX_OFFSET = datetime.timedelta(hours=14)


class StrictBooleanField(forms.Field):
    def to_python(self, value: Any) -> bool | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(_("Enter true or false."), code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        offset = moment.utcoffset()
        if offset is not None and not MIN_OFFSET <= offset <= MAX_OFFSET:
            raise ValidationError(
                _("No time zone has the offset %(offset)s; use one from -12:00 to +14:00."),
                code="invalid",
                params={"offset": moment.strftime("%z")},
            )
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(_("This time is outside the calendar."), code="invalid") from None


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
