"""Documents of a visit: generated visa invitation letters, programme and certificates of
attendance (DOCX and PDF), and uploaded files and photos.

The generated documents speak English and the host country's language side by side
(Russian for Kazakhstan, Russia, Belarus and Kyrgyzstan, with Kazakh too when the host has a
Kazakh name; Polish for Poland), on behalf of the host institution. Each is filled from a
DOCX template: the built-in ones in ``data/templates/`` (made by
``data/templates/build_visit_templates.py``), or an administrator's uploaded template of the
same kind (:class:`unibridge.core.models.DocumentTemplate`), which replaces the built-in one
while it is in use. What a template sees is shown by the ``sample_*_context`` functions.

The files themselves are checked, stored and served by :mod:`unibridge.core.uploads`;
templates are rendered and converted to PDF by :mod:`unibridge.core.documents`.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from unibridge.agreements.document_wording import (
    LANGUAGE_NAMES,
    document_languages,
    format_date,
)
from unibridge.core import cldr
from unibridge.core import documents as core_documents
from unibridge.core.models import DocumentTemplate, TemplateKind
from unibridge.core.names import has_non_latin
from unibridge.core.translations import Fallbacks
from unibridge.institutions.models import Institution, Person

from .choices import DelegationRole, ParticipantSide, ProgrammeItemKind
from .models import ProgrammeItem, Visit, VisitDocumentKind, VisitParticipant

TEMPLATES_DIR = Path(__file__).parent / "data" / "templates"

# The kind of administrator's template each generated document uses, and its built-in file.
TEMPLATES: dict[str, tuple[str, Path]] = {
    VisitDocumentKind.VISA_INVITATION: (
        TemplateKind.VISA_INVITATION,
        TEMPLATES_DIR / "visa_invitation.docx",
    ),
    VisitDocumentKind.PROGRAMME: (TemplateKind.VISIT_PROGRAMME, TEMPLATES_DIR / "programme.docx"),
    VisitDocumentKind.ATTENDANCE_CERTIFICATE: (
        TemplateKind.ATTENDANCE_CERTIFICATE,
        TEMPLATES_DIR / "attendance_certificate.docx",
    ),
}

GENERATED_KINDS = tuple(TEMPLATES)

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "ru": ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"],
    "kk": ["дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма", "сенбі", "жексенбі"],
    "pl": ["poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela"],
}

# The wording of the documents in each language. Document text, not interface text: the
# Russian column is Russian whatever language the person generating it reads. Sentences
# name institutions only in the nominative, so no name ever needs declining.
PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "invitation": "LETTER OF INVITATION",
        "addressee": "To whom it may concern",
        "invites": "{host} invites the person named below to an official visit in the period "
        "from {start} to {end}.",
        "visa_request": "We kindly ask you to issue the visa required for this visit.",
        "full_name": "Full name (as in the passport)",
        "name": "Full name",
        "nationality": "Nationality",
        "passport": "Passport number",
        "birth_date": "Date of birth",
        "position": "Position",
        "institution": "Institution",
        "delegation": "Delegation",
        "purpose": "Purpose of the visit",
        "dates": "Dates of the visit",
        "place": "Place of the visit",
        "role": "Role in the delegation",
        "contact": "Contact at the host institution",
        "host": "Host institution",
        "date_of_issue": "Date of issue",
        "signature": "Signature",
        "seal": "Seal",
        "programme": "PROGRAMME OF THE VISIT",
        "times_in": "Times are given in the time zone {zone}.",
        "time": "Time",
        "event": "Event",
        "responsible": "Responsible",
        "online": "online",
        "no_items": "The programme has no items yet.",
        "certificate": "CERTIFICATE OF ATTENDANCE",
        "certifies": "{host} certifies that the person named below took part in the visit in "
        "the period from {start} to {end}.",
        "role_head": "Head of the delegation",
        "role_member": "Member of the delegation",
        "role_interpreter": "Interpreter",
        "kind_meeting": "Meeting",
        "kind_round_table": "Round table",
        "kind_lab_tour": "Laboratory tour",
        "kind_lecture": "Lecture",
        "kind_signing": "Signing ceremony",
        "kind_cultural": "Cultural programme",
        "kind_transfer": "Transfer",
    },
    "ru": {
        "invitation": "ПРИГЛАСИТЕЛЬНОЕ ПИСЬМО",
        "addressee": "По месту требования",
        "invites": "{host} приглашает нижеуказанное лицо с официальным визитом в период с "
        "{start} по {end}.",
        "visa_request": "Просим оказать содействие в оформлении визы для этого визита.",
        "full_name": "Фамилия и имя (как в паспорте)",
        "name": "Фамилия и имя",
        "nationality": "Гражданство",
        "passport": "Номер паспорта",
        "birth_date": "Дата рождения",
        "position": "Должность",
        "institution": "Организация",
        "delegation": "Делегация",
        "purpose": "Цель визита",
        "dates": "Сроки визита",
        "place": "Место визита",
        "role": "Роль в делегации",
        "contact": "Контактное лицо принимающей стороны",
        "host": "Принимающая сторона",
        "date_of_issue": "Дата выдачи",
        "signature": "Подпись",
        "seal": "М. П.",
        "programme": "ПРОГРАММА ВИЗИТА",
        "times_in": "Время указано по часовому поясу {zone}.",
        "time": "Время",
        "event": "Мероприятие",
        "responsible": "Ответственный",
        "online": "онлайн",
        "no_items": "В программе пока нет мероприятий.",
        "certificate": "СЕРТИФИКАТ ОБ УЧАСТИИ",
        "certifies": "{host} подтверждает, что нижеуказанное лицо приняло участие в визите в "
        "период с {start} по {end}.",
        "role_head": "Руководитель делегации",
        "role_member": "Член делегации",
        "role_interpreter": "Переводчик",
        "kind_meeting": "Встреча",
        "kind_round_table": "Круглый стол",
        "kind_lab_tour": "Посещение лабораторий",
        "kind_lecture": "Лекция",
        "kind_signing": "Церемония подписания",
        "kind_cultural": "Культурная программа",
        "kind_transfer": "Трансфер",
    },
    "kk": {
        "invitation": "ШАҚЫРУ ХАТЫ",
        "addressee": "Талап етілген жерге",
        "invites": "{host} төменде көрсетілген тұлғаны {start} – {end} аралығында ресми "
        "сапармен келуге шақырады.",
        "visa_request": "Осы сапарға қажетті визаны ресімдеуге жәрдем көрсетуіңізді сұраймыз.",
        "full_name": "Тегі мен аты (паспорт бойынша)",
        "name": "Тегі мен аты",
        "nationality": "Азаматтығы",
        "passport": "Паспорт нөмірі",
        "birth_date": "Туған күні",
        "position": "Лауазымы",
        "institution": "Ұйым",
        "delegation": "Делегация",
        "purpose": "Сапардың мақсаты",
        "dates": "Сапар мерзімі",
        "place": "Сапар орны",
        "role": "Делегациядағы рөлі",
        "contact": "Қабылдаушы тараптың байланыс тұлғасы",
        "host": "Қабылдаушы тарап",
        "date_of_issue": "Берілген күні",
        "signature": "Қолы",
        "seal": "М. О.",
        "programme": "САПАР БАҒДАРЛАМАСЫ",
        "times_in": "Уақыт {zone} уақыт белдеуі бойынша көрсетілген.",
        "time": "Уақыты",
        "event": "Іс-шара",
        "responsible": "Жауапты",
        "online": "онлайн",
        "no_items": "Бағдарламада әзірге іс-шаралар жоқ.",
        "certificate": "ҚАТЫСУ ТУРАЛЫ СЕРТИФИКАТ",
        "certifies": "{host} төменде көрсетілген тұлғаның {start} – {end} аралығында сапарға "
        "қатысқанын растайды.",
        "role_head": "Делегация басшысы",
        "role_member": "Делегация мүшесі",
        "role_interpreter": "Аудармашы",
        "kind_meeting": "Кездесу",
        "kind_round_table": "Дөңгелек үстел",
        "kind_lab_tour": "Зертханаларды аралау",
        "kind_lecture": "Дәріс",
        "kind_signing": "Қол қою рәсімі",
        "kind_cultural": "Мәдени бағдарлама",
        "kind_transfer": "Трансфер",
    },
    "pl": {
        "invitation": "LIST ZAPRASZAJĄCY",
        "addressee": "Do wszystkich zainteresowanych",
        "invites": "{host} zaprasza niżej wymienioną osobę z oficjalną wizytą w dniach "
        "{start} – {end}.",
        "visa_request": "Uprzejmie prosimy o wydanie wizy niezbędnej do odbycia tej wizyty.",
        "full_name": "Imię i nazwisko (jak w paszporcie)",
        "name": "Imię i nazwisko",
        "nationality": "Obywatelstwo",
        "passport": "Numer paszportu",
        "birth_date": "Data urodzenia",
        "position": "Stanowisko",
        "institution": "Instytucja",
        "delegation": "Delegacja",
        "purpose": "Cel wizyty",
        "dates": "Termin wizyty",
        "place": "Miejsce wizyty",
        "role": "Funkcja w delegacji",
        "contact": "Osoba kontaktowa instytucji przyjmującej",
        "host": "Instytucja przyjmująca",
        "date_of_issue": "Data wystawienia",
        "signature": "Podpis",
        "seal": "Pieczęć",
        "programme": "PROGRAM WIZYTY",
        "times_in": "Godziny podano w strefie czasowej {zone}.",
        "time": "Godzina",
        "event": "Wydarzenie",
        "responsible": "Osoba odpowiedzialna",
        "online": "online",
        "no_items": "Program nie zawiera jeszcze żadnych punktów.",
        "certificate": "ZAŚWIADCZENIE O UCZESTNICTWIE",
        "certifies": "{host} zaświadcza, że niżej wymieniona osoba uczestniczyła w wizycie w "
        "dniach {start} – {end}.",
        "role_head": "Kierownik delegacji",
        "role_member": "Członek delegacji",
        "role_interpreter": "Tłumacz",
        "kind_meeting": "Spotkanie",
        "kind_round_table": "Okrągły stół",
        "kind_lab_tour": "Zwiedzanie laboratoriów",
        "kind_lecture": "Wykład",
        "kind_signing": "Uroczystość podpisania",
        "kind_cultural": "Program kulturalny",
        "kind_transfer": "Transfer",
    },
}


# --- Wording helpers -------------------------------------------------------------------------


def local_name(record: Any, language: str) -> str:
    """A multilingual record's name in ``language``, else its official name (for English and
    Polish, an official name in another script gives way to the English one)."""
    if record is None:
        return ""
    name = getattr(record, f"name_{language}", "")
    if not name and language in ("en", "pl") and has_non_latin(record.name):
        name = getattr(record, "name_en", "")
    return name or record.name


def person_name(person: Person | None, language: str) -> str:
    """A person's name in the script of the language: native for Russian and Kazakh."""
    if person is None:
        return ""
    if language in ("ru", "kk"):
        return person.name_native or person.name_latin
    return person.name_latin or person.name_native


