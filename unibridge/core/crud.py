"""Plain CRUD pages shared by every app: list, detail with tabs, create/edit, delete.

Each app subclasses these with its selector, filter set, table columns and form. Permissions:
a record the user may not see answers 404; one they see but may not change answers 403.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, ProtectedError, QuerySet
from django.forms import ModelForm
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View

from . import bulk, exports
from .bulk import BulkAction, BulkForm
from .forms import invalid_form_status
from .history import action_label, history_count, history_for  # noqa: F401  (kept for their users)
from .models import ListColumns
from .permissions import is_editable
from .saved_filter_views import filter_query, saved_filters_for
from .services import EditConflict, delete_record, list_columns_choose, save_record
from .tables import DELETE, EDIT, Column, RowAction, Table, rows_html

PAGE_SIZE = 50
# The column chooser's parameters: the keys ticked, and that the form was sent at all (a
# choice of no optional column sends no key).
CHOSEN_COLUMNS, CHOOSING_COLUMNS = "columns", "choose_columns"


def _missing(view, method: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{type(view).__name__} must define {method}()")


class RecordListView(LoginRequiredMixin, View):
    """A filtered, sorted, paginated list; HTMX requests get only the results partial.

    ``?export=xlsx`` or ``?export=csv`` (with the page's other parameters) downloads every row
    of the filtered, sorted list with the table's columns; see ``core.exports``.
    """

    title: Any = ""
    filterset_class: type
    columns: Sequence[Column] = ()
    default_sort: str = ""
    template_name = "core/record_list.html"
    partial_name = "core/partials/record_table.html"
    create_url: str = ""
    export_name: str = ""  # the download's file name before the date; the model's plural if empty
    # icon buttons on the rows the user may change (viewing is the first column's link)
    row_actions: Sequence[RowAction] = (EDIT, DELETE)

    def get_queryset(self) -> QuerySet:
        raise _missing(self, "get_queryset")

    def can_create(self) -> bool:
        return self.request.user.can_write

    def load(self, ids: list) -> Iterable[Model]:
        """The records of these ids as the rows show them (a page, or a chunk of an export).

        The unfiltered selector: the filters already chose the ids.
        """
        return self.get_queryset().filter(pk__in=ids)

    def get_bulk_actions(self) -> Sequence[BulkAction]:
        """The bulk writes of this list beyond "Export selected" (none by default)."""
        return ()

    @property
    def list_name(self) -> str:
        match = self.request.resolver_match
        return match.view_name if match else ""

    def shown_columns(self) -> list[str] | None:
        """The keys of the columns the user chose for this list (None: never chose)."""
        if not self.list_name:
            return None
        choice = (
            ListColumns.objects.filter(user=self.request.user, list_name=self.list_name)
            .values_list("columns", flat=True)
            .first()
        )
        return None if choice is None else list(choice)

    def choose_columns(self, request: HttpRequest) -> HttpResponse | None:
        """Store the column chooser's choice (a GET form, so that it works without JS).

        A full page is sent back to the list without the chooser's parameters, so that the
        address, saved filters and exports carry the filters only; HTMX gets the results.
        """
        keys = {c.key for c in self.columns}
        chosen = [key for key in request.GET.getlist(CHOSEN_COLUMNS) if key in keys]
        if self.list_name:
            list_columns_choose(user=request.user, list_name=self.list_name, columns=chosen)
        if request.htmx:
            return None
        query = _without(request, CHOSEN_COLUMNS, CHOOSING_COLUMNS, "page")
        return HttpResponseRedirect(f"{request.path}?{query}" if query else request.path)

    def table(self, request: HttpRequest) -> Table:
        return Table(self.columns, request, self.default_sort, shown=self.shown_columns())

    def filtered(self, request: HttpRequest):
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        return filterset, (filterset.qs if filterset.is_bound else filterset.queryset)

    def get(self, request: HttpRequest) -> HttpResponse:
        if CHOOSING_COLUMNS in request.GET:
            redirect = self.choose_columns(request)
            if redirect is not None:
                return redirect
        filterset, queryset = self.filtered(request)
        table = self.table(request)
        # Page through primary keys first (an index-only read even deep in a 50,000-row list),
        # then load just those rows with their related records.
        ordered_ids = table.order(queryset).values_list("pk", flat=True)
        if "export" in request.GET:
            return self.export(request.GET["export"], ordered_ids)
        page = Paginator(ordered_ids, PAGE_SIZE).get_page(request.GET.get("page"))
        ids = list(page.object_list)
        loaded = {obj.pk: obj for obj in self.load(ids)}
        page.object_list = [loaded[pk] for pk in ids]
        rows = table.rows(page.object_list)
        editable = self.row_editable_ids(ids) if self.row_actions and ids else set()
        bulk_form = BulkForm(actions=self.get_bulk_actions(), user=request.user)
        context = {
            "title": self.title,
            "filterset": filterset,
            "table": table,
            "headers": table.headers(),
            "rows": rows,
            "rows_html": rows_html(
                rows, selectable=True, actions=self.row_actions, editable=editable
            ),
            "row_actions": bool(self.row_actions),
            "bulk_form": bulk_form,
            # unibridge.js puts the number of ticked rows in place of %(count)s
            "bulk_selected_text": _("%(count)s selected"),
            "page": page,
            "create_url": self.create_url if self.can_create() else "",
            "query_without_page": _without(request, "page", CHOSEN_COLUMNS, CHOOSING_COLUMNS),
            # the filters and sort the column chooser sends back with its choice
            "filter_params": [
                (name, value)
                for name, values in request.GET.lists()
                if name not in ("page", "export", CHOSEN_COLUMNS, CHOOSING_COLUMNS)
                for value in values
            ],
            **self.saved_filter_context(),
        }
        is_results_request = request.htmx and request.htmx.target == "results"
        return render(
            request, self.partial_name if is_results_request else self.template_name, context
        )

    def editable_ids(self, ids: Iterable) -> set:
        """Which of these records the user may change (one query for the page)."""
        model = self.get_queryset().model
        return set(
            model.objects.editable_by(self.request.user)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )

    def row_editable_ids(self, ids: Iterable) -> set:
        """The rows that get the edit and delete buttons: by default those the user may change."""
        return self.editable_ids(ids)

    def post(self, request: HttpRequest) -> HttpResponse:
        """A bulk action on the ticked rows; the page's filters and sort come in its address."""
        back = request.get_full_path()
        form = BulkForm(request.POST, actions=self.get_bulk_actions(), user=request.user)
        selected = [value for value in request.POST.getlist("selected") if _is_uuid(value)]
        if not selected:
            messages.error(request, _("Select at least one row first."))
            return HttpResponseRedirect(back, status=303)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back, status=303)
        table = Table(self.columns, request, self.default_sort)
        # the selected records the user may see, in the page's order
        chosen = self.get_queryset().filter(uuid__in=selected)
        ordered_ids = table.order(chosen).values_list("pk", flat=True)
        export_format = bulk.EXPORTS.get(form.cleaned_data["action"])
        if export_format is not None:
            return self.export(export_format, ordered_ids)
        action = form.action
        assert action is not None  # the form's choices are the exports and these actions
        ids = list(ordered_ids)
        loaded = {obj.pk: obj for obj in self.get_queryset().filter(pk__in=ids)}
        result = bulk.bulk_apply(
            action=action,
            records=[loaded[pk] for pk in ids],
            editable_ids=self.editable_ids(ids),
            user=request.user,
            value=form.value,
        )
        done, warnings = result.messages(action, form.value)
        if done:
            messages.success(request, done)
        for warning in warnings:
            messages.warning(request, warning)
        return HttpResponseRedirect(back, status=303)

    def saved_filter_context(self) -> dict[str, Any]:
        """The user's saved filters of this list (read by the full page only: one query)."""
        list_name = self.list_name
        return {
            "saved_filter_list": list_name,
            "saved_filters": saved_filters_for(self.request.user, list_name) if list_name else (),
            "saved_filter_query": filter_query(self.request.GET),
        }

    def export(self, export_format: str, ordered_ids: QuerySet) -> HttpResponse:
        """The whole list as a download; an unknown format is a 400, not a silent HTML page."""
        if export_format not in exports.FORMATS:
            return HttpResponseBadRequest(
                _("Unknown export format “%(format)s”; use xlsx or csv.")
                % {"format": export_format},
                content_type="text/plain; charset=utf-8",
            )
        name = self.export_name or exports.default_name(ordered_ids.model)
        records = exports.chunks(ordered_ids, self.load)
        if export_format == "csv":
            return exports.csv_response(self.columns, records, name)
        if ordered_ids.count() > exports.XLSX_MAX_ROWS:
            messages.error(
                self.request,
                _(
                    "An XLSX export holds at most %(limit)s rows. Narrow the list with the "
                    "filters, or download it as CSV."
                )
                % {"limit": number_format(exports.XLSX_MAX_ROWS, force_grouping=True)},
            )
            return HttpResponseRedirect(f"?{_without(self.request, 'export', 'page')}")
        return exports.xlsx_response(self.columns, records, name)


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


