"""Routes of the visits API: /visits/ with their status actions, participants and programme."""

from rest_framework.routers import SimpleRouter

from . import parts, views

router = SimpleRouter()
router.register("visits", views.VisitViewSet, basename="api-visit")
router.register(
    r"visits/(?P<id>[^/.]+)/participants",
    parts.ParticipantViewSet,
    basename="api-visit-participant",
)
router.register(
    r"visits/(?P<id>[^/.]+)/programme", parts.ProgrammeItemViewSet, basename="api-visit-programme"
)

urlpatterns = router.urls
