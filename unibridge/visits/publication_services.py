"""The news draft's last steps: approval by the international office and its publications.

Each language's draft goes::

    draft → approved → published
    approved → draft (approval withdrawn, or the text changed)

The office approves (it speaks for the university in public; a unit coordinator writes and
edits the draft of their visit but does not approve it). Those who may change the visit
record where an approved draft appeared — one publication per place, in the draft's language
— and the first publication makes the draft published; removing the last one makes it
approved again. The text of an approved draft that changes needs approving again; a
published one keeps the text that was published. A step the status does not allow raises
:class:`NewsTransitionError` and writes nothing.
"""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unibridge.core.services import (
    REQUIRED,
    delete_record,
    normalized_url,
    save_record,
    write_record,
)
from unibridge.core.zones import home_today

from .choices import NewsStatus, PublicationChannel
from .models import NewsDraft, NewsPublication, Visit

Status = NewsStatus
Errors = dict[str, list[Any]]

# action: (the statuses it is allowed from, its name in messages)
STEPS: dict[str, tuple[frozenset[str], Any]] = {
    "approve": (frozenset({Status.DRAFT}), _("Approving the news")),
    "withdraw": (frozenset({Status.APPROVED}), _("Withdrawing the approval")),
    "publish": (frozenset({Status.APPROVED, Status.PUBLISHED}), _("Recording a publication")),
    "change": (frozenset({Status.DRAFT, Status.APPROVED}), _("Changing the text")),
}


class NewsTransitionError(ValidationError):
    """The draft's status does not allow the step."""

    def __init__(self, *, status: str, action: str):
        self.status = status
        self.action = action
        super().__init__(
            _("%(action)s is not possible while the news is “%(status)s”."),
            code="invalid_transition",
            params={"action": STEPS[action][1], "status": Status(status).label},
        )


def can_approve(user) -> bool:
    """The international office (and administrators) approve news for publication."""
    return user.is_authenticated and user.is_office


def can_publish(draft: NewsDraft, user) -> bool:
    """Those who may change the visit record its publications."""
    return Visit.objects.editable_by(user).filter(pk=draft.visit_id).exists()


def _check(draft: NewsDraft, action: str) -> None:
    if draft.status not in STEPS[action][0]:
        raise NewsTransitionError(status=draft.status, action=action)


def _lock(draft: NewsDraft) -> NewsDraft:
    return NewsDraft.objects.select_for_update().get(pk=draft.pk)


def _set_status(draft: NewsDraft, status: str, user) -> NewsDraft:
    draft.status = status
    if status == Status.DRAFT:
        draft.approved_by, draft.approved_at = None, None
    # a draft generated from a visit with nothing but its dates has no body: still valid
    return save_record(instance=draft, user=user, exclude_validation=("body",))


def before_text_change(draft: NewsDraft) -> None:
    """Called by the services that rewrite a draft's text (generate, edit), before they do.

    A published draft keeps the text that appeared (NewsTransitionError); an approved one
    goes back to draft, to be approved again with its new text.
    """
    if draft.pk is None:
        return
    _check(draft, "change")
    if draft.status == Status.APPROVED:
        draft.status = Status.DRAFT
        draft.approved_by, draft.approved_at = None, None


@transaction.atomic
def news_approve(*, draft: NewsDraft, user) -> NewsDraft:
    """Approve the draft's text for publication (the office only)."""
    if not can_approve(user):
        raise PermissionDenied(_("Only the international office approves news."))
    current = _lock(draft)
    _check(current, "approve")
    current.approved_by, current.approved_at = user, timezone.now()
    return _set_status(current, Status.APPROVED, user)


@transaction.atomic
def news_withdraw_approval(*, draft: NewsDraft, user) -> NewsDraft:
    """Take an approval back before anything was published (the office only)."""
    if not can_approve(user):
        raise PermissionDenied(_("Only the international office approves news."))
    current = _lock(draft)
    _check(current, "withdraw")
    return _set_status(current, Status.DRAFT, user)


def _publication_errors(values: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The publication's values, checked: a day not in the future, a channel, an address."""
    errors: Errors = {}
    clean: dict[str, Any] = {}
    published_on = values.get("published_on")
    if not published_on:
        errors["published_on"] = [REQUIRED]
    elif not isinstance(published_on, datetime.date):
        errors["published_on"] = [_("Enter a valid date.")]
    elif published_on > home_today():
        errors["published_on"] = [
            _("The news cannot have appeared after today; record it once it is out.")
        ]
    else:
        clean["published_on"] = published_on
    channel = values.get("channel") or ""
    if not channel:
        errors["channel"] = [REQUIRED]
    elif channel not in PublicationChannel.values:
        errors["channel"] = [
            ValidationError(
                _("“%(value)s” is not a channel; choose one of the list."),
                code="invalid_choice",
                params={"value": channel},
            )
        ]
    else:
        clean["channel"] = channel
    url = values.get("url") or ""
    if not url:
        errors["url"] = [REQUIRED]
    else:
        try:
            clean["url"] = normalized_url(url)
        except ValidationError as error:
            errors["url"] = error.messages
    return clean, errors


@transaction.atomic
def news_publish(*, draft: NewsDraft, user, values: Mapping[str, Any]) -> NewsPublication:
    """Record where and when the approved draft appeared; the draft is then published.

    ``values``: ``published_on`` (a date, not after today), ``channel``
    (:class:`~.choices.PublicationChannel`) and ``url`` (https:// assumed).
    """
    if not can_publish(draft, user):
        raise PermissionDenied(_("You may not change this visit."))
    current = _lock(draft)
    _check(current, "publish")
    clean, errors = _publication_errors(values)
    publication = NewsPublication(draft=current, **clean)
    write_record(instance=publication, user=user, errors=errors, exclude=tuple(errors))
    if current.status != Status.PUBLISHED:
        _set_status(current, Status.PUBLISHED, user)
    draft.status = current.status
    return publication


@transaction.atomic
def news_publication_delete(*, publication: NewsPublication, user) -> None:
    """Remove a publication recorded by mistake; without any left, the draft is approved."""
    draft = _lock(publication.draft)
    if not can_publish(draft, user):
        raise PermissionDenied(_("You may not change this visit."))
    delete_record(instance=publication, user=user)
    if not draft.publications.exists():
        _set_status(draft, Status.APPROVED, user)
