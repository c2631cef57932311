"""Pages for a visit's programme items (times in the host's zone, warnings, .ics).

A visit the user may not see answers 404; one they see but may not change answers 403 on
the add, edit and delete pages. Saving never blocks on a warning: the item is saved, and
its edit page then lists what to look at (an item outside the visit's dates, a person or a
room booked twice); an end before the start is an error and nothing is saved.
"""

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse
from django.utils import formats, timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from unibridge.core.forms import invalid_form_status
from unibridge.core.services import EditConflict
from unibridge.core.views_support import (
    add_service_errors,
    editable_or_403,
    see_other,
    visible_or_404,
)

from . import ics, programme_services, selectors
from .models import ProgrammeItem, Visit
from .programme import (
    ProgrammeWarning,
    item_warnings,
    local_day,
    programme_items,
    programme_warnings,
    span,
    warnings_by_item,
)
from .programme_forms import ProgrammeItemForm

BAD_REQUEST, CONFLICT = 400, 409

# the service's field names, as the form names them
FORM_FIELDS = {"starts_at": "start_time", "ends_at": "end_time"}


# --- The programme tab ---------------------------------------------------------------------------


def tab_context(visit: Visit, user) -> dict[str, Any]:
    """Context for the visit page's programme tab: items by the host's day, with warnings."""
    items = programme_items(visit, user)
    warnings = programme_warnings(visit, user=user, items=items)
    by_item = warnings_by_item(warnings)
    host = visit.tz
    viewer = timezone.get_current_timezone()
    days: list[dict[str, Any]] = []
    viewer_differs = False
    for item in items:
        day = local_day(item.starts_at, host)
        if not days or days[-1]["day"] != day:
            days.append({"day": day, "rows": []})
        viewer_time = ""
        # the viewer's clock only where it reads differently from the host's
        if (
            item.starts_at.astimezone(host).utcoffset()
            != item.starts_at.astimezone(viewer).utcoffset()
        ):
            viewer_differs = True
            viewer_time = span(item.starts_at, item.ends_at, viewer)
            viewer_day = local_day(item.starts_at, viewer)
            if viewer_day != day:
                viewer_time = (
                    f"{formats.date_format(viewer_day, 'MONTH_DAY_FORMAT')}, " + viewer_time
                )
        days[-1]["rows"].append(
            {
                "item": item,
                "host_time": span(item.starts_at, item.ends_at, host),
                "viewer_time": viewer_time,
                "warnings": by_item.get(item.pk, []),
            }
        )
    anchors = {item.pk: f"item-{item.uid}" for item in items}
    return {
        "programme_days": days,
        "programme_warnings": [
            {"warning": warning, "anchor": anchors[warning.item_id]} for warning in warnings
        ],
        "host_zone": visit.time_zone,
        "viewer_zone": timezone.get_current_timezone_name(),
        "viewer_zone_differs": viewer_differs,
    }


# --- Helpers -------------------------------------------------------------------------------------


def _visible(request: HttpRequest, uuid) -> Visit:
    return visible_or_404(selectors.visit_list(request.user), uuid)


def _editable(request: HttpRequest, uuid) -> Visit:
    return editable_or_403(selectors.visit_list(request.user), uuid, request.user)


def _programme_url(visit: Visit) -> str:
    return reverse("visits:visit_tab", args=[visit.uuid, "programme"])


def _add_errors(form: ProgrammeItemForm, error: ValidationError) -> None:
    add_service_errors(form, error, FORM_FIELDS)


def _form_page(
    request: HttpRequest,
    visit: Visit,
    item: ProgrammeItem,
    form: ProgrammeItemForm,
    *,
    warnings: Sequence[ProgrammeWarning] = (),
    conflict: bool = False,
    status: int = 200,
) -> HttpResponse:
    # the item as stored: the form does not copy what was typed onto it
    title = _("Edit “%(item)s”") % {"item": item.title} if item.pk else _("New programme item")
    context = {
        "object": visit,
        "item": item,
        "form": form,
        "title": title,
        "warnings": warnings,
        "conflict": conflict,
        "cancel_url": _programme_url(visit),
    }
    return render(request, "visits/programme/item_form.html", context, status=status)