class RecordDetailView(LoginRequiredMixin, View):
    """A record's page with tabs (overview first, history last); unknown tabs are 404."""

    tabs: Sequence[tuple[str, Any]] = ()
    template_name: str = ""
    # child records shown on the history tab: (model, name of its foreign key to the record)
    history_children: Sequence[tuple[type[Model], str]] = ()

    def get_queryset(self) -> QuerySet:
        raise _missing(self, "get_queryset")

    def get_object(self, uuid) -> Model:
        return get_object_or_404(self.get_queryset(), uuid=uuid)

    def tab_context(self, obj: Model, tab: str) -> dict:
        """Extra context for one tab; override per app."""
        return {}

    def tab_counts(self, obj: Model) -> dict[str, int]:
        """How many rows some tabs list, shown beside their names; override per app."""
        return {}

    def get(self, request: HttpRequest, uuid, tab: str = "overview") -> HttpResponse:
        obj = self.get_object(uuid)
        if tab not in dict(self.tabs):
            raise Http404
        counts = self.tab_counts(obj)
        context = {
            "object": obj,
            "tab": tab,
            "tabs": self.tabs,
            # (key, label, count or None) for core/partials/tabs.html
            "tab_links": [(key, label, counts.get(key)) for key, label in self.tabs],
            "can_edit": is_editable(obj, request.user),
        }
        if tab == "history":
            context["history"] = history_for(obj, request.user, children=self.history_children)
        context.update(self.tab_context(obj, tab))
        return render(request, self.template_name, context)


