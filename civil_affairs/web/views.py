"""The browser shell: a home page per role, the five sections, the audit log for administrators."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.models import Role, User
from civil_affairs.accounts.permissions import ADMINISTRATORS
from civil_affairs.audit.models import AuditEvent
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.models import Person

from .decorators import role_required

HOME_TEMPLATES: dict[str, str] = {
    Role.ADMINISTRATOR: "home/administrator.html",
    Role.DISTRICT_REVIEWER: "home/reviewer.html",
    Role.CASEWORKER: "home/caseworker.html",
    Role.VIEWER: "home/viewer.html",
    Role.API_CLIENT: "home/api_client.html",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)  # login_required
    if user.role == Role.VIEWER:
        # The leader's work is the dashboard (SPEC §9).
        return redirect("dashboards:index")
    people = within_jurisdiction(Person.objects.all(), user)
    context: dict[str, Any] = {"jurisdiction": user.jurisdiction, "people_count": people.count()}
    if user.role in (Role.VIEWER, Role.DISTRICT_REVIEWER, Role.ADMINISTRATOR):
        towns = within_jurisdiction(Division.objects.filter(level=DivisionLevel.TOWN), user, "")
        # A town's code is the first 9 digits of every code under it.
        by_town = people.annotate(town=Substr("division_id", 1, 9)).values("town").annotate(n=Count("id"))
        counts = {row["town"]: row["n"] for row in by_town}
        context["towns"] = [(town, counts.get(town.code, 0)) for town in towns.order_by("code")]
    return render(request, HOME_TEMPLATES.get(user.role, "home/viewer.html"), context)


@login_required
def section_home(request: HttpRequest, section: str) -> HttpResponse:
    titles = dict(settings.PORTAL_SECTIONS)
    if section not in titles:
        raise Http404
    return render(request, "section.html", {"section": section, "section_title": titles[section]})


@role_required(ADMINISTRATORS)
def audit_log(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.order_by("-id")
    filters = {
        key: request.GET.get(key, "").strip() for key in ("object_type", "object_id", "actor_username")
    }
    for key, value in filters.items():
        if value:
            events = events.filter(**{key: value})
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "audit/log.html", {"page": page, "filters": filters})
