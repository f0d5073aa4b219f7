"""Where the current request came from, for the audit log and the login limits, without passing it through
every service.

The address is the connection's own (``REMOTE_ADDR``). ``X-Forwarded-For`` is the client's word and is
believed only when the connection comes from a proxy listed in ``TRUSTED_PROXIES`` (SPEC §2.3): then the
address is the nearest one in the header that is not itself a trusted proxy. Otherwise anyone could reset the
login limits, or write someone else's address into the audit log, by sending a new header each time.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: Any, networks: Iterable[Network]) -> bool:
    return any(address in network for network in networks)


def request_address(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or through trusted proxies the one they vouch for."""
    remote = _parse(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(remote, networks):
        return str(remote)
    # Each proxy appends the address it was connected from: walk back from the nearest hop.
    hops = [hop for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    address = remote
    for hop in reversed(hops):
        parsed = _parse(hop)
        if parsed is None:
            break  # garbage in the header: keep the last address a trusted proxy vouched for
        address = parsed
        if not _trusted(parsed, networks):
            break
    return str(address)


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