class RecordEditView(LoginRequiredMixin, View):
    """Create (no uuid) or edit (uuid) one record through core.services.save_record."""

    form_class: type[ModelForm]
    template_name = "core/record_form.html"
    m2m_fields: Sequence[str] = ()
    # the service's names of fields that the form names otherwise (its errors go there)
    error_fields: Mapping[str, str] = {}

    def get_queryset(self) -> QuerySet:
        raise _missing(self, "get_queryset")

    def new_instance(self, **kwargs) -> Model:
        return self.form_class._meta.model()

    def can_create(self, **kwargs) -> bool:
        return self.request.user.can_write

    def form_kwargs(self, instance: Model, **kwargs) -> dict:
        return {"instance": instance, "user": self.request.user}

    def title(self, instance: Model) -> str:
        meta = type(instance)._meta
        if instance.pk:
            return _("Edit %(name)s") % {"name": instance}
        return _("New %(kind)s") % {"kind": meta.verbose_name}

    def get_instance(self, uuid=None, **kwargs) -> Model:
        if uuid is None:
            if not self.can_create(**kwargs):
                raise PermissionDenied
            return self.new_instance(**kwargs)
        instance = get_object_or_404(self.get_queryset(), uuid=uuid)
        if not is_editable(instance, self.request.user):
            raise PermissionDenied
        return instance

    def render_form(self, form, instance, conflict=None, status=200, **extra) -> HttpResponse:
        context = {
            "form": form,
            "object": instance,
            "title": self.title(instance),
            "cancel_url": instance.get_absolute_url() if instance.pk else self.cancel_url(),
            "conflict": conflict,
            **extra,
        }
        return render(self.request, self.template_name, context, status=status)

    def before_save(self, form, instance: Model) -> HttpResponse | None:
        """A page to answer instead of saving a valid form (a question to confirm), or None."""
        return None

    def cancel_url(self) -> str:
        return "/"

    def saved_message(self, record: Model, *, created: bool) -> str:
        """The notice after a save; a view names a new record its own way."""
        return _("Saved %(name)s.") % {"name": record}

    def save(self, record: Model, *, m2m: dict, expected_updated) -> Model:
        """Write the record; override to change related records in the same transaction."""
        return save_record(
            instance=record, user=self.request.user, m2m=m2m, expected_updated=expected_updated
        )

    def save_form(self, form: ModelForm, *, expected_updated) -> Model:
        """Write a valid form: an app with services overrides this to hand them its values.

        By default the form's record and its ``m2m_fields`` go to :meth:`save`.
        """
        record = form.save(commit=False)
        m2m = {
            name: form.cleaned_data[name] for name in self.m2m_fields if name in form.cleaned_data
        }
        return self.save(record, m2m=m2m, expected_updated=expected_updated)

    def get(self, request: HttpRequest, uuid=None, **kwargs) -> HttpResponse:
        instance = self.get_instance(uuid, **kwargs)
        return self.render_form(self.form_class(**self.form_kwargs(instance, **kwargs)), instance)

    def post(self, request: HttpRequest, uuid=None, **kwargs) -> HttpResponse:
        instance = self.get_instance(uuid, **kwargs)
        created = instance.pk is None
        form = self.form_class(data=request.POST, **self.form_kwargs(instance, **kwargs))
        # a change without its version is refused by the form (428): it could undo others'
        if not form.is_valid():
            return self.render_form(form, instance, status=invalid_form_status(form))
        interrupted = self.before_save(form, instance)
        if interrupted is not None:
            return interrupted
        try:
            record = self.save_form(form, expected_updated=form.cleaned_data.get("version"))
        except ValidationError as error:
            # a service's rule the form does not check itself: shown as the form's own errors
            for name, texts in error.message_dict.items():
                name = self.error_fields.get(name, name)
                form.add_error(name if name in form.fields else None, texts)
            return self.render_form(form, instance, status=400)
        except EditConflict as conflict:
            changed = _conflicting_fields(form, conflict.current)
            form.add_error(None, _("Someone else saved this record while you were editing it."))
            fresh = self.form_class(
                data=_with_version(request.POST, conflict.current),
                **self.form_kwargs(conflict.current, **kwargs),
            )
            fresh.is_valid()
            fresh._errors = form.errors
            return self.render_form(fresh, conflict.current, conflict=changed, status=409)
        messages.success(request, self.saved_message(record, created=created))
        return HttpResponseRedirect(record.get_absolute_url())