# --- Add, edit, delete ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def programme_item_edit(request: HttpRequest, uuid, item_uid=None) -> HttpResponse:
    """Add (no item_uid) or change a programme item; its warnings are shown after saving."""
    visit = _editable(request, uuid)
    if item_uid is None:
        item = ProgrammeItem(visit=visit)
    else:
        item = get_object_or_404(visit.programme.select_related("responsible"), uid=item_uid)
    item.visit = visit  # the loaded visit, with its zone, for the warnings
    if request.method == "GET":
        form = ProgrammeItemForm(instance=item, visit=visit, user=request.user)
        warnings = item_warnings(item, user=request.user) if item.pk else []
        return _form_page(request, visit, item, form, warnings=warnings)

    form = ProgrammeItemForm(request.POST, instance=item, visit=visit, user=request.user)
    if not form.is_valid():
        return _form_page(request, visit, item, form, status=invalid_form_status(form))
    try:
        if item.pk is None:
            item = programme_services.programme_item_create(
                visit=visit, user=request.user, values=form.values()
            )
        else:
            item = programme_services.programme_item_change(
                item=item,
                user=request.user,
                values=form.values(),
                expected_updated=form.cleaned_data.get("version"),
            )
    except EditConflict as error:
        stored = error.current
        stored.visit = visit
        fresh = request.POST.copy()
        fresh["version"] = stored.updated.isoformat()
        form = ProgrammeItemForm(fresh, instance=stored, visit=visit, user=request.user)
        form.is_valid()
        form.add_error(None, _("Someone else saved this item while you were editing it."))
        return _form_page(request, visit, stored, form, conflict=True, status=CONFLICT)
    except ValidationError as error:
        _add_errors(form, error)
        return _form_page(request, visit, item, form, status=BAD_REQUEST)

    warnings = item_warnings(item, user=request.user)
    if warnings:
        messages.warning(
            request,
            _("Saved “%(item)s”, with warnings: look at them below.") % {"item": item.title},
        )
        return see_other(reverse("visits:programme_item_edit", args=[visit.uuid, item.uid]))
    messages.success(request, _("Saved “%(item)s”.") % {"item": item.title})
    return see_other(_programme_url(visit) + f"#item-{item.uid}")


@login_required
@require_http_methods(["GET", "POST"])
def programme_item_delete(request: HttpRequest, uuid, item_uid) -> HttpResponse:
    visit = _editable(request, uuid)
    item = get_object_or_404(visit.programme, uid=item_uid)
    if request.method == "GET":
        context = {
            "object": visit,
            "item": item,
            "title": _("Delete “%(item)s” from the programme?") % {"item": item.title},
            "cancel_url": _programme_url(visit),
        }
        return render(request, "visits/programme/confirm_delete.html", context)
    programme_services.programme_item_delete(item=item, user=request.user)
    messages.success(request, _("Deleted “%(item)s” from the programme.") % {"item": item.title})
    return see_other(_programme_url(visit))


# --- The .ics file -------------------------------------------------------------------------------


@login_required
@require_safe
def programme_calendar(request: HttpRequest, uuid) -> HttpResponse:
    """The visit's programme for calendar programs; re-importing updates, never duplicates."""
    visit = _visible(request, uuid)
    items = programme_items(visit, request.user)
    content = ics.programme_ics(visit, items, absolute=request.build_absolute_uri)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=ics.file_name(visit)
    )
    return response


urlpatterns: list[URLPattern] = [
    path(
        "visits/<uuid:uuid>/programme/add/",
        programme_item_edit,
        name="programme_item_create",
    ),
    path(
        "visits/<uuid:uuid>/programme/<uuid:item_uid>/edit/",
        programme_item_edit,
        name="programme_item_edit",
    ),
    path(
        "visits/<uuid:uuid>/programme/<uuid:item_uid>/delete/",
        programme_item_delete,
        name="programme_item_delete",
    ),
    path("visits/<uuid:uuid>/programme.ics", programme_calendar, name="programme_ics"),
]
