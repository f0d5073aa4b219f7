"""The API's JSON parser: bounded in size and nesting, so no body can make the server fail (SPEC §3).

DRF's own JSONParser reads any length and hands any depth to ``json``, whose recursion ends in a
``RecursionError`` (a 500) on ``[[[…]]]`` a few thousand deep. This one refuses a body over
``API_MAX_BODY_BYTES`` (413) and nesting deeper than ``API_MAX_JSON_DEPTH`` (400) before decoding it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

MAX_BODY_BYTES = 1024 * 1024
MAX_DEPTH = 64

# A JSON string (escapes included): brackets inside one are text, not nesting.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "request_too_large"


def nesting_depth(body: bytes, limit: int) -> int:
    """How deep the arrays and objects of ``body`` nest, counting no further than ``limit + 1``."""
    brackets = _STRING.sub(b"", body).translate(None, delete=_NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    """JSON with at most ``API_MAX_BODY_BYTES`` bytes (413 beyond) and ``API_MAX_JSON_DEPTH`` levels (400)."""

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        max_bytes = getattr(settings, "API_MAX_BODY_BYTES", MAX_BODY_BYTES)
        max_depth = getattr(settings, "API_MAX_JSON_DEPTH", MAX_DEPTH)
        body = stream.read(max_bytes + 1) if stream is not None else b""
        if len(body) > max_bytes:
            raise RequestTooLarge(_("The request body is larger than %(size)d bytes.") % {"size": max_bytes})
        if nesting_depth(body, max_depth) > max_depth:
            raise ParseError(_("JSON may nest at most %(depth)d levels deep.") % {"depth": max_depth})
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(body.decode(encoding), parse_constant=_refuse_constant)
        except (ValueError, UnicodeDecodeError) as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None


def _refuse_constant(name: str) -> Any:
    # NaN and Infinity are not JSON (RFC 8259); DRF's strict mode refuses them too.
    raise ValueError(f"{name} is not valid JSON")
