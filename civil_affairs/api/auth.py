"""API tokens (SPEC §2.3, §3): ``POST /api/v1/auth/token/`` exchanges a username and password for a token,
``DELETE`` revokes the caller's own; a token expires ``API_TOKEN_TTL_DAYS`` days after it was issued.

Guessing is limited twice: django-axes locks a username and address out, and an address across usernames
(civil_affairs/accounts/lockout.py); :class:`TokenThrottle` caps requests per address. The address is the
connection's own (civil_affairs/audit/context.py), so a new ``X-Forwarded-For`` value does not reset them.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth import authenticate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from civil_affairs.accounts.models import User
from civil_affairs.audit.context import request_address
from civil_affairs.audit.services import audit_record

from .authentication import ExpiringTokenAuthentication, token_expires_at, token_lifetime


class TokenThrottle(SimpleRateThrottle):
    """At most ``DEFAULT_THROTTLE_RATES["token"]`` requests per client address."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": request_address(request._request) or "-"}


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(label=_("Username"))
    password = serializers.CharField(
        label=_("Password"), style={"input_type": "password"}, trim_whitespace=False
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class ObtainTokenView(APIView):
    throttle_classes = [TokenThrottle]

    def get_authenticators(self) -> list[BaseAuthentication]:
        # Asking for a token takes no credentials but the password: a stale token sent along must not
        # stand in the way of getting a new one. Revoking one needs the token itself.
        request = getattr(self, "request", None)
        if request is not None and request.method == "DELETE":
            return [ExpiringTokenAuthentication()]
        return []

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Wrong username or password"),
            413: OpenApiResponse(description="Body over 1 MB"),
            429: OpenApiResponse(description="Too many attempts from this address or for this username"),
        },
        auth=[],
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The plain HttpRequest, so django-axes counts failures and locks out guessing.
        user = authenticate(
            request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the username and password given.")]}
            )
        Token.objects.filter(
            user=user, created__lte=timezone.now() - token_lifetime()
        ).delete()  # an expired one
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(
        request=None,
        responses={
            204: OpenApiResponse(description="The caller's token is revoked"),
            401: OpenApiResponse(description="No valid token"),
        },
        tags=["auth"],
    )
    def delete(self, request: Request) -> Response:
        """Revoke the token this request was made with; it answers 401 from now on."""
        user = cast(User, request.user)  # IsAuthenticated let only a token's user in
        Token.objects.filter(user=user).delete()
        audit_record(actor=user, action="revoke_token", obj=user)
        return Response(status=status.HTTP_204_NO_CONTENT)
