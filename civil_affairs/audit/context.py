"""Where the current request came from, for the audit log, without passing it through every service."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR only: X-Forwarded-For is the client's word and could be forged.
        token = client_address.set(request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
