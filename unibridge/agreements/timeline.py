"""The partner's agreements on the partner timeline: drafting, signatures and status changes.

Four queries whatever the number of agreements: the agreements the user may see, their
signatures, their approvals' decision times, and their audit entries (creation, status changes
and termination notices).

Each step is put on its day in the world where the agreement says it — a signature on the
day it was signed, entry into force on the effective date, the signing on the day it was
sent, an approval when it was decided — and otherwise on its recording; an agreement's steps
are then kept in their order (see ``core.timeline.no_later_than_next``).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from unibridge.core.history import day
from unibridge.core.timeline import TimelineEntry, as_datetime, no_later_than_next
from unibridge.institutions.models import Partnership, Person

from .choices import AgreementStatus
from .models import Agreement, AgreementParty, ApprovalStep, Signature

STATUS_TITLES = {
    AgreementStatus.DRAFT: lambda: _("%(reference)s returned to draft"),
    AgreementStatus.IN_REVIEW: lambda: _("%(reference)s sent for approval"),
    AgreementStatus.APPROVED: lambda: _("%(reference)s approved"),
    AgreementStatus.SIGNING: lambda: _("%(reference)s sent for signature"),
    AgreementStatus.ACTIVE: lambda: _("%(reference)s came into force"),
    AgreementStatus.EXPIRED: lambda: _("%(reference)s expired"),
    AgreementStatus.TERMINATED: lambda: _("%(reference)s terminated"),
    AgreementStatus.SUPERSEDED: lambda: _("%(reference)s superseded by its renewal"),
}


KEY = "agreement"


def agreement_entries(partnership: Partnership, user) -> Iterable[TimelineEntry]:
    agreements = {
        agreement.pk: agreement
        for agreement in Agreement.objects.visible_to(user).filter(
            pk__in=AgreementParty.objects.filter(institution_id=partnership.partner_id).values(
                "agreement_id"
            )
        )
    }
    if not agreements:
        return
    urls = {pk: _url(agreement) for pk, agreement in agreements.items()}
    # each agreement's steps in the order they were recorded: (recorded, entry)
    steps: dict[int, list[tuple[datetime.datetime, TimelineEntry]]] = defaultdict(list)
    decided = _approval_days(list(agreements))

    history = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Agreement),
            object_id__in=list(agreements),
        )
        .filter(
            Q(action=LogEntry.Action.CREATE)
            | Q(changes__has_key="status")
            | Q(changes__has_key="terminated_on")
        )
        .select_related("actor")
        .order_by("timestamp", "pk")
    )
    drafted_by: dict[int, str] = {}
    for entry in history:
        agreement = agreements[entry.object_id]
        actor = str(entry.actor or "")
        if entry.action == LogEntry.Action.CREATE:
            drafted_by[agreement.pk] = actor
            continue
        changes = entry.changes_dict
        params = {"reference": agreement.reference}
        if "status" in changes:
            status = changes["status"][1]
            title = STATUS_TITLES[status]() if status in STATUS_TITLES else ""
            detail = agreement.termination_reason if status == AgreementStatus.TERMINATED else ""
            world = _status_day(agreement, status, entry.timestamp, decided)
        elif changes["terminated_on"][1] not in (None, "None"):
            title = _("%(reference)s: termination announced, effective %(date)s")
            params["date"] = _day_text(changes["terminated_on"][1])
            detail = agreement.termination_reason
            world = agreement.termination_requested_on
        else:
            continue
        if title:
            steps[agreement.pk].append(
                (
                    entry.timestamp,
                    _entry(
                        world,
                        entry.timestamp,
                        title=title % params,
                        url=urls[agreement.pk],
                        detail=detail,
                        actor=actor,
                    ),
                )
            )

    for agreement in agreements.values():
        steps[agreement.pk].append(
            (
                agreement.created,
                _entry(
                    None,
                    agreement.created,
                    title=_("%(reference)s drafted") % {"reference": agreement.reference},
                    url=urls[agreement.pk],
                    detail=agreement.display_title,
                    actor=drafted_by.get(agreement.pk, ""),
                ),
            )
        )

    # the recorded name of a signatory the user may not see is not shown
    signatory_visible = Person.objects.visible_to(user).filter(pk=OuterRef("party__signatory_id"))
    signatures = (
        Signature.objects.filter(party__agreement_id__in=list(agreements))
        .select_related("party__institution", "recorded_by")
        .annotate(signatory_visible=Exists(signatory_visible))
    )
    for signature in signatures:
        agreement = agreements[signature.party.agreement_id]
        hidden = signature.party.signatory_id is not None and not signature.signatory_visible
        name = "" if hidden else signature.signatory_name
        steps[agreement.pk].append(
            (
                signature.created,
                _entry(
                    signature.signed_on,
                    signature.created,
                    title=_("%(reference)s signed by %(institution)s")
                    % {
                        "reference": agreement.reference,
                        "institution": signature.party.institution,
                    },
                    url=urls[agreement.pk],
                    detail=", ".join(
                        part
                        for part in (name, signature.signatory_position, signature.place)
                        if part
                    ),
                    actor=str(signature.recorded_by or ""),
                ),
            )
        )
    for agreement_steps in steps.values():
        agreement_steps.sort(key=lambda step: step[0])
        yield from no_later_than_next([entry for _recorded, entry in agreement_steps])


def _entry(
    world: datetime.date | datetime.datetime | None, recorded: datetime.datetime, **values: str
) -> TimelineEntry:
    """An entry on its day in the world, or on its recording when it has none."""
    return TimelineEntry(
        when=as_datetime(world) if world is not None else recorded,
        recorded=recorded,
        kind=_("Agreement"),
        key=KEY,
        **values,
    )


def _approval_days(agreement_ids: list[int]) -> dict[int, list[datetime.datetime]]:
    """When each agreement's approvals were decided, in order (one query)."""
    days: dict[int, list[datetime.datetime]] = defaultdict(list)
    rows = (
        ApprovalStep.objects.filter(agreement_id__in=agreement_ids, decided_at__isnull=False)
        .order_by("decided_at")
        .values_list("agreement_id", "decided_at")
    )
    for agreement_id, decided_at in rows:
        if decided_at is not None:  # filtered above; the column may be empty
            days[agreement_id].append(decided_at)
    return days