def country_name(code: str, language: str) -> str:
    """A country's name in the document's language (CLDR's, Kazakh included)."""
    return cldr.country_name(code, language)


def host_languages(visit: Visit) -> list[str]:
    """English, then the host country's language(s)."""
    host = visit.host_institution
    return document_languages([host], with_kazakh=bool(host.name_kk))


def _place(institution: Institution, language: str) -> str:
    country = country_name(str(institution.country or ""), language)
    return ", ".join(part for part in (institution.city, country) if part)


def _dates(visit: Visit, language: str) -> dict[str, str]:
    return {
        "start": format_date(visit.start_date, language),
        "end": format_date(visit.end_date, language),
    }


def _role(participant: VisitParticipant, language: str) -> str:
    keys: dict[str, str] = {
        DelegationRole.HEAD: "role_head",
        DelegationRole.INTERPRETER: "role_interpreter",
    }
    key = keys.get(participant.role, "role_member")
    return PHRASES[language][key]


def _person_context(
    person: Person | None, language: str, fallbacks: Fallbacks | None = None
) -> dict[str, str]:
    if person is None:
        return {
            "name": "",
            "name_latin": "",
            "position": "",
            "institution": "",
            "email": "",
            "phone": "",
        }
    texts = fallbacks or Fallbacks(mark=False)
    name = person_name(person, language)
    position = ", ".join(
        texts.text(person, field, language, f"{label} ({name})")
        for field, label in (("title", _("Title")), ("position", _("Position")))
        if getattr(person, field)
    )
    return {
        "name": person_name(person, language),
        "name_latin": person.name_latin,
        "position": position,
        "institution": local_name(person.institution, language),
        "email": person.email,
        "phone": person.phone,
    }


