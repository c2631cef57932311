"""Writes of the accounts app: API tokens issued at sign-in and revoked.

A user has at most one token (DRF's ``Token``). Signing in again returns the same token until
it expires (API_TOKEN_DAYS), then a new one. Changing the password (the user, a reset link or
an administrator) deletes it (``User.save``), and so does the administrator's "Revoke API
tokens" action on the users' list. Users themselves are created and changed in Django's
admin and by the demo loader, through ``User.save``.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import User
from .selectors import token_lifetime


@transaction.atomic
def token_issue(*, user: User) -> Token:
    """The user's token: the current one while it is valid, else a new one."""
    Token.objects.filter(user=user, created__lte=timezone.now() - token_lifetime()).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def tokens_revoke(*, users: User | QuerySet[User]) -> int:
    """Delete the tokens of a user or of a queryset of users; the number deleted."""
    lookup = {"user__in": users} if isinstance(users, QuerySet) else {"user": users}
    deleted, _per_model = Token.objects.filter(**lookup).delete()
    return deleted
