"""Background tasks of the agreements app (run by the Huey worker, `manage.py run_huey`)."""

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
# Above this many imported agreements the link opens the whole list (no id lists in URLs).
FILTERED_LINK_LIMIT = 500


@db_periodic_task(crontab(hour="1", minute="5"), retries=2, retry_delay=300)
def agreements_daily() -> dict[str, int]:
    """Every night: activate fully signed agreements, expire, terminate and supersede."""
    return activate_due()


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
            default_type = None
            if params.get("default_type"):
                default_type = AgreementType.objects.filter(pk=params["default_type"]).first()
            plan = importing.plan_import(
                path,
                file_format=params["format"],
                mapping=params["mapping"],
                default_type=default_type,
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
        return f"{url}?{urlencode({'partner': partners.pop()})}"
    imported = Agreement.objects.filter(pk__in=result.agreement_ids)
    types = set(imported.values_list("agreement_type_id", "agreement_type__is_active"))
    if len(types) == 1:
        type_id, is_active = types.pop()
        if is_active:  # the list's filter offers active types only
            return f"{url}?{urlencode({'agreement_type': type_id})}"
    return url