# --- What the documents show --------------------------------------------------------------------


@dataclass
class VisitData:
    """A visit's facts the documents show, read from the database once."""

    visit: Visit
    responsible: list[Person] = field(default_factory=list)
    signatory: Person | None = None
    # texts printed in another language than their document's. Not marked in the file: the
    # letters and certificates are issued as generated; the page lists them for the author.
    fallbacks: Fallbacks = field(default_factory=lambda: Fallbacks(mark=False))


def public(person: Person | None) -> Person | None:
    """The person, unless confidential.

    Generated files are stored with the visit and downloaded by everyone who sees it, so they
    name no confidential person, except the member a letter or certificate is issued for
    (the documents tab lists those only to users who may see that member).
    """
    return None if person is None or person.is_confidential else person


def collect(visit: Visit, signatory: Person | None = None) -> VisitData:
    """Read what every document of a visit needs (its institutions are already joined)."""
    responsible = list(
        visit.responsible_people.filter(is_confidential=False).select_related("institution")
    )
    return VisitData(
        visit=visit, responsible=responsible, signatory=signatory or default_signatory(responsible)
    )


def default_signatory(responsible: list[Person]) -> Person | None:
    """The first responsible person signs when no one else is chosen."""
    return responsible[0] if responsible else None


def _common(data: VisitData, language: str) -> dict[str, Any]:
    """The facts every document shows, in one language."""
    visit = data.visit
    phrases = PHRASES[language]
    host = local_name(visit.host_institution, language)
    dates = _dates(visit, language)
    return {
        "code": language,
        "language": LANGUAGE_NAMES[language],
        "t": phrases,
        "host": host,
        "host_place": _place(visit.host_institution, language),
        "visiting": local_name(visit.visiting_institution, language),
        "visiting_place": _place(visit.visiting_institution, language),
        "start": dates["start"],
        "end": dates["end"],
        "dates": f"{dates['start']} – {dates['end']}",
        "purpose": data.fallbacks.text(visit, "purpose", language, _("Purpose of the visit")),
        "contacts": [
            _person_context(person, language, data.fallbacks) for person in data.responsible
        ],
        "signatory": _person_context(data.signatory, language, data.fallbacks),
        "date_of_issue": format_date(timezone.localdate(), language),
    }


