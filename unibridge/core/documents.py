"""Documents made from DOCX templates (docxtpl) and converted to PDF (LibreOffice).

:func:`render_docx` fills a template with a context and returns the DOCX bytes;
:func:`convert_to_pdf` turns DOCX bytes into PDF bytes with ``soffice --headless``;
:func:`validate_template` renders an uploaded template against a sample context so that an
administrator hears about a broken template when uploading it, not when someone generates.
Every failure is a :class:`DocumentError` whose message names the problem for the user.

Templates are Jinja inside Word (docxtpl); they run in Jinja's sandbox with autoescaping
(names with ``&`` or ``<`` stay valid XML) and strict undefined variables, so that a typo
such as ``{{ agreement.titel }}`` fails validation instead of printing nothing.
"""

import contextlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import jinja2
from django.utils.translation import gettext_lazy as _
from docx.opc.exceptions import PackageNotFoundError
from docxtpl import DocxTemplate
from jinja2.sandbox import SandboxedEnvironment

PDF_TIMEOUT_SECONDS = 60

# The sample context each kind of template is checked against (a function returning a dict),
# from unibridge/site.py. A kind without one is checked for syntax only, any variable allowed.
_sample_contexts: dict[str, Callable[[], dict]] = {}


def register_sample_context(kind: str, factory: Callable[[], dict]) -> None:
    _sample_contexts[kind] = factory


class DocumentError(Exception):
    """A document could not be made; the message says why, in the reader's language."""

    def __init__(self, message: Any):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class TemplateProblem(DocumentError):
    """The template is not a DOCX file or its Jinja code is broken."""


class ConversionError(DocumentError):
    """LibreOffice is missing or could not convert the document."""


def jinja_environment(*, strict: bool = True) -> jinja2.Environment:
    """The sandboxed environment templates are rendered in."""
    undefined = jinja2.StrictUndefined if strict else jinja2.ChainableUndefined
    return SandboxedEnvironment(undefined=undefined, autoescape=True)


def _template_problem(error: Exception) -> TemplateProblem:
    near = " ".join(" ".join(getattr(error, "docx_context", []) or []).split())[:120]
    if isinstance(error, jinja2.TemplateSyntaxError):
        message = _("The template has a syntax error: %(error)s") % {"error": error.message}
    elif isinstance(error, jinja2.UndefinedError):
        message = _("The template uses something the document does not provide: %(error)s") % {
            "error": error.message
        }
    elif isinstance(error, jinja2.TemplateError):
        message = _("The template could not be filled in: %(error)s") % {"error": error}
    else:
        message = _("The template could not be filled in: %(error)s") % {
            "error": f"{type(error).__name__}: {error}"
        }
    if near:
        message = _("%(message)s (near “%(near)s”)") % {"message": message, "near": near}
    return TemplateProblem(message)


def render_docx(template: bytes | IO[bytes] | Path, context: dict, *, strict: bool = True) -> bytes:
    """Fill a DOCX template with ``context``; raises :class:`TemplateProblem` if it is broken."""
    if isinstance(template, bytes):
        template = io.BytesIO(template)
    try:
        document = DocxTemplate(template)
        document.render(context, jinja_environment(strict=strict), autoescape=True)
        output = io.BytesIO()
        document.save(output)
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError) as error:
        raise TemplateProblem(_("The template is not a DOCX (Word) document.")) from error
    except ValueError as error:
        if "not a Word file" in str(error):
            raise TemplateProblem(_("The template is not a DOCX (Word) document.")) from error
        raise _template_problem(error) from error
    # Template code is written by people: whatever it raises must reach them as a message.
    except Exception as error:
        raise _template_problem(error) from error
    return output.getvalue()


def sample_context(kind: str) -> dict | None:
    """The sample context templates of ``kind`` are checked against, if one is registered."""
    factory = _sample_contexts.get(kind)
    return factory() if factory else None


def validate_template(template: bytes | IO[bytes], kind: str) -> None:
    """Render an uploaded template once against the sample context of its kind.

    Raises :class:`TemplateProblem` naming what is wrong (not a DOCX, a Jinja syntax error,
    an unknown filter, a variable the documents of this kind do not have).
    """
    if not isinstance(template, bytes):
        template.seek(0)
        template = template.read()
    context = sample_context(kind)
    render_docx(template, context or {}, strict=context is not None)


# --- PDF ---------------------------------------------------------------------------------------


def soffice_path() -> str | None:
    """LibreOffice's ``soffice`` (the SOFFICE environment variable, else the PATH), or None."""
    configured = os.environ.get("SOFFICE", "")
    if configured:
        return configured if os.path.exists(configured) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(docx: bytes, *, timeout: float = PDF_TIMEOUT_SECONDS) -> bytes:
    """Convert DOCX bytes to PDF bytes with LibreOffice, headless.

    Each call runs its own soffice with a private profile directory, so conversions running
    at the same time never share (and lock) one profile; a conversion that takes longer than
    ``timeout`` seconds is killed. Raises :class:`ConversionError` with a message to show.
    """
    soffice = soffice_path()
    if soffice is None:
        raise ConversionError(
            _("PDF conversion needs LibreOffice (soffice), which is not installed on the server.")
        )
    with tempfile.TemporaryDirectory(prefix="unibridge-pdf-") as workdir:
        work = Path(workdir)
        source = work / "document.docx"
        source.write_bytes(docx)
        profile = (work / "profile").as_uri()
        command = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        environment = {**os.environ, "HOME": workdir}
        try:
            process = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=environment,
                start_new_session=True,  # its own process group: a timeout kills every child
            )
        except OSError as error:
            raise ConversionError(
                _("LibreOffice could not be started: %(error)s") % {"error": error}
            ) from error
        try:
            _out, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise ConversionError(
                _("LibreOffice took longer than %(seconds)s seconds to make the PDF.")
                % {"seconds": int(timeout)}
            ) from error
        target = work / "out" / "document.pdf"
        if process.returncode != 0 or not target.exists():
            detail = errors.decode(errors="replace").strip().splitlines()
            raise ConversionError(
                _("LibreOffice could not make the PDF (exit status %(status)s). %(detail)s")
                % {"status": process.returncode, "detail": detail[-1] if detail else ""}
            )
        return target.read_bytes()
