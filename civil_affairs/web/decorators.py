from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from civil_affairs.accounts.permissions import may, user_has_role

View = Callable[..., HttpResponse]


def _guarded(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def role_required(roles: Iterable[str]) -> Callable[[View], View]:
    """A page for signed-in users of these roles; others get 403 (the page exists for everybody)."""
    allowed = frozenset(roles)
    return _guarded(lambda user: user_has_role(user, allowed))


def ability_required(what: str) -> Callable[[View], View]:
    """A page for signed-in users who may do ``what`` (accounts.permissions.ABILITIES: role and line of
    work); others get 403."""
    return _guarded(lambda user: may(user, what))