def _visit_facts(visit: Visit) -> dict[str, Any]:
    return {
        "title": visit.title,
        "start_date": visit.start_date,
        "end_date": visit.end_date,
        "purpose": visit.purpose,
        "goals": [line.strip() for line in visit.goals.splitlines() if line.strip()],
        "time_zone": visit.time_zone,
        "direction": visit.direction,
    }


def _wrap(visit: Visit, versions: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "visit": _visit_facts(visit),
        "languages": [version["code"] for version in versions],
        "versions": versions,
        "en": versions[0],
        "others": versions[1:],
        "generated_on": timezone.localdate().isoformat(),
        **extra,
    }


def _member_facts(participant: VisitParticipant) -> dict[str, Any]:
    person = participant.person
    return {
        "name_latin": person.name_latin,
        "name_native": person.name_native,
        "nationality": participant.nationality,
        "passport_number": participant.passport_number,
        "date_of_birth": participant.date_of_birth,
        "role": participant.role,
    }


def _member_version(
    data: VisitData, participant: VisitParticipant, language: str, *, sentence: str
) -> dict[str, Any]:
    version = _common(data, language)
    phrases = version["t"]
    person = participant.person
    member = _person_context(person, language, data.fallbacks)
    member.update(
        {
            "nationality": country_name(participant.nationality, language),
            "passport_number": participant.passport_number,
            "birth_date": format_date(participant.date_of_birth, language),
            "role": _role(participant, language),
        }
    )
    version["member"] = member
    version["sentence"] = phrases[sentence].format(
        host=version["host"], start=version["start"], end=version["end"]
    )
    return version


