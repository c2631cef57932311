"""Background tasks of the institutions app (run by the Huey worker, `manage.py run_huey`).

Both steps of the web import run here, not in the request: the preview (read and check the
upload, keep what importing it would do in the job's result) and the import itself.
"""

from pathlib import Path

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from unibridge.core import jobs

from . import importing, services
from .duplicates import institution_duplicates

RETRIES = 2
# Rows the preview page lists of each kind, and bad rows it reports; the counts are complete.
PREVIEW_LIMIT = 500
ERROR_LIMIT = 1000
DUPLICATES_PER_ROW = 3


@db_task(retries=RETRIES, retry_delay=10, context=True)
def preview_institutions(job_id: int, task=None) -> None:
    """Check an upload and keep, for the preview page, what importing it would do."""
    job = jobs.running(job_id)
    if job is None:
        return
    params = job.params
    with jobs.keep_alive(job), translation.override(params.get("language") or None):
        try:
            plan = importing.plan_import(
                Path(params["path"]),
                file_format=params["format"],
                mapping=params["mapping"],
                progress=lambda _stage, done, total: jobs.report_progress(job, done, total),
            )
        except importing.ImportFileError as exc:
            jobs.delete_files(job)
            jobs.fail(job, str(exc))
            return
        except FileNotFoundError:
            jobs.fail(job, _("The uploaded file is gone; upload it again."))
            return
        except Exception:
            _unexpected(job, task, _("The file could not be checked. Try again later."))
            raise
        if plan.errors or not plan.has_changes:
            jobs.delete_files(job)  # nothing to confirm: the page only reports
        jobs.succeed(
            job,
            _preview_message(params["name"], plan),
            _preview_url(params),
            _preview(plan, job.user),
        )


def _preview_url(params: dict) -> str:
    token = params.get("token")
    return reverse("institutions:institution_import_preview", args=[token]) if token else ""


def _preview_message(name: str, plan: importing.ImportPlan) -> str:
    message = _(
        "Checked %(name)s: %(created)s to create, %(updated)s to update, %(unchanged)s unchanged."
    ) % {
        "name": name,
        "created": len(plan.to_create),
        "updated": len(plan.to_update),
        "unchanged": plan.unchanged,
    }
    if plan.errors:
        message = f"{message} {importing.bad_rows_message(plan.bad_rows)}"
    return message


def _show(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def _duplicates(user, institution) -> list[dict]:
    """The likely duplicates of a row to create, as JSON (the reasons as codes and values)."""
    return [
        {
            "uuid": str(d.institution.uuid),
            "name": d.institution.name,
            "reasons": [[reason.code, reason.value] for reason in d.reasons],
        }
        for d in institution_duplicates(
            user=user, institution=institution, limit=DUPLICATES_PER_ROW
        )
    ]


def _preview(plan: importing.ImportPlan, user=None) -> dict:
    """What the preview page shows, as JSON: labels are looked up when the page is shown.

    The rows to create that the page lists are checked for likely duplicates: a row the
    importer matched to an institution (by identifier, domain or name) is an update already,
    but one that is only similar ("…, Uzbekistan") would be created beside it.
    """
    creates = [
        {
            "row": item.row,
            "name": item.institution.name,
            "name_en": item.institution.name_en,
            "country": str(item.institution.country),
            "city": item.institution.city,
            "website": item.institution.website,
            "email_domains": list(item.institution.email_domains or []),
            "identifiers": ", ".join(
                str(getattr(item.institution, name))
                for name in importing.IDENTIFIER_FIELDS
                if getattr(item.institution, name)
            ),
            "duplicates": _duplicates(user, item.institution) if user is not None else [],
        }
        for item in plan.to_create[:PREVIEW_LIMIT]
    ]
    updates = [
        {
            "row": item.row,
            "uuid": str(item.original.uuid),
            "name": str(item.original),
            "matched_by": item.matched_by,
            "changes": [
                [name, _show(before), _show(after)]
                for name, (before, after) in item.changes.items()
            ],
        }
        for item in plan.to_update[:PREVIEW_LIMIT]
    ]
    errors = [
        {"row": error.row, "column": error.column, "message": error.message}
        for error in plan.errors[:ERROR_LIMIT]
    ]
    return {
        "rows": plan.rows,
        "counts": [len(plan.to_create), len(plan.to_update), plan.unchanged],
        "bad_rows": plan.bad_rows,
        "ignored_columns": plan.ignored_columns,
        "creates": creates,
        "updates": updates,
        "errors": errors,
        "errors_hidden": max(0, len(plan.errors) - ERROR_LIMIT),
    }


def _unexpected(job, task, message: str) -> None:
    """Unexpected (a locked database, a lost connection): Huey tries again; the last attempt
    records the failure so the page does not wait for ever."""
    if task is None or task.retries == 0:
        jobs.delete_files(job)
        jobs.fail(job, message)
    else:
        jobs.retry_later(job)


@db_task(retries=RETRIES, retry_delay=10, context=True)
def import_institutions(job_id: int, task=None) -> None:
    """Import a checked upload; a file that changed meaning since the preview is refused."""
    job = jobs.running(job_id)
    if job is None:
        return
    params = job.params
    path = Path(params["path"])
    with jobs.keep_alive(job), translation.override(params.get("language") or None):
        try:
            plan = importing.plan_import(
                path,
                file_format=params["format"],
                mapping=params["mapping"],
                progress=lambda _stage, done, total: jobs.report_progress(job, done, total),
            )
            if [len(plan.to_create), len(plan.to_update), plan.unchanged] != params["counts"]:
                raise importing.ImportRejected(
                    _("Institutions were changed since you checked the file; upload it again.")
                )
            result = services.institutions_import(plan=plan, user=job.user)
        except (importing.ImportFileError, importing.ImportRejected, OSError) as exc:
            jobs.delete_files(job)
            jobs.fail(job, str(exc))
            return
        except Exception:
            _unexpected(job, task, _("The import failed; nothing was written. Try again later."))
            raise
        jobs.delete_files(job)
        jobs.succeed(
            job,
            _(
                "Imported %(name)s: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged."
            )
            % {
                "name": params["name"],
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            reverse("institutions:institution_list"),
        )
