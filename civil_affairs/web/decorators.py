from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from civil_affairs.accounts.permissions import user_has_role


def role_required(
    roles: Iterable[str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A page for signed-in users of these roles; others get 403 (the page exists for everybody)."""
    allowed = frozenset(roles)

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_has_role(request.user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
