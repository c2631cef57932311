"""Web import of institutions for the international office: upload, preview, confirm.

The upload is checked at once and kept, under a random name, in MEDIA_ROOT/imports (outside
the web root) until the user confirms; confirming reads it again, so the preview and what is
written never drift apart, and deletes it.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from unibridge.core import jobs, tabular

from . import importing, tasks
from .models import Institution

PREVIEW_LIMIT = 500
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
    """GET: the upload form. POST: check the file and show what importing it would do."""
    _require_office(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return _render_form(request, form)
    upload = form.cleaned_data["file"]
    mapping = form.mapping()
    data = upload.read()
    try:
        file_format = form.cleaned_data["file_format"] or importing.detect_format(upload.name)
        plan = importing.plan_import(data, file_format=file_format, mapping=mapping)
    except importing.ImportFileError as exc:
        form.add_error("file", str(exc))
        return _render_form(request, form)

    token = ""
    if not plan.errors and plan.has_changes:
        record = {
            "name": upload.name,
            "format": file_format,
            "mapping": mapping,
            "counts": _counts(plan),
        }
        token = UPLOADS.add(request, data, record)
    return _render_preview(request, plan, upload.name, token)


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Queue the import of a checked upload (or cancel it); the job page shows the outcome."""
    _require_office(request.user)
    token = request.POST.get("token", "")
    stored = UPLOADS.get(request, token)
    if stored is None:
        messages.error(
            request, _("This upload has expired or was already imported; upload the file again.")
        )
        return redirect("institutions:institution_import")
    if "cancel" in request.POST:
        UPLOADS.discard(request, token)
        messages.info(request, _("The import was cancelled; nothing was written."))
        return redirect("institutions:institution_import")

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
            "counts": stored["counts"],
            "language": request.LANGUAGE_CODE,
        },
        task=tasks.import_institutions,
    )
    return redirect(job)


def _counts(plan: importing.ImportPlan) -> list[int]:
    """What the preview promised; confirming a plan that differs shows the preview again."""
    return [len(plan.to_create), len(plan.to_update), plan.unchanged]


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


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _render_preview(
    request: HttpRequest, plan: importing.ImportPlan, filename: str, token: str
) -> HttpResponse:
    creates = [
        {
            "row": item.row,
            "institution": item.institution,
            "identifiers": ", ".join(
                str(getattr(item.institution, name))
                for name in importing.IDENTIFIER_FIELDS
                if getattr(item.institution, name)
            ),
        }
        for item in plan.to_create[:PREVIEW_LIMIT]
    ]
    updates = [
        {
            "row": item.row,
            "institution": item.original,
            "matched_by": _matched_by(item.matched_by),
            "changes": [
                (_label(name), _show(before), _show(after))
                for name, (before, after) in item.changes.items()
            ],
        }
        for item in plan.to_update[:PREVIEW_LIMIT]
    ]
    summary = ngettext(
        "%(rows)d row read from %(name)s.", "%(rows)d rows read from %(name)s.", plan.rows
    ) % {"rows": plan.rows, "name": filename}
    context = {
        "plan": plan,
        "filename": filename,
        "summary": summary,
        "token": token,
        "creates": creates,
        "creates_hidden": max(0, len(plan.to_create) - PREVIEW_LIMIT),
        "updates": updates,
        "updates_hidden": max(0, len(plan.to_update) - PREVIEW_LIMIT),
        "errors": plan.errors,
    }
    return render(request, "institutions/import_preview.html", context)
