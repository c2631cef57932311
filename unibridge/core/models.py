"""Abstract bases every domain model shares."""

import uuid
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .links import record_url
from .types import User


class TimeStampedModel(models.Model):
    """Adds created/updated timestamps."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class PublicModel(TimeStampedModel):
    """A record addressed by a public UUID in URLs and the API; integer keys stay internal."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def in_reader_language(record: models.Model, field: str) -> str:
    """``field_<language>`` for the reader's language, else ``field_en``, else ``field``."""
    language = (get_language() or "en")[:2]
    return (
        getattr(record, f"{field}_{language}", "")
        or getattr(record, f"{field}_en", "")
        or getattr(record, field)
    )


def in_reader_language_of(row: Mapping[str, Any], field: str) -> str:
    """:func:`in_reader_language` over a ``values()`` row (keys ``field``, ``field_en``…)."""
    language = (get_language() or "en")[:2]
    return row.get(f"{field}_{language}") or row.get(f"{field}_en") or row[field]


class MultilingualNameMixin(models.Model):
    """Official name plus names in the four interface languages; shows the reader's one."""

    name = models.CharField(
        _("official name"), max_length=300, help_text=_("In the institution's own language.")
    )
    name_en = models.CharField(_("name in English"), max_length=300, blank=True)
    name_ru = models.CharField(_("name in Russian"), max_length=300, blank=True)
    name_kk = models.CharField(_("name in Kazakh"), max_length=300, blank=True)
    name_pl = models.CharField(_("name in Polish"), max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return in_reader_language(self, "name")

    def all_names(self) -> list[str]:
        names = [self.name, self.name_en, self.name_ru, self.name_kk, self.name_pl]
        return [n for n in dict.fromkeys(names) if n]


class TranslatableModel(models.Model):
    """A record whose ``translatable_fields`` can be kept in several languages.

    ``translations`` = ``{field: {language: text}}``; the fields keep the original text. Read
    and written through :mod:`unibridge.core.translations`.
    """

    translatable_fields: tuple[str, ...] = ()

    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        help_text=_("Texts of the record in other languages: {field: {language: text}}."),
    )

    class Meta:
        abstract = True


# --- Search index (see unibridge.core.search) ---------------------------------------------------


class SearchEntry(models.Model):
    """One searchable record of a registered model, with what ranking needs to order it.

    Titles, subtitles and links are not shown from here: the search re-reads the records the
    user may see and renders them in the reader's language. Equal scores are ordered by
    (size, kind, sort_key, object_id): integers and [a-z0-9] strings, which every database
    sorts alike, and the record's own id, which does not depend on the order of indexing.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType",
        verbose_name=_("record type"),
        on_delete=models.CASCADE,
        db_index=False,  # the unique (content_type, object_id) index serves
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    # The folded title without spaces: only [a-z0-9], which sorts alike under every collation.
    sort_key = models.CharField(_("sort key"), max_length=64)
    size = models.PositiveSmallIntegerField(
        _("words in the title"), help_text=_("Shorter titles are closer to an exact match.")
    )

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"],
                name="searchentry_unique_object",
                violation_error_message=_("This record is already in the search index."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class SearchWord(models.Model):
    """A distinct folded word of the index, with the keys that find it despite typos."""

    word = models.CharField(_("word"), max_length=64, unique=True)
    skeleton = models.CharField(_("consonant skeleton"), max_length=64, db_index=True)
    length = models.PositiveSmallIntegerField(_("length"))
    # Kept up to date by adding and subtracting; only a hint for planning the search query,
    # so a plain integer (a drift below zero must never make a save fail).
    entries = models.IntegerField(
        _("entries"), default=0, help_text=_("How many entries hold the word (a planning hint).")
    )

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        indexes = [models.Index(fields=["length", "word"], name="searchword_length_word")]

    def __str__(self) -> str:
        return self.word


class SearchPosting(models.Model):
    """'This entry holds this word', with the weight of the field it came from.

    The entry's tie-break keys (size, kind, sort key, object id) are copied here so that the
    search reads the best entries for a word straight from one index, in order, and never
    needs the entries table.
    """

    entry = models.ForeignKey(
        SearchEntry,
        verbose_name=_("entry"),
        on_delete=models.CASCADE,
        related_name="postings",
        db_index=False,  # searchposting_entry_word serves
    )
    word = models.ForeignKey(
        SearchWord,
        verbose_name=_("word"),
        on_delete=models.CASCADE,
        related_name="postings",
        db_index=False,  # searchposting_word_order serves
    )
    weight = models.PositiveSmallIntegerField(_("weight"))
    kind = models.CharField(_("kind"), max_length=40)
    size = models.PositiveSmallIntegerField(_("words in the title"))
    sort_key = models.CharField(_("sort key"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("record id"))

    class Meta:
        verbose_name = _("search posting")
        verbose_name_plural = _("search postings")
        indexes = [
            # A word's entries, best field first, then in tie-break order: the search reads the
            # first few of a common word without touching the rest.
            models.Index(
                fields=["word", "-weight", "size", "kind", "sort_key", "object_id", "entry"],
                name="searchposting_word_order",
            ),
            # An entry's words: scores the few entries a rare query word picked; deletes.
            models.Index(fields=["entry", "word", "weight"], name="searchposting_entry_word"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} ∋ {self.word_id} ×{self.weight}"


# --- Background jobs (see unibridge.core.jobs) ----------------------------------------------------


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> "JobQuerySet":
        """People see their own jobs; the international office sees everybody's."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_office else self.filter(user=user)


