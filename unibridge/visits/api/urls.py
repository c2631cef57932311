"""Routes of the visits API: /visits/ with their status actions, participants and programme,
/meetings/ with their decisions, and /action-items/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("visits", views.VisitViewSet, basename="api-visit")
router.register(
    r"visits/(?P<id>[^/.]+)/participants",
    views.ParticipantViewSet,
    basename="api-visit-participant",
)
router.register(
    r"visits/(?P<id>[^/.]+)/programme", views.ProgrammeItemViewSet, basename="api-visit-programme"
)
router.register("meetings", views.MeetingViewSet, basename="api-meeting")
router.register(
    r"meetings/(?P<id>[^/.]+)/decisions", views.DecisionViewSet, basename="api-meeting-decision"
)
router.register("action-items", views.ActionItemViewSet, basename="api-action-item")

urlpatterns = router.urls