def _field(label: str, value: str) -> dict[str, str]:
    return {"label": label, "value": value}


def visa_invitation_context(
    participant: VisitParticipant, data: VisitData | None = None
) -> dict[str, Any]:
    """The template context of one member's visa invitation letter."""
    data = data or collect(participant.visit)
    versions = []
    for language in host_languages(data.visit):
        version = _member_version(data, participant, language, sentence="invites")
        t, member = version["t"], version["member"]
        # The name as in the passport, in every language: that is what the consulate checks.
        version["fields"] = [
            _field(t["full_name"], participant.person.name_latin),
            _field(t["nationality"], member["nationality"]),
            _field(t["passport"], member["passport_number"]),
            *([_field(t["birth_date"], member["birth_date"])] if member["birth_date"] else []),
            *([_field(t["position"], member["position"])] if member["position"] else []),
            *([_field(t["institution"], member["institution"])] if member["institution"] else []),
            _field(t["delegation"], version["visiting"]),
            *([_field(t["purpose"], version["purpose"])] if version["purpose"] else []),
            _field(t["dates"], version["dates"]),
            _field(t["place"], ", ".join(filter(None, [version["host"], version["host_place"]]))),
        ]
        versions.append(version)
    return _wrap(data.visit, versions, member=_member_facts(participant))


def attendance_certificate_context(
    participant: VisitParticipant, data: VisitData | None = None
) -> dict[str, Any]:
    """The template context of one member's certificate of attendance."""
    data = data or collect(participant.visit)
    versions = []
    for language in host_languages(data.visit):
        version = _member_version(data, participant, language, sentence="certifies")
        t, member = version["t"], version["member"]
        version["fields"] = [
            _field(t["name"], member["name"]),
            *([_field(t["position"], member["position"])] if member["position"] else []),
            *([_field(t["institution"], member["institution"])] if member["institution"] else []),
            _field(t["role"], member["role"]),
            _field(t["delegation"], version["visiting"]),
            *([_field(t["purpose"], version["purpose"])] if version["purpose"] else []),
            _field(t["dates"], version["dates"]),
        ]
        versions.append(version)
    return _wrap(data.visit, versions, member=_member_facts(participant))


def _offset(moment: datetime.datetime) -> str:
    offset = moment.utcoffset() or datetime.timedelta()
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_label(visit: Visit, items: Iterable[ProgrammeItem]) -> str:
    """The host's zone with its UTC offset(s) during the programme, such as
    ``Europe/Warsaw (UTC+01:00 / UTC+02:00)`` across a daylight-saving change."""
    tz = visit.tz
    moments = [item.starts_at.astimezone(tz) for item in items] or [
        datetime.datetime.combine(visit.start_date, datetime.time(12), tzinfo=tz)
    ]
    offsets = list(dict.fromkeys(_offset(moment) for moment in moments))
    return f"{visit.time_zone} ({' / '.join(offsets)})"


