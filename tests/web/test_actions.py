"""The posted-action helper on its own (civil_affairs/web/actions.py): the role and line of work before the
form, the form, the confirmation of a decision, the service, its refusal beside the field; ``next`` stays on
this site. The assistance and marriage page tests drive it through both apps."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import translation

from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role
from civil_affairs.accounts.permissions import CASE_WRITERS, DECIDERS
from civil_affairs.errors import RuleViolation
from civil_affairs.web.actions import CONFIRMED, _summary, action_forms, safe_next, take_posted_action
from civil_affairs.workflow.engine import Transition, Workflow, table

pytestmark = pytest.mark.django_db

STAMP = Workflow(
    line=Line.ASSISTANCE,
    transitions=table(
        Transition("stamp", "Stamp", frozenset({"open"}), "stamped", CASE_WRITERS),
        Transition("decide", "Decide", frozenset({"stamped"}), "decided", DECIDERS, decides=True),
    ),
)


class NoteForm(forms.Form):
    note = forms.CharField(label="Note")
    colour = forms.ChoiceField(label="Colour", choices=[("r", "Red"), ("g", "Green")], required=False)


FORMS: dict[str, type[forms.Form]] = {"stamp": NoteForm}


def posted(user: Any, data: dict[str, str], path: str = "/things/1/stamp/") -> Any:
    request = RequestFactory().post(path, data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def take(request: Any, action: str, calls: list[dict[str, Any]], **options: Any) -> HttpResponse:
    def perform(**data: Any) -> str:
        calls.append(data)
        if data.get("note") == "refuse":
            raise RuleViolation("Not with this note.", field="note", code="no_note")
        return "done"

    options.setdefault("rerender", lambda bound: HttpResponse(f"again: {bound[1].errors.as_json()}"))
    return take_posted_action(
        request,
        workflow=STAMP,
        action=action,
        forms_by_action=FORMS,
        perform=perform,
        done=lambda result, transition: f"{transition.label}: {result}",
        redirect_to="/things/1/",
        **options,
    )


def test_a_step_runs_the_service_with_the_forms_data_and_redirects_with_a_message(make_user):
    request = posted(make_user(Role.CASEWORKER), {"stamp-note": "ok", "stamp-colour": "g"})
    calls: list[dict[str, Any]] = []

    response = take(request, "stamp", calls)

    assert (response.status_code, response["Location"]) == (302, "/things/1/")
    assert calls == [{"note": "ok", "colour": "g"}]
    assert [str(m) for m in get_messages(request)] == ["Stamp: done"]


def test_an_unknown_action_is_not_found(make_user):
    with pytest.raises(Http404):
        take(posted(make_user(Role.CASEWORKER), {}), "explode", [])


def test_the_role_is_refused_before_the_form_is_read(make_user):
    calls: list[dict[str, Any]] = []

    with pytest.raises(PermissionDenied):
        take(posted(make_user(Role.DISTRICT_REVIEWER, "370114"), {"stamp-note": "ok"}), "stamp", calls)
    assert calls == []


def test_a_line_of_work_not_served_is_refused(make_user):
    registrar = make_user(Role.CASEWORKER, "370114", lines=[Line.MARRIAGE])
    calls: list[dict[str, Any]] = []

    with pytest.raises(PermissionDenied):
        take(posted(registrar, {"stamp-note": "ok"}), "stamp", calls)
    assert calls == []


def test_an_invalid_form_is_shown_again_and_nothing_runs(make_user):
    calls: list[dict[str, Any]] = []

    response = take(posted(make_user(Role.CASEWORKER), {"stamp-note": ""}), "stamp", calls)

    assert response.content.decode().startswith("again:") and '"note"' in response.content.decode()
    assert calls == []


def test_the_services_refusal_is_shown_beside_its_field(make_user):
    response = take(posted(make_user(Role.CASEWORKER), {"stamp-note": "refuse"}), "stamp", [])

    assert '"note": [{"message": "Not with this note."' in response.content.decode()


def test_without_a_page_of_its_own_a_refusal_becomes_a_message(make_user):
    request = posted(make_user(Role.CASEWORKER), {"stamp-note": "refuse"})

    response = take(request, "stamp", [], rerender=None)

    assert response["Location"] == "/things/1/"
    assert [str(m) for m in get_messages(request)] == ["Not with this note."]


def test_a_decision_is_confirmed_first_then_taken(make_user):
    reviewer = make_user(Role.DISTRICT_REVIEWER, "370114")
    calls: list[dict[str, Any]] = []

    asked = take(
        posted(reviewer, {"next": "/queue/"}),
        "decide",
        calls,
        subject="Thing #1",
        details=lambda: [("Proposed amount (yuan)", "1700.00")],
    )
    taken = take(posted(reviewer, {"next": "/queue/", CONFIRMED: "1"}), "decide", calls)

    html = asked.content.decode()
    assert asked.status_code == 200 and "Thing #1" in html
    assert "<dt>Proposed amount (yuan)</dt>" in html and "1700.00" in html
    assert '<input type="hidden" name="next" value="/queue/">' in html
    assert f'<input type="hidden" name="{CONFIRMED}" value="1">' in html
    assert calls == [{}]  # only the confirmed post ran the service
    assert taken.status_code == 302


def test_a_view_may_ask_to_confirm_a_step_that_is_no_decision(make_user):
    calls: list[dict[str, Any]] = []

    asked = take(
        posted(make_user(Role.CASEWORKER), {"stamp-note": "a\nb", "stamp-colour": "r"}),
        "stamp",
        calls,
        confirm={"stamp"},
    )

    html = asked.content.decode()
    assert calls == []
    assert '<input type="hidden" name="stamp-note" value="a\nb"' in html  # carried to the confirmed post
    assert "<dt>Colour</dt><dd" in html and ">Red</dd>" in html  # a choice by its label


def test_the_confirmation_summary_shows_labels_and_leaves_out_empty_fields():
    form = NoteForm({"note": "seen", "colour": ""})
    assert form.is_valid()

    assert _summary(form) == [("Note", "seen")]


def test_an_action_no_longer_allowed_shows_its_errors_above_the_page(make_user):
    request = posted(make_user(Role.CASEWORKER), {})
    bound_form = NoteForm({}, prefix="stamp")
    bound_form.is_valid()

    rows = action_forms(request, [STAMP["decide"]], FORMS, ("stamp", bound_form))

    assert [row["transition"].action for row in rows] == ["decide"]
    # Django's "this field is required" names the field, since the field is not beside it.
    label = str(bound_form["note"].label)
    assert [str(m) for m in get_messages(request)] == [
        translation.gettext("Please fill in %(label)s.") % {"label": label}
    ]


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/assistance/review/?page=2", "/assistance/review/?page=2"),
        ("https://evil.example/", "/home/"),
        ("//evil.example/path", "/home/"),
        ("", "/home/"),
    ],
)
def test_next_stays_on_this_site(make_user, candidate, expected):
    assert safe_next(posted(make_user(), {"next": candidate}), "/home/") == expected
