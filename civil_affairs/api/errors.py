"""One mapping from failures to the error shapes of SPEC §3."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework.exceptions import NotFound
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
    if isinstance(exc, Http404):
        # Django's message names the model ("No EscrowStatement matches…"), in English: say it plainly, in
        # the caller's language, the same for unknown and out-of-jurisdiction records (SPEC §2.3).
        exc = NotFound()
    return drf_exception_handler(exc, context)