def _item_version(
    item: ProgrammeItem, tz, language: str, fallbacks: Fallbacks | None = None
) -> dict[str, Any]:
    phrases = PHRASES[language]
    texts = fallbacks or Fallbacks(mark=False)
    title = texts.text(
        item, "title", language, _("Programme item “%(title)s”") % {"title": item.title}
    )
    starts, ends = item.starts_at.astimezone(tz), item.ends_at.astimezone(tz)
    time = f"{starts:%H:%M}–{ends:%H:%M}"
    if ends.date() != starts.date():  # an overnight transfer: say on which day it ends
        time = f"{starts:%H:%M}–{format_date(ends.date(), language)} {ends:%H:%M}"
    place = texts.text(item, "place", language, _("Place of “%(title)s”") % {"title": item.title})
    if item.online_link:
        online = f"{phrases['online']}: {item.online_link}"
        place = f"{place}; {online}" if place else online
    return {
        "time": time,
        "starts": f"{starts:%H:%M}",
        "ends": f"{ends:%H:%M}",
        "kind": phrases.get(f"kind_{item.kind}", item.kind),
        "title": title,
        "description": texts.text(
            item, "description", language, _("Description of “%(title)s”") % {"title": item.title}
        ),
        "place": place,
        "responsible": person_name(public(item.responsible), language),
    }


def _day_label(day: datetime.date, language: str) -> str:
    weekday = WEEKDAYS[language][day.weekday()]
    if language == "en":
        return f"{weekday}, {format_date(day, language)}"
    return f"{format_date(day, language)}, {weekday}"


def programme_context(visit: Visit, data: VisitData | None = None) -> dict[str, Any]:
    """The template context of a visit's programme: its items by day in the host's zone."""
    data = data or collect(visit)
    items = list(
        ProgrammeItem.objects.filter(visit=visit)
        .select_related("responsible")
        .order_by("starts_at", "pk")
    )
    return programme_context_from(data, items)


def programme_context_from(data: VisitData, items: list[ProgrammeItem]) -> dict[str, Any]:
    visit, tz = data.visit, data.visit.tz
    zone = zone_label(visit, items)
    languages = host_languages(visit)
    by_day: dict[datetime.date, list[ProgrammeItem]] = {}
    for item in items:
        by_day.setdefault(item.starts_at.astimezone(tz).date(), []).append(item)
    versions = []
    for language in languages:
        version = _common(data, language)
        version["times_in"] = version["t"]["times_in"].format(zone=zone)
        version["days"] = [
            {
                "date": _day_label(day, language),
                "t": version["t"],
                "events": [_item_version(item, tz, language, data.fallbacks) for item in day_items],
            }
            for day, day_items in sorted(by_day.items())
        ]
        versions.append(version)
    days = [
        {
            "date": day.isoformat(),
            "en": versions[0]["days"][index],
            "others": [version["days"][index] for version in versions[1:]],
        }
        for index, day in enumerate(sorted(by_day))
    ]
    return _wrap(visit, versions, zone=zone, days=days)


# --- Sample contexts (what an administrator's template is checked against) ---------------------


def _sample_data() -> tuple[VisitData, VisitParticipant]:
    host = Institution(
        name="Карагандинский индустриальный университет",
        name_en="Karaganda Industrial University",
        name_kk="Қарағанды индустриялық университеті",
        country="KZ",
        city="Temirtau",
        is_home=True,
    )
    guest = Institution(
        name="Akademia Górniczo-Hutnicza",
        name_en="AGH University of Krakow",
        country="PL",
        city="Kraków",
    )
    visit = Visit(
        title="AGH delegation",
        visiting_institution=guest,
        host_institution=host,
        start_date=datetime.date(2026, 5, 12),
        end_date=datetime.date(2026, 5, 14),
        time_zone="Asia/Almaty",
        purpose="Round table on joint research",
        goals="Joint research\nStudent exchange",
    )
    contact = Person(
        name_native="Айгерим Сапарова",
        name_latin="Aigerim Saparova",
        position="Head of the International Office",
        email="io@example.kz",
        phone="+7 7213 000000",
        institution=host,
    )
    member = Person(
        name_native="Jan Kowalski",
        name_latin="Jan Kowalski",
        title="Prof.",
        position="Dean",
        institution=guest,
    )
    participant = VisitParticipant(
        visit=visit,
        person=member,
        side=ParticipantSide.DELEGATION,
        role=DelegationRole.HEAD,
        needs_visa_invitation=True,
        nationality="PL",
        passport_number="EA1234567",
        date_of_birth=datetime.date(1970, 3, 1),
    )
    return VisitData(visit=visit, responsible=[contact], signatory=contact), participant


