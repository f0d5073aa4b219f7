"""The test database's address for another process (tests/helpers.py::database_url_for_subprocess): read back
the same by dj-database-url (the settings of a Celery worker) and by libpq (psycopg2), on a TCP server and
on the embedded server's unix-socket directory."""

import dj_database_url
import psycopg2
import pytest
from django.db import connection
from psycopg2.extensions import parse_dsn

from tests.helpers import database_url_for_subprocess

SOCKET_DIRECTORY = "/srv/Pg Data/var/pgdata"  # capitals and a space: nothing may lowercase or split it


def address(settings_dict):
    """What Django's backend hands libpq: HOST/PORT, else the same keys in OPTIONS."""
    options = settings_dict.get("OPTIONS", {})
    return {
        "host": settings_dict["HOST"] or options.get("host", ""),
        "port": str(settings_dict["PORT"] or options.get("port", "")),
        "dbname": settings_dict["NAME"],
        "user": settings_dict["USER"],
        "password": settings_dict["PASSWORD"],
    }


def test_another_connection_reaches_this_runs_test_database(subprocess_database_url):
    other = psycopg2.connect(subprocess_database_url)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == connection.settings_dict["NAME"]
    finally:
        other.close()

    assert address(dj_database_url.parse(subprocess_database_url)) == address(connection.settings_dict)


@pytest.mark.parametrize(
    ("host", "port"),
    [
        ("127.0.0.1", 5432),
        ("db.example.internal", ""),
        ("::1", 5433),
        (SOCKET_DIRECTORY, ""),
        (SOCKET_DIRECTORY, 5432),
    ],
)
def test_the_url_reads_back_the_same_in_django_and_in_libpq(host, port):
    settings_dict = {
        "NAME": "test_civil affairs",
        "USER": "post gres",
        "PASSWORD": "p@ss:w/rd?#",
        "HOST": host,
        "PORT": port,
        "OPTIONS": {"sslmode": "prefer", "isolation_level": 1},
    }

    url = database_url_for_subprocess(settings_dict)

    expected = {key: value for key, value in address(settings_dict).items() if value}
    libpq = parse_dsn(url)
    assert libpq.pop("sslmode") == "prefer"
    assert libpq == expected
    django = dj_database_url.parse(url)
    assert {key: value for key, value in address(django).items() if value} == expected
    assert django["OPTIONS"]["sslmode"] == "prefer"


def test_the_embedded_servers_own_url_comes_back_with_its_socket_directory():
    # civil_affairs/embedded.py names the socket directory, percent-encoded, as the URL's host.
    embedded = dj_database_url.parse("postgresql://postgres@%2Fwork%2Fmain%2Fvar%2Fpgdata/civil_affairs")

    url = database_url_for_subprocess({**embedded, "NAME": "test_civil_affairs"})

    assert url == "postgresql://postgres@/test_civil_affairs?host=%2Fwork%2Fmain%2Fvar%2Fpgdata"
    assert parse_dsn(url) == {
        "host": "/work/main/var/pgdata",
        "dbname": "test_civil_affairs",
        "user": "postgres",
    }