def form_values(form: ModelForm) -> dict:
    """A valid form's values by field name, for a service (the version is passed apart)."""
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name in form.fields and name != "version"
    }


def _with_version(data, current: Model):
    data = data.copy()
    data["version"] = current.updated.isoformat()
    return data


def _conflicting_fields(form, current: Model) -> list[dict]:
    """The fields the other person changed: what is stored now beside what this user typed."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or not hasattr(current, name):
            continue
        stored = getattr(current, name)
        if hasattr(stored, "all"):
            stored = ", ".join(str(o) for o in stored.all())
        typed = form.cleaned_data.get(name)
        if hasattr(typed, "__iter__") and not isinstance(typed, str):
            typed = ", ".join(str(o) for o in typed)
        if str(stored or "") != str(typed or ""):
            rows.append({"label": field.label, "stored": stored, "typed": typed})
    return rows


class RecordDeleteView(LoginRequiredMixin, View):
    """Confirm, then delete; records still referenced are kept with a clear message."""

    template_name = "core/record_confirm_delete.html"
    success_url: str = "/"

    def get_queryset(self) -> QuerySet:
        raise _missing(self, "get_queryset")

    def get_instance(self, uuid) -> Model:
        instance = get_object_or_404(self.get_queryset(), uuid=uuid)
        if not is_editable(instance, self.request.user):
            raise PermissionDenied
        return instance

    def get(self, request: HttpRequest, uuid) -> HttpResponse:
        return render(request, self.template_name, {"object": self.get_instance(uuid)})

    def post(self, request: HttpRequest, uuid) -> HttpResponse:
        instance = self.get_instance(uuid)
        try:
            delete_record(instance=instance, user=request.user)
        except ProtectedError as error:
            blocking = sorted(
                {str(type(o)._meta.verbose_name_plural) for o in error.protected_objects}
            )
            messages.error(
                request,
                _("%(name)s cannot be deleted while it has %(related)s.")
                % {"name": instance, "related": ", ".join(blocking)},
            )
            return HttpResponseRedirect(instance.get_absolute_url())
        messages.success(request, _("Deleted %(name)s.") % {"name": instance})
        return HttpResponseRedirect(self.success_url)
