"""The answer to a locked-out login (django-axes): JSON for the API, the login page for people."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


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
