"""Helpers shared by the tests (fixtures live in the conftest.py files)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote, urlencode

from django.db import connection
from django.utils import translation

from civil_affairs import demo

# Options Django's PostgreSQL backend reads itself; everything else in OPTIONS goes to libpq.
_DJANGO_ONLY_OPTIONS = {"isolation_level", "server_side_binding", "assume_role", "pool", "cursor_factory"}


def database_url_for_subprocess(settings_dict: Mapping[str, Any] | None = None) -> str:
    """A DATABASE_URL naming the database this process uses (the test database during a test run).

    Built from Django's connection parameters, so another process (a Celery worker, psycopg2 on its
    own connection) reaches the same database on the machine's TCP server and on the embedded one,
    whose host is a unix-socket directory. A socket directory goes in the query (``?host=/dir``), as
    libpq documents it: dj-database-url would lowercase it in the host part. Both dj-database-url and
    libpq (psycopg2) read the result.
    """
    db = connection.settings_dict if settings_dict is None else settings_dict
    options = {
        key: value
        for key, value in (db.get("OPTIONS") or {}).items()
        if key not in _DJANGO_ONLY_OPTIONS and isinstance(value, str | int) and not isinstance(value, bool)
    }
    # HOST and PORT win over OPTIONS, as in Django's backend; the address is written once.
    host = str(db.get("HOST") or options.get("host") or "")
    port = str(db.get("PORT") or options.get("port") or "")
    options.pop("host", None)
    options.pop("port", None)
    credentials = ""
    if db.get("USER"):
        credentials = quote(str(db["USER"]), safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(str(db["PASSWORD"]), safe="")
        credentials += "@"
    query: dict[str, str] = {}
    if host.startswith("/"):
        netloc = credentials
        query["host"] = host
        if port:
            query["port"] = port
    else:
        bracketed = f"[{host}]" if ":" in host else host
        netloc = credentials + bracketed + (f":{port}" if port else "")
    query.update({key: str(value) for key, value in options.items()})
    url = f"postgresql://{netloc}/{quote(str(db['NAME']), safe='')}"
    return f"{url}?{urlencode(query, quote_via=quote)}" if query else url


def race(
    action: Callable[[Any], object], inputs: Sequence[Any], *, refusals: tuple[type[Exception], ...]
) -> list[object]:
    """Call ``action(item)`` for every item at the same moment, each in its own thread with its own database
    connection (closed at the end) and reading messages in English (a new thread starts in the default
    language). Returns, in the order of ``inputs``, what each call returned or the refusal it raised; any
    other error, or a call still running after a minute (a deadlock), fails the test."""
    barrier = threading.Barrier(len(inputs))
    results: list[object] = [None] * len(inputs)
    failures: list[Exception] = []

    def run(index: int, item: Any) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                results[index] = action(item)
        except refusals as refusal:
            results[index] = refusal
        except Exception as error:  # handed to the test's thread, which raises it
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, item)) for index, item in enumerate(inputs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a racing call hung (deadlock?)"
    if failures:
        raise failures[0]
    return results


def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    """Poll until ``condition()`` holds (a job runs on a real worker); fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout}s")


def zh(text: str) -> str:
    """The Chinese a person sees for a source string."""
    with translation.override("zh-hans"):
        return translation.gettext(text)


def log_in(page: Any, username: str) -> None:
    """Sign a browser page in through the login form as a demo account (demo.load_accounts())."""
    page.goto("/login/")
    page.get_by_label(zh("Username")).fill(username)
    page.get_by_label(zh("Password")).fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name=zh("Log in")).click()
