"""One mapping from failures to the error shapes of SPEC §3."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from civil_affairs.errors import Conflict, DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, Conflict):
        return Response({"detail": " ".join(exc.messages)}, status=409)
    if isinstance(exc, DomainError):
        body: dict[str, Any] = dict(exc.errors)
        if exc.code and exc.code != "invalid":
            body["rule"] = exc.code  # the named rule that refused (SPEC §3)
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)
