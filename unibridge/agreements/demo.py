"""Demo agreements: the memorandum signed with AGH during the delegation's visit, and the
Erasmus+ KA171 inter-institutional agreement under it with student and staff mobility in
both directions.

Created through the services (approval route, signatures, activation) so the history and
the partner timeline show the whole story; found again by title, so a second run adds
nothing.
"""

import datetime
import importlib
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from unibridge.core.services import acting_as, save_record
from unibridge.institutions.demo_data import MEMORANDUM_SIGNED_ON

from . import approvals, documents, lifecycle_services, services
from .models import Agreement, AgreementType, CooperationCondition, LanguageRequirement, SubjectArea

MEMORANDUM_TITLE = "Memorandum of cooperation between Karaganda Industrial University and AGH"
KA171_TITLE = "Erasmus+ KA171 inter-institutional agreement, Karaganda Industrial University – AGH"
# The texts the memorandum prints in Russian, Kazakh and Polish too (core.translations).
VICE_RECTOR_POSITION = {
    "ru": "Проректор по международному сотрудничеству",
    "kk": "Халықаралық ынтымақтастық жөніндегі проректор",
    "pl": "Prorektor ds. współpracy międzynarodowej",
}
TEMIRTAU = {"ru": "Темиртау", "kk": "Теміртау", "pl": "Temyrtau"}


def load(*, actor, home, institutions, units, people, **_earlier) -> dict[str, Any]:
    _ensure_default_types()
    agh = institutions["agh"]
    memorandum = Agreement.objects.filter(title=MEMORANDUM_TITLE).first()
    if memorandum is None:
        memorandum = _signed(
            actor,
            agreement_type=AgreementType.objects.get(code="mou"),
            title=MEMORANDUM_TITLE,
            title_ru="Меморандум о сотрудничестве между Карагандинским индустриальным "
            "университетом и AGH",
            title_pl="Memorandum o współpracy między Karagandyjskim Uniwersytetem "
            "Przemysłowym a AGH",
            translations={
                "title": {
                    "kk": "Қарағанды индустриялық университеті мен AGH арасындағы "
                    "ынтымақтастық туралы меморандум"
                }
            },
            summary="Joint research in mineral processing, technological machines and "
            "environmental protection; exchange of students and teachers; internships; joint "
            "educational programmes and international projects. Signed at the round table "
            "during the AGH delegation's visit. (Demo data.)",
            cooperation_areas=[
                "joint_research",
                "student_exchange",
                "staff_exchange",
                "internships",
                "educational_programmes",
                "international_projects",
            ],
            effective_date=MEMORANDUM_SIGNED_ON,
            expiry_date=MEMORANDUM_SIGNED_ON.replace(year=MEMORANDUM_SIGNED_ON.year + 5),
            renewal_years=5,
            notice_days=180,
            parties=[
                (
                    home,
                    [units["metallurgy"], units["energy"]],
                    people["vice_rector"],
                    "Vice-Rector for International Affairs",
                    VICE_RECTOR_POSITION,
                ),
                (
                    agh,
                    [units["agh_mineral_processing"], units["agh_mechanical"]],
                    people["agh_leczycki"],
                    "Head of the AGH delegation",
                    {
                        "ru": "Руководитель делегации AGH",
                        "kk": "AGH делегациясының басшысы",
                        "pl": "Przewodniczący delegacji AGH",
                    },
                ),
            ],
            responsible_people=[people["head_of_office"], people["vice_rector"]],
            signed_on=MEMORANDUM_SIGNED_ON,
            place="Temirtau",
            approved_on=MEMORANDUM_SIGNED_ON - datetime.timedelta(days=9),
            sent_on=MEMORANDUM_SIGNED_ON - datetime.timedelta(days=1),
            place_translations=TEMIRTAU,
        )
    ka171 = Agreement.objects.filter(title=KA171_TITLE).first()
    if ka171 is None:
        start = datetime.date(2025, 6, 1)
        ka171 = _signed(
            actor,
            agreement_type=AgreementType.objects.get(code="erasmus-ka171"),
            title=KA171_TITLE,
            parent=memorandum,
            cooperation_areas=["student_exchange", "staff_exchange"],
            effective_date=start,
            expiry_date=datetime.date(2029, 9, 30),
            parties=[
                (
                    home,
                    [units["metallurgy"]],
                    people["vice_rector"],
                    "Vice-Rector for International Affairs",
                    VICE_RECTOR_POSITION,
                ),
                (
                    agh,
                    [units["agh_mineral_processing"]],
                    people["agh_leczycki"],
                    "Erasmus+ institutional coordinator",
                ),
            ],
            responsible_people=[people["head_of_office"]],
            signed_on=start,
            place="Kraków",
            approved_on=start - datetime.timedelta(days=12),
            sent_on=start - datetime.timedelta(days=6),
            conditions=lambda agreement: _conditions(agreement, actor, home, agh, units),
        )
    if not memorandum.documents.exists():
        # the DOCX only: a PDF needs LibreOffice, which a demo machine may lack (the page's
        # "Generate" button makes both)
        documents.document_generate(agreement=memorandum, user=actor, pdf=False)
    latest = memorandum.documents.order_by("-version").first()
    if latest is not None and not memorandum.documents.filter(is_signed_original=True).exists():
        # The demo has no scan: the generated bilingual text stands for the copy both parties
        # signed at the round table.
        documents.document_mark_signed_original(document=latest, user=actor)
    return {"agreements": {"memorandum": memorandum, "ka171": ka171}}


