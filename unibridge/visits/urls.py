from . import document_views, news_views, programme_views, publication_views, views

app_name = "visits"
urlpatterns = (
    views.urlpatterns
    + programme_views.urlpatterns
    + document_views.urlpatterns
    + news_views.urlpatterns
    + publication_views.urlpatterns
)
