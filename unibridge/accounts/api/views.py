"""API sign-in: exchange a username and password for the token that authenticates API calls.

The token is valid for API_TOKEN_DAYS; signing in again before then returns the same one,
afterwards a new one (``services.token_issue``).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from unibridge.core.api.errors import ErrorSerializer
from unibridge.core.api.parsers import JSONParser

from ..services import token_issue
from .serializers import TokenSerializer


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, receive the user's API token and when it expires."""

    # no authentication here: a stale token or session must not stand in the way of signing in
    authentication_classes = ()
    parser_classes = (FormParser, MultiPartParser, JSONParser)

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        auth=[],
        request=AuthTokenSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description=_("Missing fields, or a wrong username or password.")
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = token_issue(user=serializer.validated_data["user"])
        return Response(TokenSerializer(token).data)
