"""Background tasks of the agreements app (run by the Huey worker, `manage.py run_huey`).

Both steps of the web import of a register run here, as the institutions' do: the preview
(read and check the upload, keep what importing it would do in the job's result, for the
preview page and its partner decisions) and the import itself.
"""

from pathlib import Path

from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from unibridge.core import jobs

from . import importing
from .lifecycle_services import activate_due
from .models import Agreement, AgreementParty, AgreementType

RETRIES = 2
# Agreements the preview page lists, and bad rows it reports; the counts are complete.
PREVIEW_LIMIT = 500
ERROR_LIMIT = 1000
# Above this many imported agreements the link opens the whole list (no id lists in URLs).
FILTERED_LINK_LIMIT = 500


@db_periodic_task(crontab(hour="1", minute="5"), retries=2, retry_delay=300)
def agreements_daily() -> dict[str, int]:
    """Every night: activate fully signed agreements, expire, terminate and supersede."""
    return activate_due()


def _default_type(params: dict) -> AgreementType | None:
    if not params.get("default_type"):
        return None
    return AgreementType.objects.filter(pk=params["default_type"]).first()


@db_task(retries=RETRIES, retry_delay=10, context=True)
def preview_agreements(job_id: int, task=None) -> None:
    """Check an upload with its column mapping and keep, for the preview page, what
    importing it would do. The upload stays: the user may change the columns and check again."""
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
                default_type=_default_type(params),
            )
        except importing.ImportFileError as exc:
            jobs.fail(job, str(exc))
            return
        except FileNotFoundError:
            jobs.fail(job, _("The uploaded file is gone; upload it again."))
            return
        except Exception:
            # As in import_agreements: Huey tries again, the last attempt records the failure.
            if task is None or task.retries == 0:
                jobs.fail(job, _("The file could not be checked. Try again later."))
            else:
                jobs.retry_later(job)
            raise
        message = ngettext(
            "%(rows)d row read from %(name)s.", "%(rows)d rows read from %(name)s.", plan.rows
        ) % {"rows": plan.rows, "name": params["name"]}
        if plan.errors:
            message = f"{message} {importing.bad_rows_message(plan.bad_rows)}"
        url = reverse("agreements:agreement_import_preview", args=[params["token"]])
        jobs.succeed(job, message, url, preview_result(plan))


def _row_error(error: importing.RowError) -> list:
    return [error.row, error.column, error.message, error.value]


def preview_result(plan: importing.ImportPlan) -> dict:
    """What the preview page shows, as JSON; records by id, read again when it is shown."""
    return {
        "rows": plan.rows,
        "bad_rows": plan.bad_rows,
        "ignored_columns": plan.ignored_columns,
        "errors": [_row_error(error) for error in plan.errors[:ERROR_LIMIT]],
        "warnings": [_row_error(warning) for warning in plan.warnings[:ERROR_LIMIT]],
        "partners": [
            {
                "key": partner.key,
                "name": partner.name,
                "country": partner.country,
                "rows": partner.rows,
                "candidates": [institution.pk for institution in partner.candidates],
                "match": partner.match.pk if partner.match else None,
                "how": partner.how,
            }
            for partner in plan.partners
        ],
        "agreement_count": len(plan.agreements),
        "agreements": [
            {
                "row": item.row,
                "partner_key": item.partner_key,
                "agreement_type": item.agreement_type.pk,
                "reference": item.reference,
                "title": item.title,
                "effective_date": _iso(item.effective_date),
                "expiry_date": _iso(item.expiry_date),
                "status": item.status,
            }
            for item in plan.agreements[:PREVIEW_LIMIT]
        ],
    }


def _iso(date) -> str | None:
    return date.isoformat() if date else None


@db_task(retries=RETRIES, retry_delay=10, context=True)
def import_agreements(job_id: int, task=None) -> None:
    """Import a register the user checked and confirmed on the preview page.

    The file is read and checked again, so a row that became bad since the preview (its
    reference number taken meanwhile, say) fails the job with the report and writes nothing;
    so does any refusal while writing (apply() is all or nothing).
    """
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
                default_type=_default_type(params),
            )
            if plan.errors:
                raise importing.ImportRejected(
                    "\n".join(
                        [
                            _("The register was checked again before writing and has changed:"),
                            *importing.error_report(plan),
                        ]
                    )
                )
            result = importing.apply(plan, job.user, params["decisions"])
        except (importing.ImportFileError, importing.ImportRejected, OSError) as exc:
            jobs.delete_files(job)
            jobs.fail(job, str(exc))
            return
        except Exception:
            # Unexpected (a locked database, a lost connection): Huey tries again; the last
            # attempt records the failure so the page does not wait for ever.
            if task is None or task.retries == 0:
                jobs.delete_files(job)
                jobs.fail(job, _("The import failed; nothing was written. Try again later."))
            else:
                jobs.retry_later(job)
            raise
        jobs.delete_files(job)
        jobs.succeed(job, _import_message(params["name"], result), _result_url(result))


def _import_message(name: str, result: importing.ImportResult) -> str:
    # The wording (and so the translations) of the former result page.
    parts = [
        ngettext(
            "%(counter)s agreement imported from %(name)s.",
            "%(counter)s agreements imported from %(name)s.",
            result.created,
        )
        % {"counter": result.created, "name": name}
    ]
    if result.skipped:
        parts.append(
            ngettext(
                "%(counter)s row left out, as you chose.",
                "%(counter)s rows left out, as you chose.",
                result.skipped,
            )
            % {"counter": result.skipped}
        )
    if result.institutions_created:
        parts.append(
            ngettext(
                "%(counter)s institution added to the directory.",
                "%(counter)s institutions added to the directory.",
                result.institutions_created,
            )
            % {"counter": result.institutions_created}
        )
    return " ".join(parts)


def _result_url(result: importing.ImportResult) -> str:
    """The agreements list, filtered to the imported partner or type when all share one."""
    url = reverse("agreements:agreement_list")
    if not result.agreement_ids or len(result.agreement_ids) > FILTERED_LINK_LIMIT:
        return url
    parties = AgreementParty.objects.filter(agreement_id__in=result.agreement_ids, order=1)
    partners = set(parties.values_list("institution__uuid", flat=True))
    if len(partners) == 1:
        return f"{url}?{urlencode({'partner': str(partners.pop())})}"
    imported = Agreement.objects.filter(pk__in=result.agreement_ids)
    types = set(imported.values_list("agreement_type_id", "agreement_type__is_active"))
    if len(types) == 1:
        type_id, is_active = types.pop()
        if is_active:  # the list's filter offers active types only
            return f"{url}?{urlencode({'agreement_type': type_id})}"
    return url
