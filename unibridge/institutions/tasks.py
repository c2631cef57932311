"""Background tasks of the institutions app (run by the Huey worker, `manage.py run_huey`)."""

from pathlib import Path

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from huey.contrib.djhuey import db_task

from unibridge.core import jobs

from . import importing

RETRIES = 2


@db_task(retries=RETRIES, retry_delay=10, context=True)
def import_institutions(job_id: int, task=None) -> None:
    """Import a checked upload; a file that changed meaning since the preview is refused."""
    job = jobs.running(job_id)
    params = job.params
    path = Path(params["path"])
    with translation.override(params.get("language") or None):
        try:
            plan = importing.plan_import(
                path.read_bytes(), file_format=params["format"], mapping=params["mapping"]
            )
            if [len(plan.to_create), len(plan.to_update), plan.unchanged] != params["counts"]:
                raise importing.ImportRejected(
                    _("Institutions were changed since you checked the file; upload it again.")
                )
            result = importing.apply(plan, job.user)
        except (importing.ImportFileError, importing.ImportRejected, OSError) as exc:
            path.unlink(missing_ok=True)
            jobs.fail(job, str(exc))
            return
        except Exception:
            # Unexpected (a locked database, a lost connection): Huey tries again; the last
            # attempt records the failure so the page does not wait for ever.
            if task is None or task.retries == 0:
                path.unlink(missing_ok=True)
                jobs.fail(job, _("The import failed; nothing was written. Try again later."))
            raise
        path.unlink(missing_ok=True)
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
