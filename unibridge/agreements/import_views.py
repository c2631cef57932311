"""Pages for importing a legacy agreements register: upload → columns → preview → job.

The upload is kept, under a random name, in MEDIA_ROOT/imports (outside the web root) until
the import is done or cancelled; each step reads it again, so what the preview shows and what
is written never drift apart. Choosing the columns queues the check in the task worker
(``tasks.preview_agreements``, a ``core.jobs`` Job), as the institutions' import does: the
preview page shows its progress, then what importing would do and the partners to decide.
Confirming queues the import (``tasks.import_agreements``, with the partner decisions and
the column mapping): it checks the file once more and writes it through the audited services
in one transaction, all or nothing, while the job page shows how it went. The web takes registers
of up to MAX_WEB_ROWS rows, read no further than that; the management command takes up to
the IMPORT_MAX_ROWS setting."""

import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from unibridge.core import jobs, tabular
from unibridge.core.models import Job, JobStatus
from unibridge.institutions.models import Institution

from . import importing, tasks
from .models import AgreementType

# The task worker writes about 120 rows a second on SQLite; the limit keeps a job (and the
# preview job, which checks every row) within a few minutes. Larger registers go
# through `manage.py import_agreements`, or in parts.
MAX_WEB_ROWS = 20_000
PREVIEW_LIMIT = 500
SAMPLE_ROWS = 5
UPLOADS = tabular.UploadStore(session_key="agreement_imports", prefix="agreements-")


def _require_office(user) -> None:
    """Only the international office and administrators import; others get 403."""
    if not user.is_office:
        raise PermissionDenied


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("This upload has expired or was already imported; upload it again."))
    return redirect("agreements:agreement_import")


# --- Forms ----------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "A CSV (UTF-8) or XLSX workbook, at most 20 MB, with the column headers in the first "
            "row: one agreement per row."
        ),
    )
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        required=False,
        choices=[("", gettext_lazy("Detect from the file name")), ("csv", "CSV"), ("xlsx", "XLSX")],
    )

    def clean_file(self):
        return tabular.check_upload_size(self.cleaned_data["file"])


