"""Schema pieces of the visits API views (the shared ones are in ``core.api``)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from unibridge.core.api.errors import ErrorSerializer

TRANSITION_CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy("The visit's status does not allow this action (invalid_transition)."),
)
PROTECTED = OpenApiResponse(
    ErrorSerializer,
    description=gettext_lazy(
        "The visit's status does not allow deleting it (invalid_transition), or it has "
        "meetings (protected)."
    ),
)
VISIT_ID = OpenApiParameter(
    "id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The visit's id."
)
PARTICIPANT_ID = OpenApiParameter(
    "participant_id", int, OpenApiParameter.PATH, description="The participant's id."
)
ITEM_ID = OpenApiParameter(
    "item_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The programme item's id."
)
