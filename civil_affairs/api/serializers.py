"""Input serializers that refuse what they do not take (SPEC §3): a read-only or unknown field in a write is a
400 naming it, never silently dropped (``PATCH {"is_deceased": true}`` must not answer 200 and change nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# Sent by the browsable API's forms alongside the fields; not data.
_FORM_MACHINERY = frozenset({"csrfmiddlewaretoken"})


class RefuseUnknownFieldsMixin:
    """Mix into an input serializer. ``read_only_names``: the fields the object has but this write does not
    take (answered "read-only"); any other name it does not know is answered "unknown"."""

    read_only_names: ClassVar[frozenset[str]] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            fields: Mapping[str, Any] = self.fields  # type: ignore[attr-defined]
            refused = {
                key: [_("This field is read-only.") if key in self.read_only_names else _("Unknown field.")]
                for key in data
                if key not in fields and key not in _FORM_MACHINERY
            }
            if refused:
                raise serializers.ValidationError(refused)
        return super().to_internal_value(data)  # type: ignore[misc]
