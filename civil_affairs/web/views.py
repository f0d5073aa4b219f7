"""The browser shell: a home page per role, the five sections, the audit log for administrators."""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.db.models.functions import Substr
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from civil_affairs.accounts.jurisdiction import within_jurisdiction
from civil_affairs.accounts.models import Role, User
from civil_affairs.accounts.permissions import ADMINISTRATORS
from civil_affairs.audit.api import AuditEventFilter
from civil_affairs.audit.models import AuditEvent
from civil_affairs.divisions.models import Division, DivisionLevel
from civil_affairs.people.models import Person

from .audit_log import entries as audit_entries
from .audit_log import object_type_choices, user_label
from .decorators import role_required
from .lists import paginate

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


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return user_label(obj)


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


DAY_PICKER = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AuditLogFilter(AuditEventFilter):
    """The API's FilterSet, with pickers a person can use: the kinds of record by name, the users by name,
    the days as a date range (civil_affairs/audit/api.py)."""

    date_from = django_filters.DateFilter(label=_("Date from"), method="filter_date_from", widget=DAY_PICKER)
    date_to = django_filters.DateFilter(label=_("Date to"), method="filter_date_to", widget=DAY_PICKER)
    actor = UserFilter(label=_("User"), field_name="actor", queryset=User.objects.order_by("username"))
    object_type = django_filters.ChoiceFilter(label=_("Object type"), choices=object_type_choices)
    object_id = django_filters.CharFilter(label=_("Object ID"))


@role_required(ADMINISTRATORS)
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log for people (issue 14 #5): newest first, actions and record types by name, changes as
    "field: before → after", filtered by a date range, a user, a record type or a record."""
    log = AuditLogFilter(request.GET, queryset=AuditEvent.objects.select_related("actor").order_by("-id"))
    events = log.qs if log.is_valid() else AuditEvent.objects.none()
    page = paginate(request, events, per_page=50)  # the log grows without end: its count is capped
    return render(
        request,
        "audit/log.html",
        {"page": page, "entries": audit_entries(page.object_list), "filter_form": log.form},
    )
