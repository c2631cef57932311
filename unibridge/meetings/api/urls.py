"""Routes of the meetings API: /meetings/ with their decisions, and /action-items/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("meetings", views.MeetingViewSet, basename="api-meeting")
router.register(
    r"meetings/(?P<id>[^/.]+)/decisions", views.DecisionViewSet, basename="api-meeting-decision"
)
router.register("action-items", views.ActionItemViewSet, basename="api-action-item")

urlpatterns = router.urls
