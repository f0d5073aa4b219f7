"""Login limits (SPEC §2.3) on django-axes, and the answer to a locked-out login.

django-axes counts failures per username and address (``AXES_FAILURE_LIMIT``, 5 → 15 minutes). It has one
limit for every count, so the second limit, per address across usernames (``LOGIN_ADDRESS_FAILURE_LIMIT``, 20
failures in the 15 minutes of ``AXES_COOLOFF_TIME``), is :class:`AddressLimitedHandler`'s, summed over the same
failure records. It stops one password being tried against many usernames. The address comes from
civil_affairs/audit/context.py (the connection's own; ``X-Forwarded-For`` only from ``TRUSTED_PROXIES``).
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

ADDRESS_FAILURE_LIMIT = 20


class AddressLimitedHandler(AxesDatabaseHandler):
    """Axes's database handler, which also locks an address out after too many failures across usernames."""

    def address_failures(self, request: Any) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        recent = AccessAttempt.objects.filter(
            ip_address=address, attempt_time__gte=get_cool_off_threshold(request)
        )
        return recent.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request: Any) -> bool:
        limit = int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", ADDRESS_FAILURE_LIMIT))
        return self.address_failures(request) >= limit

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or not self.address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    message = _("Too many failed logins. Please wait %(minutes)d minutes and try again.") % {
        "minutes": minutes
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    from .forms import LoginForm

    form = LoginForm(request)
    return render(request, "registration/login.html", {"form": form, "lockout_message": message}, status=429)
