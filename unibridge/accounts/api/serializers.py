"""What the sign-in endpoint answers."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..selectors import token_expires


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
        return serializers.DateTimeField().to_representation(token_expires(token))
