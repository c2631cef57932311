"""Reads of the accounts app: API tokens and their lifetime."""

import datetime

from django.conf import settings
from rest_framework.authtoken.models import Token


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


def token_expires(token: Token) -> datetime.datetime:
    """When the token stops being accepted."""
    return token.created + token_lifetime()
