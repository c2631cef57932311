"""API tokens: issued at sign-in, valid for API_TOKEN_DAYS, revoked by a password change.

A user has at most one token (DRF's ``Token``). Signing in again returns the same token until
it expires, then a new one. Changing the password (the user, a reset link or an administrator)
deletes it, and so does the administrator's "Revoke API tokens" action on the users' list.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


def expires(token: Token) -> datetime.datetime:
    """When the token stops being accepted."""
    return token.created + lifetime()


def issue_token(user) -> Token:
    """The user's token: the current one while it is valid, else a new one."""
    with transaction.atomic():
        Token.objects.filter(user=user, created__lte=timezone.now() - lifetime()).delete()
        token, _created = Token.objects.get_or_create(user=user)
    return token


def revoke_tokens(users) -> int:
    """Delete the tokens of a user or of a queryset of users; the number deleted."""
    lookup = {"user__in": users} if hasattr(users, "model") else {"user": users}
    deleted, _per_model = Token.objects.filter(**lookup).delete()
    return deleted


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than API_TOKEN_DAYS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= expires(token):
            raise AuthenticationFailed(
                _("The token has expired; sign in at /api/v1/auth/token/ for a new one.")
            )
        return user, token
