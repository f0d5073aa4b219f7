"""``Authorization: Token <key>`` with a lifetime (SPEC §2.3): a token older than ``API_TOKEN_TTL_DAYS`` days
answers 401. Its own module, because the REST framework imports it from settings while ``rest_framework.views``
is still loading."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

DEFAULT_TOKEN_TTL_DAYS = 30


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=int(getattr(settings, "API_TOKEN_TTL_DAYS", DEFAULT_TOKEN_TTL_DAYS)))


def token_expires_at(token: Token) -> datetime.datetime:
    return token.created + token_lifetime()


def token_expired(token: Token) -> bool:
    return timezone.now() >= token_expires_at(token)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing a token once it has expired."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Token]:
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise AuthenticationFailed(_("The token has expired; ask for a new one."))
        return user, token
