"""GET /api/v1/search/?q=: the global search as JSON, with the same visibility as the page."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import search as index
from .api.errors import ERRORS

MAX_LIMIT = 50


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=index.MAX_QUERY_LENGTH, trim_whitespace=True)
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)


class SearchHitSerializer(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.UUIDField(source="uuid")
    title = serializers.CharField()
    subtitle = serializers.CharField()
    url = serializers.CharField()
    score = serializers.IntegerField()


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField()
    results = SearchHitSerializer(many=True)


class SearchView(APIView):
    """Institutions, units, people and partnerships (and later modules' records) by name."""

    @extend_schema(
        summary="Search every kind of record",
        parameters=[
            OpenApiParameter("q", str, required=True, description="Words in any script."),
            OpenApiParameter("limit", int, description=f"At most {MAX_LIMIT} hits (20)."),
        ],
        responses={200: SearchResponseSerializer, 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query, limit = params.validated_data["q"], params.validated_data["limit"]
        hits = index.search(query, request.user, limit=limit)
        return Response(SearchResponseSerializer({"query": query, "results": hits}).data)