class ColumnsForm(forms.Form):
    """Which column of the file holds each field, and the type of rows without one."""

    def __init__(self, *args, headers: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("— not imported —")), *((header, header) for header in headers)]
        for name in importing.FIELDS:
            self.fields[name] = forms.ChoiceField(
                label=importing.FIELD_LABELS[name],
                choices=choices,
                required=name in importing.REQUIRED_FIELDS,
            )
        self.fields["default_type"] = forms.ModelChoiceField(
            label=_("Type of rows without one"),
            queryset=AgreementType.objects.order_by("name"),
            required=False,
            empty_label=_("— none: such rows are bad —"),
        )

    def mapping_fields(self) -> list:
        return [self[name] for name in importing.FIELDS]

    def mapping(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[name] for name in importing.FIELDS if self.cleaned_data[name]
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            importing.check_mapping(self.mapping(), self.headers)
        except importing.ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        if not cleaned.get("agreement_type") and not cleaned.get("default_type"):
            self.add_error(
                "default_type", _("Choose the column of the type, or a type for every row.")
            )
        return cleaned


class PartnersForm(forms.Form):
    """One choice per partner name: an institution offered, a new one, or skipping its rows."""

    def __init__(self, *args, plan: importing.ImportPlan, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan = plan
        for partner in plan.partners:
            choices = [(str(i.pk), _institution_label(i)) for i in partner.candidates]
            if partner.can_create:
                choices.append(
                    (
                        "new",
                        _("Add “%(name)s” (%(country)s) to the directory")
                        % {"name": partner.name, "country": partner.country_name},
                    )
                )
            choices.append(
                (
                    "skip",
                    ngettext(
                        "Do not import its %(count)d row",
                        "Do not import its %(count)d rows",
                        len(partner.rows),
                    )
                    % {"count": len(partner.rows)},
                )
            )
            self.fields[partner.field_name] = forms.ChoiceField(
                label=partner.name,
                choices=choices,
                widget=forms.RadioSelect,
                initial=str(partner.match.pk) if partner.match else None,
                error_messages={"required": _("Choose what to do with this partner.")},
            )

    def unresolved_fields(self) -> list:
        return [(p, self[p.field_name]) for p in self.plan.unresolved]

    def matched_fields(self) -> list:
        return [(p, self[p.field_name]) for p in self.plan.matched]

    def decisions(self) -> dict[str, str]:
        return {p.key: self.cleaned_data[p.field_name] for p in self.plan.partners}


@dataclass
class PreviewPlan(importing.ImportPlan):
    """A preview job's result (``tasks.preview_result``) as the page and PartnersForm read a
    plan: the partners with their candidates read again, the first agreements, the counts."""

    agreement_count: int = 0
    bad_row_count: int = 0

    @property
    def bad_rows(self) -> int:
        return self.bad_row_count


def _preview_plan(result: dict) -> PreviewPlan:
    wanted = {pk for partner in result["partners"] for pk in partner["candidates"]}
    wanted |= {partner["match"] for partner in result["partners"] if partner["match"]}
    institutions = Institution.objects.in_bulk(wanted)
    types = AgreementType.objects.in_bulk({item["agreement_type"] for item in result["agreements"]})
    partners = []
    for partner in result["partners"]:
        match = institutions.get(partner["match"]) if partner["match"] else None
        partners.append(
            importing.PartnerMatch(
                key=partner["key"],
                name=partner["name"],
                country=partner["country"],
                rows=partner["rows"],
                candidates=[institutions[pk] for pk in partner["candidates"] if pk in institutions],
                match=match,
                how=partner["how"] if match else "",
            )
        )
    agreements = [
        importing.PlannedAgreement(
            row=item["row"],
            partner_key=item["partner_key"],
            agreement_type=types[item["agreement_type"]],
            reference=item["reference"],
            title=item["title"],
            signed_on=None,
            effective_date=_date(item["effective_date"]),
            expiry_date=_date(item["expiry_date"]),
            status=item["status"],
            responsible=[],
            notes="",
        )
        for item in result["agreements"]
        if item["agreement_type"] in types
    ]
    return PreviewPlan(
        rows=result["rows"],
        errors=[importing.RowError(*error) for error in result["errors"]],
        ignored_columns=result["ignored_columns"],
        agreements=agreements,
        partners=partners,
        warnings=[importing.RowError(*warning) for warning in result["warnings"]],
        agreement_count=result["agreement_count"],
        bad_row_count=result["bad_rows"],
    )


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _institution_label(institution) -> str:
    place = ", ".join(part for part in (institution.city, institution.country.name) if part)
    return f"{institution.display_name} ({place})" if place else institution.display_name


# --- Views ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: read the file's headers and go on to the columns."""
    _require_office(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            file_format = form.cleaned_data["file_format"] or importing.detect_format(upload.name)
            # Read row by row, and no further than the web's limit (or a smaller setting).
            table = importing.read_table(upload, file_format=file_format, max_rows=MAX_WEB_ROWS)
        except tabular.TooManyRows as exc:
            form.add_error(
                "file",
                _(
                    "This file has more than %(limit)s rows; the web import takes at most "
                    "%(limit)s. Split it, or ask an administrator to run manage.py "
                    "import_agreements."
                )
                % {"limit": tabular.number_format(exc.limit)},
            )
        except importing.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            if not table.records:
                form.add_error("file", _("The file has headers but no rows."))
            else:
                record = {
                    "name": upload.name,
                    "format": file_format,
                    "mapping": None,
                    "default_type": None,
                }
                upload.seek(0)
                token = UPLOADS.add(request, upload.read(), record)
                return redirect("agreements:agreement_import_columns", token=token)
    return render(
        request,
        "agreements/import/upload.html",
        {"form": form, "fields": importing.FIELD_LABELS.values()},
        status=400 if form.errors else 200,
    )


def _table(token: str, stored: dict) -> importing.Table:
    return importing.read_table(
        UPLOADS.path(token), file_format=stored["format"], max_rows=MAX_WEB_ROWS
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_columns(request: HttpRequest, token: str) -> HttpResponse:
    """Map the file's columns to fields (suggested from the headers), then preview."""
    _require_office(request.user)
    stored = UPLOADS.get(request, token)
    if stored is None:
        return _expired(request)
    table = _table(token, stored)
    if request.method == "POST":
        form = ColumnsForm(request.POST, headers=table.headers)
        if form.is_valid():
            default_type = form.cleaned_data["default_type"]
            record = {
                **stored,
                "mapping": form.mapping(),
                "default_type": default_type.pk if default_type else None,
            }
            job = jobs.start(
                user=request.user,
                kind="agreement_preview",
                title=(_("Check of agreements in %(name)s") % {"name": stored["name"]})[:300],
                params={
                    "path": str(UPLOADS.path(token)),
                    "token": token,
                    "name": stored["name"],
                    "format": stored["format"],
                    "mapping": record["mapping"],
                    "default_type": record["default_type"],
                    "language": request.LANGUAGE_CODE,
                },
                task=tasks.preview_agreements,
            )
            UPLOADS.set(request, token, {**record, "job": str(job.uuid)})
            return redirect("agreements:agreement_import_preview", token=token)
    else:
        initial = stored["mapping"]
        if initial is None:
            initial = importing.suggest_mapping(table.headers)
        form = ColumnsForm(
            initial={**initial, "default_type": stored["default_type"]}, headers=table.headers
        )
    sample = [
        [importing.display_value(record.get(header)) for header in table.headers]
        for _number, record in table.records[:SAMPLE_ROWS]
    ]
    context = {
        "form": form,
        "token": token,
        "filename": stored["name"],
        "headers": table.headers,
        "sample": sample,
        "rows": len(table.records),
    }
    return render(
        request, "agreements/import/columns.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """What the import would write, every bad row, and the partners to decide; POST imports."""
    _require_office(request.user)
    stored = UPLOADS.get(request, token)
    if stored is None:
        return _expired(request)
    job = _preview_job(request, stored)
    if stored["mapping"] is None or job is None:
        return redirect("agreements:agreement_import_columns", token=token)
    if job.status == JobStatus.FAILED:
        messages.error(request, job.message)
        return redirect("agreements:agreement_import_columns", token=token)
    if job.status != JobStatus.DONE:
        # The worker is still reading the file: this page asks again every 2 seconds.
        context = {"job": job, "token": token, "filename": stored["name"]}
        template = "agreements/import/checking.html"
        return render(request, template, context, status=409 if request.method == "POST" else 200)
    plan = _preview_plan(job.result)

    form = PartnersForm(request.POST if request.method == "POST" else None, plan=plan)
    status = 200
    if request.method == "POST" and not plan.errors:
        if form.is_valid():
            problems = importing.decision_errors(plan, form.decisions())
            for problem in problems:
                form.add_error(None, problem)
        if form.is_valid():
            return _queue_import(request, token, stored, plan, form.decisions())
        status = 400
    elif request.method == "POST":
        status = 400
    partners = {partner.key: partner for partner in plan.partners}
    rows = [
        {"item": item, "partner": partners[item.partner_key]}
        for item in plan.agreements[:PREVIEW_LIMIT]
    ]
    context = {
        "plan": plan,
        "form": form,
        "token": token,
        "filename": stored["name"],
        "rows": rows,
        "rows_hidden": max(0, plan.agreement_count - len(rows)),
        "summary": ngettext(
            "%(rows)d row read from %(name)s.", "%(rows)d rows read from %(name)s.", plan.rows
        )
        % {"rows": plan.rows, "name": stored["name"]},
    }
    return render(request, "agreements/import/preview.html", context, status=status)


def _preview_job(request: HttpRequest, stored: dict) -> Job | None:
    if not stored.get("job"):
        return None
    return Job.objects.visible_to(request.user).filter(uuid=stored["job"]).first()


def _queue_import(
    request: HttpRequest,
    token: str,
    stored: dict,
    plan: PreviewPlan,
    decisions: dict[str, str],
) -> HttpResponse:
    """Hand the checked upload and the user's decisions to the task worker; show its job."""
    # The token cannot be confirmed twice; the task deletes the file.
    UPLOADS.release(request, token)
    title = ngettext(
        "Import of %(count)d agreement from %(name)s",
        "Import of %(count)d agreements from %(name)s",
        plan.agreement_count,
    ) % {"count": plan.agreement_count, "name": stored["name"]}
    job = jobs.start(
        user=request.user,
        kind="agreement_import",
        title=title[:300],
        params={
            "path": str(UPLOADS.path(token)),
            "name": stored["name"],
            "format": stored["format"],
            "mapping": stored["mapping"],
            "default_type": stored["default_type"],
            "decisions": decisions,
            "language": request.LANGUAGE_CODE,
        },
        task=tasks.import_agreements,
    )
    return redirect(job)


@login_required
@require_POST
def import_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """Forget an upload; nothing was written."""
    _require_office(request.user)
    UPLOADS.discard(request, token)
    messages.info(request, _("The import was cancelled; nothing was written."))
    return redirect("agreements:agreement_import")


urlpatterns: list[URLPattern] = [
    path("agreements/import/", import_upload, name="agreement_import"),
    path(
        "agreements/import/<slug:token>/columns/", import_columns, name="agreement_import_columns"
    ),
    path(
        "agreements/import/<slug:token>/preview/", import_preview, name="agreement_import_preview"
    ),
    path("agreements/import/<slug:token>/cancel/", import_cancel, name="agreement_import_cancel"),
]