class Job(PublicModel):
    """Work the task worker does for a user (a large import; later documents, notifications).

    The page that queued it shows its progress and, when it ends, its outcome.
    """

    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    message = models.TextField(_("outcome"), blank=True)
    result_url = models.CharField(_("result"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    # The dotted path of the Huey task that does the work, so that the sweep can queue it again.
    task = models.CharField(_("task"), max_length=200, blank=True)
    # While running: which process has it (host:pid:boot) and until when, unless it renews the
    # lease; a job whose lease ran out lost its worker (see core.jobs.sweep).
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    lease_expires = models.DateTimeField(_("lease expires"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    result = models.JSONField(_("result data"), default=dict, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["status", "lease_expires"], name="core_job_status_lease_idx")
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return record_url("core:job_detail", self.uuid)

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)


# --- Documents (see unibridge.core.uploads and unibridge.core.documents) ------------------------


class DocumentSource(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    GENERATED = "generated", _("Generated")


class StoredDocument(PublicModel):
    """A file kept outside the web root, checked on upload, served by a permission-checked view.

    Domain apps subclass it with the record the file belongs to (an agreement, a visit).
    """

    title = models.CharField(_("title"), max_length=300, blank=True)
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    source = models.CharField(
        _("source"), max_length=10, choices=DocumentSource.choices, default=DocumentSource.UPLOADED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title or self.original_name


class TemplateKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement document")
    VISA_INVITATION = "visa_invitation", _("Visa invitation letter")
    VISIT_PROGRAMME = "visit_programme", _("Visit programme")
    ATTENDANCE_CERTIFICATE = "attendance_certificate", _("Certificate of attendance")
    NEWS_DRAFT = "news_draft", _("News draft")


class DocumentTemplate(PublicModel):
    """An editable DOCX template an administrator uploads in place of the built-in one."""

    kind = models.CharField(_("used for"), max_length=40, choices=TemplateKind.choices)
    name = models.CharField(_("name"), max_length=200)
    file = models.FileField(_("DOCX template"), upload_to="templates/", max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


# --- Notifications and reminders (see unibridge.core.notifications) ------------------------------


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user: User) -> "NotificationQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def unread(self) -> "NotificationQuerySet":
        return self.filter(read_at__isnull=True)


class Notification(TimeStampedModel):
    """One reminder for one person: shown in the app and sent once in an e-mail digest.

    ``key`` names the reminder (record, reason, threshold); it is unique per recipient, so a
    job that runs again finds the reminder already made and sends nothing new.
    """

    recipient_email = models.EmailField(_("recipient e-mail"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    key = models.CharField(_("reminder key"), max_length=200)
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_email", "key"], name="notification_unique_key"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title


# --- Saved filters (see unibridge.core.crud) -----------------------------------------------------


class SavedFilter(TimeStampedModel):
    """A user's named set of list filters, such as 'KA171 expiring this year'."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="saved_filters",
    )
    list_name = models.CharField(_("list"), max_length=100, help_text=_("The list's URL name."))
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("filters"), max_length=2000)

    class Meta:
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"],
                name="savedfilter_unique_name",
                violation_error_message=_("You already have a saved filter with this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- List column choices (see unibridge.core.tables) ---------------------------------------------


class ListColumns(TimeStampedModel):
    """The columns a user chose to see on one list page (the others are hidden for them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="list_columns",
    )
    list_name = models.CharField(_("list"), max_length=100, help_text=_("The list's URL name."))
    columns = models.JSONField(_("columns shown"), default=list)

    class Meta:
        verbose_name = _("list columns")
        verbose_name_plural = _("list columns")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name"],
                name="listcolumns_unique_list",
                violation_error_message=_("You already chose the columns of this list."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.list_name}"
