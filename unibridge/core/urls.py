from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("jobs/<uuid:uuid>/", views.job_detail, name="job_detail"),
]
