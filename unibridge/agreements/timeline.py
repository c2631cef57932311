"""The partner's agreements on the partner timeline: drafting, signatures and status changes.

Three queries whatever the number of agreements: the agreements the user may see, their
signatures, and their audit entries (creation, status changes and termination notices).
"""

from collections.abc import Iterable

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from unibridge.core.timeline import TimelineEntry, as_datetime
from unibridge.institutions.models import Partnership, Person

from .choices import AgreementStatus
from .models import Agreement, AgreementParty, Signature

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
    kind = _("Agreement")

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
        elif changes["terminated_on"][1] not in (None, "None"):
            title = _("%(reference)s: termination announced, effective %(date)s")
            params["date"] = changes["terminated_on"][1]
            detail = agreement.termination_reason
        else:
            continue
        if title:
            yield TimelineEntry(
                when=entry.timestamp,
                kind=kind,
                title=title % params,
                url=urls[agreement.pk],
                detail=detail,
                actor=actor,
            )

    for agreement in agreements.values():
        yield TimelineEntry(
            when=agreement.created,
            kind=kind,
            title=_("%(reference)s drafted") % {"reference": agreement.reference},
            url=urls[agreement.pk],
            detail=agreement.display_title,
            actor=drafted_by.get(agreement.pk, ""),
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
        yield TimelineEntry(
            when=as_datetime(signature.signed_on),
            kind=kind,
            title=_("%(reference)s signed by %(institution)s")
            % {"reference": agreement.reference, "institution": signature.party.institution},
            url=urls[agreement.pk],
            detail=", ".join(
                part
                for part in (
                    name,
                    signature.signatory_position,
                    signature.place,
                )
                if part
            ),
            actor=str(signature.recorded_by or ""),
        )


def _url(agreement: Agreement) -> str:
    # The agreement pages come later; until their URL exists the entries link nowhere.
    try:
        return agreement.get_absolute_url()
    except NoReverseMatch:
        return ""
