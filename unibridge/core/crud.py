"""Plain CRUD pages shared by every app: list, detail with tabs, create/edit, delete.

Each app subclasses these with its selector, filter set, table columns and form. Permissions:
a record the user may not see answers 404; one they see but may not change answers 403.
"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import CharField, Model, ProtectedError, Q, QuerySet
from django.db.models.functions import Cast
from django.forms import ModelForm
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views import View

from . import exports
from .forms import invalid_form_status
from .permissions import is_editable
from .saved_filter_views import filter_query, saved_filters_for
from .services import EditConflict, delete_record, save_record
from .tables import Column, Table, rows_html

PAGE_SIZE = 50


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

    def get_queryset(self) -> QuerySet:
        raise _missing(self, "get_queryset")

    def can_create(self) -> bool:
        return self.request.user.can_write

    def load(self, ids: list) -> Iterable[Model]:
        """The records of these ids as the rows show them (a page, or a chunk of an export).

        The unfiltered selector: the filters already chose the ids.
        """
        return self.get_queryset().filter(pk__in=ids)

    def get(self, request: HttpRequest) -> HttpResponse:
        filterset = self.filterset_class(
            request.GET or None, queryset=self.get_queryset(), request=request
        )
        queryset = filterset.qs if filterset.is_bound else filterset.queryset
        table = Table(self.columns, request, self.default_sort)
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
        context = {
            "title": self.title,
            "filterset": filterset,
            "table": table,
            "headers": table.headers(),
            "rows": rows,
            "rows_html": rows_html(rows),
            "page": page,
            "create_url": self.create_url if self.can_create() else "",
            "query_without_page": _without(request, "page"),
            **self.saved_filter_context(),
        }
        is_results_request = request.htmx and request.htmx.target == "results"
        return render(
            request, self.partial_name if is_results_request else self.template_name, context
        )

    def saved_filter_context(self) -> dict[str, Any]:
        """The user's saved filters of this list (read by the full page only: one query)."""
        match = self.request.resolver_match
        list_name = match.view_name if match else ""
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


# How many entries a history tab lists, newest first.
HISTORY_LIMIT = 200


def action_label(action: int) -> str:
    """What an audit entry did, in the reader's language."""
    labels = {
        LogEntry.Action.CREATE: _("created"),
        LogEntry.Action.UPDATE: _("changed"),
        LogEntry.Action.DELETE: _("deleted"),
    }
    return labels.get(action, _("accessed"))


def _history_entries(
    obj: Model, children: Iterable[tuple[type[Model], str]]
) -> tuple[QuerySet, dict[int, tuple[type[Model], str]]]:
    """The audit entries of a record and its children, newest first, and the kinds of
    record they are about (content type id → (model, key to the record))."""
    own_type = ContentType.objects.get_for_model(type(obj))
    if isinstance(obj.pk, int):  # as LogEntry.objects.get_for_object finds them
        query = Q(content_type=own_type, object_id=obj.pk)
    else:
        query = Q(content_type=own_type, object_pk=str(obj.pk))
    kinds: dict[int, tuple[type[Model], str]] = {own_type.pk: (type(obj), "")}
    for model, key in children:
        child_type = ContentType.objects.get_for_model(model)
        kinds[child_type.pk] = (model, key)
        named = LogEntry.objects.filter(content_type=child_type).filter(
            Q(**{f"changes__{key}__0": str(obj.pk)}) | Q(**{f"changes__{key}__1": str(obj.pk)})
        )
        current = model._default_manager.filter(**{key: obj.pk}).values_list(
            Cast("pk", CharField())
        )
        query |= Q(content_type=child_type) & (
            Q(object_pk__in=named.values("object_pk")) | Q(object_pk__in=current)
        )
    entries = LogEntry.objects.filter(query).select_related("actor").order_by("-timestamp", "-pk")
    return entries, kinds


def history_count(obj: Model, *, children: Iterable[tuple[type[Model], str]] = ()) -> int:
    """How many entries :func:`history_for` lists for the record (at most its limit)."""
    entries, _kinds = _history_entries(obj, children)
    return min(entries.count(), HISTORY_LIMIT)


