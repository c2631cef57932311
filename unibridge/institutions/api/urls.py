"""Routes of the institutions API: /institutions/, /units/, /people/, /partnerships/."""

from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("institutions", views.InstitutionViewSet, basename="api-institution")
router.register("units", views.UnitViewSet, basename="api-unit")
router.register("people", views.PersonViewSet, basename="api-person")
router.register("partnerships", views.PartnershipViewSet, basename="api-partnership")

urlpatterns = router.urls
