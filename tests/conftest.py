"""Shared fixtures: the demo divisions, users of each role, API clients, a real Celery worker, a browser,
the test database's address for another process, the compiled translation catalogues, and a fast password
hasher for the whole run."""

from __future__ import annotations

import gettext as gettext_module
import io
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civil_affairs import demo
from civil_affairs.accounts.lines import Line
from civil_affairs.accounts.models import Role, User
from civil_affairs.divisions.models import Division
from tests.helpers import database_url_for_subprocess

MINGSHUI = "370114001"
SHUANGSHAN = "370114002"
DISTRICT = "370114"


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher() -> Iterator[None]:
    """Test users' passwords are hashed with MD5 instead of PBKDF2: the suite runs in a fraction of the
    time. Only under pytest; the portal keeps Django's default hashers."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def compiled_catalogue(settings: Any) -> None:
    """The .mo files are git-ignored: compile them as `make test` does, then have Django reload its catalogues."""
    call_command("compile_translations", stdout=io.StringIO())
    # Python's gettext keeps each .mo it read by path: a catalogue loaded before this compiled it would
    # stay stale (a .po just edited). Assigning LOCALE_PATHS, even unchanged, clears Django's own cache.
    gettext_module._translations.clear()  # type: ignore[attr-defined]
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]


@pytest.fixture
def subprocess_database_url(db: None) -> str:
    """The test database's DATABASE_URL for another process (a Celery worker, a second connection),
    from Django's connection parameters: right on a TCP server and on the embedded one's socket.
    With ``transactional_db`` beside it, the test is transactional, as another process needs."""
    return database_url_for_subprocess()


@pytest.fixture(autouse=True)
def audit_anchor_file(settings, tmp_path):
    """Each test anchors the audit chain in its own file (SPEC §2.4): the events of a rolled-back test are
    gone, and anchors of them would read as a cut tail in the next test; var/ stays the portal's own."""
    settings.AUDIT_ANCHOR_PATH = tmp_path / "audit-anchors.log"
    return settings.AUDIT_ANCHOR_PATH


@pytest.fixture
def divisions(db: None) -> dict[str, Division]:
    """章丘区 with its 18 towns/streets and their villages/communities, as the demo loader makes them."""
    demo.load_divisions()
    return {division.code: division for division in Division.objects.all()}


@pytest.fixture
def make_user(divisions: dict[str, Division]) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(
        role: str = Role.CASEWORKER,
        jurisdiction: str = MINGSHUI,
        username: str | None = None,
        lines: Sequence[str] = tuple(Line.values),
    ) -> User:
        """A user; a caseworker serves every line of work unless ``lines`` narrows it (SPEC §2.3)."""
        user = User.objects.create_user(
            username=username or f"{role}-{next(counter)}",
            password="a-long-test-password",
            role=role,
            jurisdiction_id=jurisdiction,
            lines=list(lines),
        )
        return user

    return make


@pytest.fixture
def caseworker(make_user: Callable[..., User]) -> User:
    return make_user(Role.CASEWORKER, MINGSHUI, "mingshui")


@pytest.fixture
def other_caseworker(make_user: Callable[..., User]) -> User:
    return make_user(Role.CASEWORKER, SHUANGSHAN, "shuangshan")


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    """The district's reviewer, who decides applications and approves uplifts and payment batches."""
    return make_user(Role.DISTRICT_REVIEWER, DISTRICT, "reviewer")


@pytest.fixture
def api_as() -> Callable[[User | None], APIClient]:
    """An API client authenticated with the user's token (or anonymous).

    It asks for English so assertions can read the messages; the API's default is Simplified Chinese
    (tests/people/test_people_api.py::test_error_messages_follow_the_callers_language).
    """

    def client_for(user: User | None) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return client_for


@pytest.fixture
def queries_stay_fixed(django_assert_max_num_queries: Any) -> Callable[..., tuple[Any, Any]]:
    """``queries_stay_fixed(at_most, get, add_rows, get_again=get)``: a list runs a fixed number of queries.

    ``get()`` runs at most ``at_most`` queries; after ``add_rows()``, ``get_again()`` runs no more than
    ``get()`` did. Returns both responses.
    """

    def check(
        at_most: int,
        get: Callable[[], Any],
        add_rows: Callable[[], object],
        get_again: Callable[[], Any] | None = None,
    ) -> tuple[Any, Any]:
        with django_assert_max_num_queries(at_most) as few:
            first = get()
        add_rows()
        with django_assert_max_num_queries(len(few.captured_queries)):
            second = (get_again or get)()
        return first, second

    return check


@pytest.fixture
def celery_worker_running(transactional_db: None) -> Iterator[Any]:
    """A real Celery worker thread consuming from the real Redis broker (celery.contrib.testing)."""
    from celery.contrib.testing.worker import start_worker

    from civil_affairs.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
        yield worker


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    return path if Path(path).exists() else None


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright. Skipped without a browser, unless REQUIRE_BROWSER=1."""
    path = _chromium_path()
    if path is None:
        message = "no Chromium at $CHROMIUM_PATH or /usr/bin/chromium (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser page; every request it makes is recorded in ``page.requested_urls``."""
    context = chromium.new_context(locale="zh-CN", base_url=live_server.url)
    browser_page = context.new_page()
    requested: list[str] = []
    browser_page.on("request", lambda request: requested.append(request.url))
    browser_page.requested_urls = requested
    yield browser_page
    context.close()


# Widths the browser tests look at (SPEC §10, issue 14): a 1366×768 office screen and a 390×844 phone.
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def assert_accessible(axe: Any) -> Callable[..., None]:
    """``assert_accessible(page)``: axe-core (the axe-playwright-python package) on the page as it is now finds
    no violation of WCAG 2.1 A/AA or axe's best practices (SPEC §10); the failure lists each violation, its
    elements and how to fix it. At a phone width it also checks that the page does not scroll sideways."""

    def check(page: Any) -> None:
        results = axe.run(page)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
        width = page.viewport_size["width"] if page.viewport_size else None
        if width is not None and width < 600:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            inner_width = page.evaluate("window.innerWidth")
            assert scroll_width <= inner_width, (
                f"{page.url} scrolls sideways on a phone: {scroll_width} > {inner_width}"
            )

    return check
