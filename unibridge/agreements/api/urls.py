"""Routes of the agreements API: /agreements/ with its actions, /agreement-types/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("agreements", views.AgreementViewSet, basename="api-agreement")
router.register("agreement-types", views.AgreementTypeViewSet, basename="api-agreement-type")

urlpatterns = router.urls
