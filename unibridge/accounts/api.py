"""API sign-in: exchange a username and password for the token that authenticates API calls."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from unibridge.core.api.errors import ErrorSerializer
from unibridge.core.api.parsers import JSONParser


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(
        read_only=True, help_text=_("Send it as the header 'Authorization: Token <token>'.")
    )


class ObtainTokenView(ObtainAuthToken):
    """POST username and password, receive the user's API token (the same one each time)."""

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
        return super().post(request, *args, **kwargs)


obtain_token = ObtainTokenView.as_view()
