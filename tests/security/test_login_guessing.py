"""Finding 5 of issue 8: password guessing and tokens (SPEC §2.3)."""

import datetime
import itertools
import random

import pytest
from axes.models import AccessAttempt
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from civil_affairs.accounts.models import Role
from civil_affairs.api.auth import TokenThrottle
from civil_affairs.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password"
TOKEN_URL = "/api/v1/auth/token/"
_addresses = itertools.count(random.randrange(1, 60_000))


@pytest.fixture
def address():
    """An address of this test's own: the request throttle's counts live in Redis, outside the test database."""
    number = next(_addresses)
    return f"10.{(number >> 16) % 256}.{(number >> 8) % 256}.{number % 256}"


@pytest.fixture
def throttle_out_of_the_way(monkeypatch):
    """A generous request rate, so that the login limits are what answers 429."""
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {"token": "1000/minute"})


def ask_token(username, password, address, forwarded_for=None):
    extra = {"REMOTE_ADDR": address}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def test_a_new_forwarded_for_value_does_not_reset_the_request_throttle(make_user, address):
    make_user(Role.CASEWORKER, username="worker")

    statuses = [
        ask_token("worker", PASSWORD, address, forwarded_for=f"203.0.113.{n}").status_code for n in range(25)
    ]

    assert statuses[:20] == [200] * 20
    assert statuses[20:] == [429] * 5


def test_forwarded_for_from_an_untrusted_connection_is_not_believed(
    make_user, address, throttle_out_of_the_way
):
    make_user(Role.CASEWORKER, username="worker")

    ask_token("worker", "guess", address, forwarded_for="198.51.100.7")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [address]


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    settings, make_user, address, throttle_out_of_the_way
):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    make_user(Role.CASEWORKER, username="worker")

    ask_token("worker", "guess", address, forwarded_for="198.51.100.7, 10.9.9.9")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_a_trusted_proxy_passing_a_forged_header_along_still_names_the_real_client(
    settings, make_user, address, throttle_out_of_the_way
):
    """The client wrote its own X-Forwarded-For; the proxy appended the address it really came from."""
    settings.TRUSTED_PROXIES = [address]
    make_user(Role.CASEWORKER, username="worker")

    ask_token("worker", "guess", address, forwarded_for="1.2.3.4, 198.51.100.7")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.7"]


def test_one_password_sprayed_across_usernames_locks_the_address_out(
    make_user, address, throttle_out_of_the_way
):
    for n in range(30):
        make_user(Role.CASEWORKER, username=f"user{n}")
    make_user(Role.CASEWORKER, username="innocent")

    statuses = [ask_token(f"user{n}", "Spring2024!", address).status_code for n in range(30)]
    right_password = ask_token("innocent", PASSWORD, address)
    elsewhere = ask_token("innocent", PASSWORD, "192.0.2.77")

    assert statuses[:19] == [400] * 19  # each username failed only once: no per-username lock-out
    assert statuses[19:] == [429] * 11  # the 20th failure from the address locks it
    assert right_password.status_code == 429
    assert elsewhere.status_code == 200  # the lock is the address's, not the account's


def test_spraying_through_the_login_page_is_limited_the_same_way(client, make_user, address):
    for n in range(21):
        make_user(Role.CASEWORKER, username=f"user{n}")

    statuses = [
        client.post("/login/", {"username": f"user{n}", "password": "guess"}, REMOTE_ADDR=address).status_code
        for n in range(21)
    ]

    assert statuses[:19] == [200] * 19  # the form again, with its error
    assert statuses[19:] == [429] * 2


def test_an_expired_token_is_refused(settings, make_user):
    settings.API_TOKEN_TTL_DAYS = 30
    user = make_user(Role.CASEWORKER, username="worker")
    token = Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=30, seconds=1))
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")

    response = client.get("/api/v1/people/")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_a_token_within_its_lifetime_works(settings, make_user):
    settings.API_TOKEN_TTL_DAYS = 30
    user = make_user(Role.CASEWORKER, username="worker")
    token = Token.objects.create(user=user)
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=29))

    assert APIClient(HTTP_AUTHORIZATION=f"Token {token.key}").get("/api/v1/people/").status_code == 200


def test_asking_again_after_expiry_gives_a_new_token(settings, make_user, address):
    user = make_user(Role.CASEWORKER, username="worker")
    old = Token.objects.create(user=user)
    Token.objects.filter(pk=old.pk).update(created=timezone.now() - datetime.timedelta(days=31))

    response = APIClient(HTTP_AUTHORIZATION=f"Token {old.key}").post(
        TOKEN_URL, {"username": "worker", "password": PASSWORD}, format="json", REMOTE_ADDR=address
    )

    assert response.status_code == 200
    assert response.json()["token"] != old.key
    assert "expires_at" in response.json()
    assert (
        APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}").get("/api/v1/people/").status_code
        == 200
    )


def test_delete_revokes_the_callers_token(make_user, address):
    user = make_user(Role.CASEWORKER, username="worker")
    other = Token.objects.create(user=make_user(Role.CASEWORKER, username="colleague"))
    key = ask_token("worker", PASSWORD, address).json()["token"]
    client = APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.delete(TOKEN_URL, REMOTE_ADDR=address)

    assert response.status_code == 204
    assert not Token.objects.filter(user=user).exists()
    assert Token.objects.filter(pk=other.pk).exists()
    assert client.get("/api/v1/people/").status_code == 401
    assert AuditEvent.objects.filter(action="revoke_token", actor=user).exists()


def test_delete_without_a_token_is_401(address):
    assert APIClient().delete(TOKEN_URL, REMOTE_ADDR=address).status_code == 401
