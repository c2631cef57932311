"""Pages of meetings and action items; the paths are those of the visits app before the split,
so bookmarks keep working, the names are now ``meetings:<name>``."""

from django.urls import URLPattern, path

from .views import (
    ActionItemListView,
    MeetingDetailView,
    MeetingEditView,
    MeetingListView,
    action_item_create,
    action_item_delete,
    action_item_detail,
    action_item_edit,
    action_item_status,
    decision_add,
    decision_delete,
    decision_edit,
    decision_move,
    meeting_delete,
    my_action_items,
    overdue_action_items,
)

app_name = "meetings"
urlpatterns: list[URLPattern] = [
    path("meetings/", MeetingListView.as_view(), name="meeting_list"),
    path("meetings/new/", MeetingEditView.as_view(), name="meeting_create"),
    path(
        "visits/<uuid:visit_uuid>/meetings/new/",
        MeetingEditView.as_view(),
        name="visit_meeting_create",
    ),
    path("meetings/<uuid:uuid>/", MeetingDetailView.as_view(), name="meeting_detail"),
    path("meetings/<uuid:uuid>/edit/", MeetingEditView.as_view(), name="meeting_edit"),
    path("meetings/<uuid:uuid>/delete/", meeting_delete, name="meeting_delete"),
    path("meetings/<uuid:uuid>/decisions/add/", decision_add, name="decision_add"),
    path(
        "meetings/<uuid:uuid>/decisions/<int:decision_id>/edit/",
        decision_edit,
        name="decision_edit",
    ),
    path(
        "meetings/<uuid:uuid>/decisions/<int:decision_id>/delete/",
        decision_delete,
        name="decision_delete",
    ),
    path(
        "meetings/<uuid:uuid>/decisions/<int:decision_id>/move/",
        decision_move,
        name="decision_move",
    ),
    path("meetings/<uuid:uuid>/action-items/new/", action_item_create, name="action_item_create"),
    path("meetings/<uuid:uuid>/<slug:tab>/", MeetingDetailView.as_view(), name="meeting_tab"),
    path("action-items/mine/", my_action_items, name="my_action_items"),
    path("action-items/overdue/", overdue_action_items, name="overdue_action_items"),
    path("action-items/", ActionItemListView.as_view(), name="action_item_list"),
    path("action-items/<uuid:uuid>/", action_item_detail, name="action_item_detail"),
    path("action-items/<uuid:uuid>/edit/", action_item_edit, name="action_item_edit"),
    path("action-items/<uuid:uuid>/delete/", action_item_delete, name="action_item_delete"),
    path("action-items/<uuid:uuid>/status/", action_item_status, name="action_item_status"),
]