def sample_visa_invitation_context() -> dict[str, Any]:
    """A context of the same shape as a real visa invitation letter's."""
    data, participant = _sample_data()
    return visa_invitation_context(participant, data)


def sample_attendance_certificate_context() -> dict[str, Any]:
    """A context of the same shape as a real certificate of attendance's."""
    data, participant = _sample_data()
    return attendance_certificate_context(participant, data)


def sample_programme_context() -> dict[str, Any]:
    """A context of the same shape as a real visit programme's."""
    data, _member = _sample_data()
    tz = data.visit.tz
    item = ProgrammeItem(
        visit=data.visit,
        kind=ProgrammeItemKind.ROUND_TABLE,
        title="Round table",
        starts_at=datetime.datetime(2026, 5, 12, 10, tzinfo=tz),
        ends_at=datetime.datetime(2026, 5, 12, 12, tzinfo=tz),
        place="Main building, room 201",
        online_link="https://meet.example.org/round-table",
        responsible=data.responsible[0],
    )
    return programme_context_from(data, [item])


# --- Rendering -----------------------------------------------------------------------------------


def template_for(kind: str) -> tuple[bytes, str]:
    """The DOCX template of a generated document kind (the newest uploaded one in use, else
    the built-in one) and its name for messages."""
    template_kind, built_in = TEMPLATES[kind]
    template = (
        DocumentTemplate.objects.filter(kind=template_kind, is_active=True)
        .order_by("-updated", "-pk")
        .first()
    )
    if template is not None:
        try:
            with template.file.open("rb") as handle:
                return handle.read(), template.name
        except (FileNotFoundError, ValueError) as error:
            raise core_documents.TemplateProblem(
                _("The file of the document template “%(name)s” is missing; upload it again.")
                % {"name": template.name}
            ) from error
    return built_in.read_bytes(), _("the built-in template")


def _render(template: tuple[bytes, str], context: dict[str, Any]) -> bytes:
    content, name = template
    try:
        return core_documents.render_docx(content, context)
    except core_documents.TemplateProblem as error:
        raise core_documents.TemplateProblem(
            _("The document template “%(name)s” is broken. %(problem)s")
            % {"name": name, "problem": error}
        ) from error


def visa_data_problem(participant: VisitParticipant) -> str:
    """Why a member's visa invitation letter cannot be written (empty when it can)."""
    missing = []
    if not participant.nationality:
        missing.append(_("nationality"))
    if not participant.passport_number:
        missing.append(_("passport number"))
    if not missing:
        return ""
    return _(
        "No visa invitation letter for %(name)s: the %(missing)s is missing; add it on the "
        "Participants tab."
    ) % {"name": participant.person.name_latin, "missing": _(" and ").join(missing)}


def render_visa_invitation_docx(
    participant: VisitParticipant, *, data: VisitData | None = None, template=None
) -> bytes:
    """A member's visa invitation letter as DOCX bytes.

    Raises :class:`ValidationError` naming the missing nationality or passport number, and
    :class:`unibridge.core.documents.TemplateProblem` when the template is broken.
    """
    problem = visa_data_problem(participant)
    if problem:
        raise ValidationError(problem, code="missing_data")
    template = template or template_for(VisitDocumentKind.VISA_INVITATION)
    return _render(template, visa_invitation_context(participant, data))


def render_attendance_certificate_docx(
    participant: VisitParticipant, *, data: VisitData | None = None, template=None
) -> bytes:
    """A member's certificate of attendance as DOCX bytes."""
    template = template or template_for(VisitDocumentKind.ATTENDANCE_CERTIFICATE)
    return _render(template, attendance_certificate_context(participant, data))


def render_programme_docx(visit: Visit, *, data: VisitData | None = None) -> bytes:
    """A visit's programme as DOCX bytes."""
    return _render(template_for(VisitDocumentKind.PROGRAMME), programme_context(visit, data))
