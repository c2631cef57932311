"""Web import of institutions for the international office: upload, preview, confirm.

The upload is kept, under a random name, in MEDIA_ROOT/imports (outside the web root) until
the user confirms. The task worker reads and checks it (a preview job) while the preview page
shows how far it is, then what importing would do; confirming queues the import job, which
reads the file again, so the preview and what is written never drift apart, and deletes it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from unibridge.core import cldr, jobs, tabular
from unibridge.core.models import Job, JobStatus

from . import importing, tasks
from .duplicates import Reason
from .models import Institution

UPLOADS = tabular.UploadStore(session_key="institution_imports")


def _require_office(user) -> None:
    """Only the international office and administrators import; others get 403."""
    if not user.is_office:
        raise PermissionDenied


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "The world universities JSON file, a CSV (UTF-8) or an XLSX workbook, at most 20 MB. "
            "The first row of a CSV or XLSX file holds the column headers."
        ),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[
            ("", gettext_lazy("Detect from the file name")),
            ("json", "JSON"),
            ("csv", "CSV"),
            ("xlsx", "XLSX"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in importing.FIELDS:
            self.fields[f"map_{name}"] = forms.CharField(
                label=Institution._meta.get_field(name).verbose_name,
                required=False,
                max_length=200,
            )

    def clean_file(self):
        return tabular.check_upload_size(self.cleaned_data["file"])

    def mapping_fields(self) -> list:
        return [self[f"map_{name}"] for name in importing.FIELDS]

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"map_{name}"].strip()
            for name in importing.FIELDS
            if self.cleaned_data.get(f"map_{name}", "").strip()
        }


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: keep the file and have the task worker check it."""
    _require_office(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render_form(request, form)
    upload = form.cleaned_data["file"]
    try:
        file_format = form.cleaned_data["file_format"] or importing.detect_format(upload.name)
        tabular.sniff(upload, file_format)  # an image, or a zip bomb, is refused at once
    except importing.ImportFileError as exc:
        form.add_error("file", str(exc))
        return _render_form(request, form)

    # Reading and checking every row takes long for a large file: the worker does it (the
    # preview task), and the preview page shows its progress, then what importing would do.
    mapping = form.mapping()
    record = {"name": upload.name, "format": file_format, "mapping": mapping, "job": None}
    token = UPLOADS.add(request, upload.read(), record)
    job = jobs.start(
        user=request.user,
        kind="institution_preview",
        title=_("Check of institutions in %(name)s") % {"name": upload.name},
        params={
            "path": str(UPLOADS.path(token)),
            "token": token,
            "name": upload.name,
            "format": file_format,
            "mapping": mapping,
            "language": request.LANGUAGE_CODE,
        },
        task=tasks.preview_institutions,
    )
    UPLOADS.set(request, token, {**record, "job": str(job.uuid)})
    return redirect("institutions:institution_import_preview", token=token)


def _preview_job(request: HttpRequest, record: dict | None) -> Job | None:
    if record is None or not record.get("job"):
        return None
    return Job.objects.visible_to(request.user).filter(uuid=record["job"]).first()


@login_required
@require_safe
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The check's progress while the worker reads the file, then what importing would do.

    HTMX asks for the page every 2 seconds until the check has ended (so does a meta refresh
    without JavaScript); the answer to HTMX is the preview part alone.
    """
    _require_office(request.user)
    record = UPLOADS.record(request, token)
    job = _preview_job(request, record)
    if job is None:
        messages.error(request, _("This upload has expired; upload the file again."))
        return redirect("institutions:institution_import")
    context = {"job": job, "filename": record["name"], "token": ""}
    if job.status == JobStatus.DONE:
        context.update(_preview_context(job.result, record["name"]))
        if context["can_import"] and UPLOADS.get(request, token) is not None:
            context["token"] = token
    template = "institutions/partials/import_preview.html" if request.htmx else None
    return render(request, template or "institutions/import_preview.html", context)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Queue the import of a checked upload (or cancel it); the job page shows the outcome."""
    _require_office(request.user)
    token = request.POST.get("token", "")
    stored = UPLOADS.get(request, token)
    preview = _preview_job(request, stored)
    checked = preview is not None and preview.status == JobStatus.DONE
    if stored is None or not (checked or "cancel" in request.POST):
        messages.error(
            request, _("This upload has expired or was already imported; upload the file again.")
        )
        return redirect("institutions:institution_import")
    if "cancel" in request.POST:
        UPLOADS.discard(request, token)
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect("institutions:institution_import")
    if not _preview_context(preview.result, stored["name"])["can_import"]:
        return redirect("institutions:institution_import_preview", token=token)

    # The import itself runs in the task worker: the whole world directory takes seconds.
    UPLOADS.release(request, token)
    job = jobs.start(
        user=request.user,
        kind="institution_import",
        title=_("Import of institutions from %(name)s") % {"name": stored["name"]},
        params={
            "path": str(UPLOADS.path(token)),
            "name": stored["name"],
            "format": stored["format"],
            "mapping": stored["mapping"],
            "counts": preview.result["counts"],
            "language": request.LANGUAGE_CODE,
        },
        task=tasks.import_institutions,
    )
    return redirect(job)


def _render_form(request: HttpRequest, form: ImportUploadForm) -> HttpResponse:
    return render(
        request,
        "institutions/import_form.html",
        {
            "form": form,
            "fields": importing.FIELDS,
            "max_mb": tabular.MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _label(name: str) -> str:
    return str(Institution._meta.get_field(name).verbose_name) if name else ""


def _matched_by(how: str) -> str:
    if how == "domain":
        return _("internet domain")
    if how == "name":
        return _("name and country")
    return ", ".join(_label(name) for name in how.split(", "))


def _preview_context(result: dict, filename: str) -> dict:
    """The preview task's result (see tasks._preview) with labels in the reader's language."""
    created, updated, unchanged = result["counts"]
    creates = [
        {
            **item,
            "country_name": cldr.country_name(item["country"]),
            "duplicates": [
                {
                    "name": duplicate["name"],
                    "url": reverse("institutions:institution_detail", args=[duplicate["uuid"]]),
                    "reasons": "; ".join(
                        str(Reason(code, value)) for code, value in duplicate["reasons"]
                    ),
                }
                for duplicate in item.get("duplicates", [])
            ],
        }
        for item in result["creates"]
    ]
    updates = [
        {
            **item,
            "url": reverse("institutions:institution_detail", args=[item["uuid"]]),
            "matched_by": _matched_by(item["matched_by"]),
            "changes": [(_label(name), before, after) for name, before, after in item["changes"]],
        }
        for item in result["updates"]
    ]
    summary = ngettext(
        "%(rows)d row read from %(name)s.", "%(rows)d rows read from %(name)s.", result["rows"]
    ) % {"rows": result["rows"], "name": filename}
    return {
        "summary": summary,
        "counts": {"created": created, "updated": updated, "unchanged": unchanged},
        "bad_rows": result["bad_rows"],
        "ignored_columns": result["ignored_columns"],
        "creates": creates,
        "possible_duplicates": sum(1 for item in creates if item["duplicates"]),
        "creates_hidden": max(0, created - len(creates)),
        "updates": updates,
        "updates_hidden": max(0, updated - len(updates)),
        "errors": result["errors"],
        "errors_hidden": result["errors_hidden"],
        "can_import": not result["errors"] and bool(created or updated),
    }