def history_for(
    obj: Model,
    user,
    limit: int = 0,
    *,
    children: Iterable[tuple[type[Model], str]] = (),
) -> list[dict]:
    """Audit entries of a record, newest first, with field names in the reader's language.

    A many-to-many change names the records added or removed as they read then; those the
    user may not see (by their model's ``visible_to``) are left out.

    ``children`` adds the entries of the record's child records: (child model, name of its
    foreign key to the record). A child is found by its entry's own change of that key (its
    creation and deletion name the record), so deleted children are found too, as are the
    entries of children the record has now. Such an entry names the child's kind; a child
    the user may not see is named by its kind only.
    """
    entries, kinds = _history_entries(obj, children)
    entries = entries[: limit or HISTORY_LIMIT]
    fields: dict[type[Model], dict[str, Any]] = {}
    seen_children: dict[type[Model], set[str] | None] = {}
    hidden: dict[tuple[type[Model], str], set[str]] = {}
    result = []
    for entry in entries:
        model, key = kinds[entry.content_type_id]
        if model not in fields:
            fields[model] = {f.name: f for f in model._meta.get_fields()}
        model_fields = fields[model]
        item: dict[str, Any] = {"entry": entry, "action": action_label(entry.action)}
        if key:  # a child's entry: its kind, and its name unless the user may not see it
            if model not in seen_children:
                seen_children[model] = _seen_children(model, key, obj, user)
            item["kind"] = model._meta.verbose_name
            seen = seen_children[model]
            if seen is not None and entry.object_pk not in seen:
                item["changes"] = []
                result.append(item)
                continue
            item["name"] = entry.object_repr
        changes = []
        for field, change in sorted(entry.changes_dict.items()):
            if field == key:  # the child's link to the record itself
                continue
            label = getattr(model_fields.get(field), "verbose_name", field)
            if isinstance(change, dict):  # many-to-many: {"type": "m2m", "operation", "objects"}
                if (model, field) not in hidden:
                    hidden[model, field] = _hidden_labels(model_fields.get(field), user)
                names = [
                    str(o) for o in change.get("objects", []) if str(o) not in hidden[model, field]
                ]
                if names:
                    changes.append((label, change.get("operation", ""), ", ".join(names)))
            else:
                before, after = [*list(change), "", ""][:2]
                changes.append((label, _none(before), _none(after)))
        item["changes"] = changes
        result.append(item)
    return result


def _seen_children(model: type[Model], key: str, obj: Model, user) -> set[str] | None:
    """Which children of ``obj`` the user may see, or None when they may see all of its kind.

    Without ``visible_to`` a child is seen with its record. With it, when some record of
    the kind is hidden from the user, only the present children they see are named: a
    deleted child can no longer be checked.
    """
    visible_to = getattr(model._default_manager, "visible_to", None)
    if not callable(visible_to):
        return None
    manager = model._default_manager
    visible = visible_to(user).values("pk")
    if not manager.exclude(pk__in=visible).exists():
        return None
    return {
        str(pk)
        for pk in manager.filter(**{key: obj.pk}, pk__in=visible).values_list("pk", flat=True)
    }


def _hidden_labels(field, user) -> set[str]:
    """How the records of a many-to-many field the user may not see are named in entries.

    The audit log keeps only their names (as read in the writer's language), so each is
    named in every language of the site. Few records are hidden from anyone (the
    confidential ones of other units); the office has none.
    """
    model = getattr(field, "related_model", None)
    if model is None or not callable(getattr(model.objects, "visible_to", None)):
        return set()
    records = list(model.objects.exclude(pk__in=model.objects.visible_to(user).values("pk")))
    if not records:
        return set()
    names = set()
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.update(str(record) for record in records)
    return names


def _none(value: Any) -> str:
    return "" if value in (None, "None") else str(value)


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

    def render_form(self, form, instance, conflict=None, status=200) -> HttpResponse:
        context = {
            "form": form,
            "object": instance,
            "title": self.title(instance),
            "cancel_url": instance.get_absolute_url() if instance.pk else self.cancel_url(),
            "conflict": conflict,
        }
        return render(self.request, self.template_name, context, status=status)

    def cancel_url(self) -> str:
        return "/"

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
        form = self.form_class(data=request.POST, **self.form_kwargs(instance, **kwargs))
        # a change without its version is refused by the form (428): it could undo others'
        if not form.is_valid():
            return self.render_form(form, instance, status=invalid_form_status(form))
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
        messages.success(request, _("Saved %(name)s.") % {"name": record})
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