def _ensure_default_types() -> None:
    """The types migration 0002 creates, their steps assigned to duties as migration 0007
    assigns them; a test database flushed after a live-server test has lost them, and an
    administrator may have deleted one."""
    duties_migration = importlib.import_module("unibridge.accounts.migrations.0004_duties")
    duties_migration.create_duties(django_apps, None)
    migration = importlib.import_module("unibridge.agreements.migrations.0002_default_types")
    assignments = importlib.import_module(
        "unibridge.agreements.migrations.0007_approval_assignments"
    )
    duties = django_apps.get_model("accounts", "Duty")
    migration.create_types(
        django_apps, None, duty_for=lambda name: assignments.duty_for(duties, name)
    )


def _signed(
    actor,
    *,
    parties,
    signed_on,
    place,
    approved_on=None,
    sent_on=None,
    place_translations=None,
    conditions=None,
    **fields,
) -> Agreement:
    """Create, approve through the type's route (each step by the person holding its duty),
    sign by every party: the agreement's story.

    The services date the approvals today; the story's own days (``approved_on``,
    ``sent_on``: by default the day it was signed) are then recorded, as an office entering
    an agreement after the fact corrects them, so the partner timeline tells the story in
    its order.
    """
    agreement = services.agreement_create(user=actor, parties=parties, **fields)
    if conditions:
        conditions(agreement)
    lifecycle_services.agreement_submit(agreement=agreement, user=actor)
    units = approvals.home_units(agreement)
    for step in agreement.approvals.select_related("duty", "approver").order_by("order"):
        found = approvals.assignment(step, units)
        approver = found.person or found.holders[0]
        lifecycle_services.approval_decide(
            step=step, user=approver, approve=True, comment="Agreed."
        )
    for step in agreement.approvals.order_by("order") if approved_on else ():
        step.decided_at = _noon(approved_on)
        save_record(instance=step, user=actor)
    lifecycle_services.agreement_start_signing(
        agreement=agreement, user=actor, sent_on=sent_on or signed_on
    )
    for party in agreement.parties.select_related("signatory"):
        lifecycle_services.signature_record(
            party=party,
            user=actor,
            signed_on=signed_on,
            place=place,
            signatory_name=party.signatory.name_latin if party.signatory else "",
            signatory_position=party.signatory_position,
            translations={"place": place_translations} if place_translations else None,
        )
    lifecycle_services.activate_due(today=max(signed_on, timezone.localdate()))
    agreement.refresh_from_db()
    return agreement


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# Student and staff mobility in both directions, as a KA171 agreement lists them.
CONDITIONS = [
    # (mobility type, from, to, mobilities/year, months, days, EQF levels, ISCED codes, language)
    ("student-studies", "home", "agh", 2, 10, None, ["6", "7"], ["0724", "0715"], ("en", "B2")),
    ("student-studies", "agh", "home", 2, 10, None, ["6", "7"], ["0724"], ("ru", "B1")),
    ("staff-teacher", "home", "agh", 2, None, 10, [], ["0724", "0521"], ("en", "B2")),
    ("staff-teacher", "agh", "home", 2, None, 10, [], ["0715"], ("en", "B2")),
    ("staff-training", "home", "agh", 1, None, 7, [], ["0724"], None),
]  # fmt: skip


def _conditions(agreement: Agreement, actor, home, agh, units) -> None:
    sides = {"home": (home, units["metallurgy"]), "agh": (agh, units["agh_mineral_processing"])}
    for order, (kind, source, target, per_year, months, days, eqf, codes, language) in enumerate(
        CONDITIONS
    ):
        sending, sending_unit = sides[source]
        receiving, receiving_unit = sides[target]
        condition = CooperationCondition(
            agreement=agreement,
            order=order,
            mobility_type=kind,
            sending_institution=sending,
            sending_unit=sending_unit,
            receiving_institution=receiving,
            receiving_unit=receiving_unit,
            mobilities_per_year=per_year,
            total_months_per_year=months,
            total_days_per_year=days,
            eqf_levels=eqf,
            first_academic_year="2025/2026",
            last_academic_year="2028/2029",
        )
        with acting_as(actor):
            save_record(instance=condition, user=actor)
            for position, code in enumerate(codes):
                SubjectArea.objects.create(condition=condition, order=position, isced_code=code)
            if language:
                LanguageRequirement.objects.create(
                    condition=condition, language=language[0], cefr_level=language[1]
                )