def _status_day(
    agreement: Agreement,
    status: str,
    recorded: datetime.datetime,
    decided: dict[int, list[datetime.datetime]],
) -> datetime.date | datetime.datetime | None:
    """The day in the world a status was reached, when the agreement says it.

    Only a day not after the recording counts: a status is recorded when reached or later.
    """
    recorded_day = timezone.localtime(recorded).date()
    world: datetime.date | datetime.datetime | None = None
    if status == AgreementStatus.APPROVED:
        earlier = [moment for moment in decided.get(agreement.pk, []) if moment <= recorded]
        world = earlier[-1] if earlier else None
    elif status == AgreementStatus.SIGNING:
        world = agreement.signing_started_on
    elif status == AgreementStatus.ACTIVE:
        world = agreement.effective_date
    elif status == AgreementStatus.TERMINATED:
        world = agreement.terminated_on
    elif status == AgreementStatus.EXPIRED and not agreement.renewal_years:
        world = agreement.expiry_date
    if isinstance(world, datetime.datetime):
        return world if world <= recorded else None
    return world if world is not None and world <= recorded_day else None


def _day_text(raw: str) -> str:
    try:
        return day(datetime.date.fromisoformat(raw))
    except ValueError:
        return raw


def _url(agreement: Agreement) -> str:
    # The agreement pages come later; until their URL exists the entries link nowhere.
    try:
        return agreement.get_absolute_url()
    except NoReverseMatch:
        return ""
