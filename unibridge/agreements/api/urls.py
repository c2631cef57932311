"""Routes of the agreements API: /agreements/ with its actions, conditions and parties, and
/agreement-types/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="api-agreement")
router.register(
    r"agreements/(?P<id>[^/.]+)/conditions",
    views.ConditionViewSet,
    basename="api-agreement-condition",
)
router.register(
    r"agreements/(?P<id>[^/.]+)/parties", views.PartyViewSet, basename="api-agreement-party"
)
router.register("agreement-types", views.AgreementTypeViewSet, basename="api-agreement-type")

urlpatterns = router.urls
