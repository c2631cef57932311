from django.urls import path

from . import notification_views, saved_filter_views, views

app_name = "core"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("jobs/<uuid:uuid>/", views.job_detail, name="job_detail"),
    path("activity/", views.activity, name="activity"),
]
urlpatterns += notification_views.urlpatterns + saved_filter_views.urlpatterns
