"""API authentication: DRF's tokens, refused once older than API_TOKEN_DAYS."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from ..selectors import token_expires


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than API_TOKEN_DAYS."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if timezone.now() >= token_expires(token):
            raise AuthenticationFailed(
                _("The token has expired; sign in at /api/v1/auth/token/ for a new one.")
            )
        return user, token
