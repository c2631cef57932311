"""API sign-in: exchange a username and password for the token that authenticates API calls.

The token is valid for API_TOKEN_DAYS (see tokens.py); signing in again before then returns
the same one, afterwards a new one.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from unibridge.core.api.errors import ErrorSerializer
from unibridge.core.api.parsers import JSONParser

from .tokens import expires, issue_token


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        source="key",
        read_only=True,
        help_text=_("Send it as the header 'Authorization: Token <token>'."),
    )
    expires = serializers.SerializerMethodField(
        help_text=_("When the token stops working; sign in again before then for a new one.")
    )

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_expires(self, token) -> str:
        return serializers.DateTimeField().to_representation(expires(token))


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
        token = issue_token(serializer.validated_data["user"])
        return Response(TokenSerializer(token).data)


obtain_token = ObtainTokenView.as_view()
