"""Demo visits: the AGH delegation's visit to Karaganda Industrial University — members,
programme with the round table, minutes, decisions, action items (done, open and one
overdue), the memorandum signed during the visit and the news draft — and an outgoing visit
to Freiberg that is still being planned.

Created through the services, so the history, checklist and partner timeline show the story;
found again by title, so a second run adds nothing.
"""

import datetime
import importlib
import zoneinfo
from typing import Any

from django.apps import apps as django_apps
from django.utils import timezone

from unibridge.institutions.demo_data import MEMORANDUM_SIGNED_ON
from unibridge.meetings import services as meetings
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.models import Meeting

from . import programme_services, services
from .choices import DelegationRole, Direction, ParticipantSide
from .models import Visit

AGH_VISIT_TITLE = "AGH University of Krakow delegation at Karaganda Industrial University"
FREIBERG_VISIT_TITLE = "Delegation of Karaganda Industrial University to TU Bergakademie Freiberg"
ROUND_TABLE_TITLE = (
    "Round table: joint research, exchange of students and teachers, engineering education"
)
ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")

# The texts the news drafts print, in Russian, Kazakh and Polish (core.translations), keyed by
# their English original.
TEXTS: dict[str, dict[str, str]] = {
    ROUND_TABLE_TITLE: {
        "ru": "Круглый стол: совместные исследования, обмен студентами и преподавателями, "
        "инженерное образование",
        "kk": "Дөңгелек үстел: бірлескен зерттеулер, студенттер мен оқытушылар алмасуы, "
        "инженерлік білім беру",
        "pl": "Okrągły stół: wspólne badania, wymiana studentów i nauczycieli, kształcenie "
        "inżynierów",
    },
    "Arrival and transfer from Karaganda airport": {
        "ru": "Прибытие и трансфер из аэропорта Караганды",
        "kk": "Қарағанды әуежайынан келу және трансфер",
        "pl": "Przylot i transfer z lotniska w Karagandzie",
    },
    "Meeting with the rector and the vice-rector": {
        "ru": "Встреча с ректором и проректором",
        "kk": "Ректормен және проректормен кездесу",
        "pl": "Spotkanie z rektorem i prorektorem",
    },
    "Laboratory of digital metallurgy": {
        "ru": "Лаборатория цифровой металлургии",
        "kk": "Цифрлық металлургия зертханасы",
        "pl": "Laboratorium metalurgii cyfrowej",
    },
    "Lecture: modern mineral processing technologies": {
        "ru": "Лекция: современные технологии обогащения полезных ископаемых",
        "kk": "Дәріс: пайдалы қазбаларды байытудың заманауи технологиялары",
        "pl": "Wykład: nowoczesne technologie przeróbki kopalin",
    },
    "Signing of the memorandum of cooperation": {
        "ru": "Подписание меморандума о сотрудничестве",
        "kk": "Ынтымақтастық туралы меморандумға қол қою",
        "pl": "Podpisanie memorandum o współpracy",
    },
    "Visit to the Karaganda Ecological Museum": {
        "ru": "Посещение Карагандинского экологического музея",
        "kk": "Қарағанды экологиялық мұражайына бару",
        "pl": "Wizyta w Muzeum Ekologicznym w Karagandzie",
    },
    # places
    "Karaganda airport (KGF)": {
        "ru": "Аэропорт Караганды (KGF)",
        "kk": "Қарағанды әуежайы (KGF)",
        "pl": "Lotnisko w Karagandzie (KGF)",
    },
    "Rector's office, main building": {
        "ru": "Кабинет ректора, главный корпус",
        "kk": "Ректор кабинеті, бас ғимарат",
        "pl": "Gabinet rektora, budynek główny",
    },
    "Laboratory building, room 105": {
        "ru": "Лабораторный корпус, ауд. 105",
        "kk": "Зертхана ғимараты, 105 аудитория",
        "pl": "Budynek laboratoryjny, sala 105",
    },
    "Conference hall, main building": {
        "ru": "Конференц-зал, главный корпус",
        "kk": "Конференц-зал, бас ғимарат",
        "pl": "Sala konferencyjna, budynek główny",
    },
    "Lecture hall 210": {"ru": "Аудитория 210", "kk": "210 аудитория", "pl": "Sala wykładowa 210"},
    "Karaganda": {"ru": "Караганда", "kk": "Қарағанды", "pl": "Karaganda"},
}
PURPOSE = {
    "ru": "Круглый стол с преподавателями, исследователями и руководством университета по "
    "совместным исследованиям, обмену студентами и преподавателями, стажировкам, "
    "образовательным программам и международным проектам, а также подписание меморандума о "
    "сотрудничестве (демонстрационные данные)",
    "kk": "Бірлескен зерттеулер, студенттер мен оқытушылар алмасуы, тағылымдамалар, білім "
    "беру бағдарламалары және халықаралық жобалар бойынша оқытушылармен, зерттеушілермен және "
    "университет басшылығымен дөңгелек үстел, сондай-ақ ынтымақтастық туралы меморандумға қол "
    "қою (демонстрациялық деректер)",
    "pl": "Okrągły stół z nauczycielami akademickimi, badaczami i władzami uczelni na temat "
    "wspólnych badań, wymiany studentów i nauczycieli, staży, programów kształcenia i projektów "
    "międzynarodowych oraz podpisanie memorandum o współpracy (dane demonstracyjne)",
}

# (person key, role, needs a visa invitation, nationality, passport number)
DELEGATION = [
    ("agh_leczycki", DelegationRole.HEAD, True, "PL", "EA1234567"),
    ("agh_wasowicz", DelegationRole.MEMBER, True, "PL", "EB2345678"),
    ("agh_slezak", DelegationRole.MEMBER, False, "PL", ""),
    ("agh_golebiowska", DelegationRole.MEMBER, False, "PL", ""),
]
HOSTS = [
    ("vice_rector", "Moderator of the round table"),
    ("dean_metallurgy", "Host, Faculty of Metallurgy and Mechanical Engineering"),
    ("head_machines", "Laboratory tour"),
    ("mineral_processing", "Speaker on mineral processing"),
    ("ecologist", "Speaker on environmental protection"),
    ("head_of_office", "Organiser"),
]
# (day offset from the first day, start, end, kind, title, place, responsible key)
PROGRAMME = [
    (0, "14:00", "15:00", "transfer", "Arrival and transfer from Karaganda airport",
     "Karaganda airport (KGF)", "head_of_office"),
    (1, "09:30", "10:30", "meeting", "Meeting with the rector and the vice-rector",
     "Rector's office, main building", "vice_rector"),
    (1, "11:00", "12:30", "lab_tour", "Laboratory of digital metallurgy",
     "Laboratory building, room 105", "head_machines"),
    (1, "14:00", "17:00", "round_table", ROUND_TABLE_TITLE, "Conference hall, main building",
     "vice_rector"),
    (2, "10:00", "11:30", "lecture", "Lecture: modern mineral processing technologies",
     "Lecture hall 210", "dean_metallurgy"),
    (2, "12:00", "12:45", "signing", "Signing of the memorandum of cooperation",
     "Conference hall, main building", "vice_rector"),
    (2, "15:00", "18:00", "cultural", "Visit to the Karaganda Ecological Museum",
     "Karaganda", "head_of_office"),
]  # fmt: skip
AGENDA = [
    "Joint research in mineral processing, technological machines and environmental protection",
    "Exchange of students and teachers; Erasmus+ KA171",
    "Internships for students at partner companies",
    "Joint educational programmes; engineers with digital and interdisciplinary skills",
    "International projects and the memorandum of cooperation",
]
AGENDA_TRANSLATIONS = {
    "ru": [
        "Совместные исследования в области обогащения полезных ископаемых, технологических "
        "машин и охраны окружающей среды",
        "Обмен студентами и преподавателями; Erasmus+ KA171",
        "Стажировки студентов на предприятиях-партнёрах",
        "Совместные образовательные программы; инженеры с цифровыми и междисциплинарными навыками",
        "Международные проекты и меморандум о сотрудничестве",
    ],
    "kk": [
        "Пайдалы қазбаларды байыту, технологиялық машиналар және қоршаған ортаны қорғау "
        "саласындағы бірлескен зерттеулер",
        "Студенттер мен оқытушылар алмасуы; Erasmus+ KA171",
        "Студенттердің серіктес кәсіпорындардағы тағылымдамасы",
        "Бірлескен білім беру бағдарламалары; цифрлық және пәнаралық дағдылары бар инженерлер",
        "Халықаралық жобалар және ынтымақтастық туралы меморандум",
    ],
    "pl": [
        "Wspólne badania w zakresie przeróbki kopalin, maszyn technologicznych i ochrony "
        "środowiska",
        "Wymiana studentów i nauczycieli; Erasmus+ KA171",
        "Staże studentów w firmach partnerskich",
        "Wspólne programy kształcenia; inżynierowie z kompetencjami cyfrowymi i "
        "interdyscyplinarnymi",
        "Projekty międzynarodowe i memorandum o współpracy",
    ],
}
MINUTES = (
    "<p>The vice-rector opened the round table and presented the university's research "
    "laboratories. Prof. Łęczycki presented AGH's work in mineral processing and the "
    "Erasmus+ programme.</p>"
    "<h3>Discussion</h3><ul>"
    "<li>Joint research on the processing of technogenic mineral raw materials.</li>"
    "<li>Exchange of two students and two teachers a year in each direction.</li>"
    "<li>A joint master's programme in mineral processing.</li></ul>"
    "<p>The parties agreed to sign the memorandum of cooperation on 17 April 2025.</p>"
)
DECISIONS = [
    "Sign the memorandum of cooperation between Karaganda Industrial University and AGH.",
    "Apply together for an Erasmus+ KA171 project for the exchange of students and staff.",
    "Prepare a joint master's programme in mineral processing.",
]
TEXTS.update(
    {
        DECISIONS[0]: {
            "ru": "Подписать меморандум о сотрудничестве между Карагандинским индустриальным "
            "университетом и AGH.",
            "kk": "Қарағанды индустриялық университеті мен AGH арасындағы ынтымақтастық туралы "
            "меморандумға қол қою.",
            "pl": "Podpisać memorandum o współpracy między Karagandyjskim Uniwersytetem "
            "Przemysłowym a AGH.",
        },
        DECISIONS[1]: {
            "ru": "Совместно подать заявку на проект Erasmus+ KA171 по обмену студентами и "
            "сотрудниками.",
            "kk": "Студенттер мен қызметкерлер алмасуы бойынша Erasmus+ KA171 жобасына бірлесіп "
            "өтінім беру.",
            "pl": "Złożyć wspólnie wniosek o projekt Erasmus+ KA171 na wymianę studentów i "
            "pracowników.",
        },
        DECISIONS[2]: {
            "ru": "Подготовить совместную магистерскую программу по обогащению полезных "
            "ископаемых.",
            "kk": "Пайдалы қазбаларды байыту бойынша бірлескен магистратура бағдарламасын "
            "дайындау.",
            "pl": "Przygotować wspólny program studiów magisterskich z przeróbki kopalin.",
        },
        "Prepare and submit the Erasmus+ KA171 application with AGH": {
            "ru": "Подготовить и подать заявку Erasmus+ KA171 вместе с AGH",
            "kk": "AGH-пен бірге Erasmus+ KA171 өтінімін дайындап, тапсыру",
            "pl": "Przygotować i złożyć wraz z AGH wniosek Erasmus+ KA171",
        },
        "Draft the curriculum of the joint master's programme in mineral processing": {
            "ru": "Разработать учебный план совместной магистерской программы по обогащению "
            "полезных ископаемых",
            "kk": "Пайдалы қазбаларды байыту бойынша бірлескен магистратура бағдарламасының оқу "
            "жоспарын әзірлеу",
            "pl": "Opracować plan studiów wspólnego programu magisterskiego z przeróbki kopalin",
        },
        "Send AGH the list of laboratory equipment for the joint research project": {
            "ru": "Направить в AGH перечень лабораторного оборудования для совместного "
            "исследовательского проекта",
            "kk": "Бірлескен зерттеу жобасы үшін зертханалық жабдықтар тізімін AGH-ке жіберу",
            "pl": "Przesłać AGH wykaz aparatury laboratoryjnej do wspólnego projektu badawczego",
        },
        # the home participants' functions
        "Moderator of the round table": {
            "ru": "Модератор круглого стола",
            "kk": "Дөңгелек үстелдің модераторы",
            "pl": "Moderator okrągłego stołu",
        },
        "Host, Faculty of Metallurgy and Mechanical Engineering": {
            "ru": "Принимающая сторона, факультет металлургии и машиностроения",
            "kk": "Қабылдаушы тарап, металлургия және машина жасау факультеті",
            "pl": "Gospodarz, Wydział Metalurgii i Budowy Maszyn",
        },
        "Laboratory tour": {
            "ru": "Экскурсия по лабораториям",
            "kk": "Зертханаларды аралау",
            "pl": "Zwiedzanie laboratoriów",
        },
        "Speaker on mineral processing": {
            "ru": "Докладчик по обогащению полезных ископаемых",
            "kk": "Пайдалы қазбаларды байыту бойынша баяндамашы",
            "pl": "Prelegent – przeróbka kopalin",
        },
        "Speaker on environmental protection": {
            "ru": "Докладчик по охране окружающей среды",
            "kk": "Қоршаған ортаны қорғау бойынша баяндамашы",
            "pl": "Prelegent – ochrona środowiska",
        },
        "Organiser": {"ru": "Организатор", "kk": "Ұйымдастырушы", "pl": "Organizator"},
    }
)


def _in_languages(name: str, text: str) -> dict[str, dict[str, str]]:
    """The translations of a record's field from :data:`TEXTS`, as the services take them."""
    return {name: TEXTS[text]} if text in TEXTS else {}


# (description, owner key, due date or days from today, day it was done or None)
ACTIONS = [
    ("Prepare and submit the Erasmus+ KA171 application with AGH", "head_of_office",
     datetime.date(2025, 5, 31), datetime.date(2025, 5, 27)),
    ("Draft the curriculum of the joint master's programme in mineral processing",
     "dean_metallurgy", 90, None),
    ("Send AGH the list of laboratory equipment for the joint research project",
     "mineral_processing", datetime.date(2025, 9, 1), None),
]  # fmt: skip


def load(*, actor, home, institutions, units, people, agreements, **_earlier) -> dict[str, Any]:
    _ensure_checklist_templates()
    agh_visit = Visit.objects.filter(title=AGH_VISIT_TITLE).first()
    if agh_visit is None:
        agh_visit = _agh_visit(actor, institutions["agh"], units, people, agreements)
    freiberg_visit = Visit.objects.filter(title=FREIBERG_VISIT_TITLE).first()
    if freiberg_visit is None:
        freiberg_visit = _freiberg_visit(actor, institutions["freiberg"], units, people)
    return {"visits": {"agh": agh_visit, "freiberg": freiberg_visit}}


def _ensure_checklist_templates() -> None:
    """The templates migration 0002 creates; a test database flushed after a live-server test
    has lost them."""
    migration = importlib.import_module("unibridge.visits.migrations.0002_default_checklist")
    migration.create_checklist(django_apps, None)


def _at(day: datetime.date, clock: str) -> datetime.datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ALMATY)


def _agh_visit(actor, agh, units, people, agreements) -> Visit:
    first_day = MEMORANDUM_SIGNED_ON - datetime.timedelta(days=2)
    visit = services.visit_plan(
        user=actor,
        values={
            "direction": Direction.INCOMING,
            "partner": agh,
            "title": AGH_VISIT_TITLE,
            "host_unit": units["metallurgy"],
            "start_date": first_day,
            "end_date": first_day + datetime.timedelta(days=3),
            "time_zone": "Asia/Almaty",
            "purpose": "A round table with faculty, researchers and the university leadership on "
            "joint research, exchange of students and teachers, internships, educational "
            "programmes and international projects, and the signing of a memorandum of "
            "cooperation (demo data)",
            "goals": "Agree on the directions of joint research\nSign the memorandum of "
            "cooperation\nPrepare an Erasmus+ KA171 application",
            "translations": {"purpose": PURPOSE},
            "home_units": [units["metallurgy"], units["energy"]],
            "responsible_people": [people["head_of_office"], people["vice_rector"]],
        },
    )
    for key, role, visa, nationality, passport in DELEGATION:
        services.participant_create(
            visit=visit,
            user=actor,
            side=ParticipantSide.DELEGATION,
            values={
                "person": people[key],
                "role": role,
                "needs_visa_invitation": visa,
                "nationality": nationality,
                "passport_number": passport,
            },
        )
    for key, function in HOSTS:
        services.participant_create(
            visit=visit,
            user=actor,
            side=ParticipantSide.HOME,
            values={
                "person": people[key],
                "function": function,
                "translations": _in_languages("function", function),
            },
        )
    delegation = [people[key] for key, *_rest in DELEGATION]
    for offset, start, end, kind, title, place, responsible in PROGRAMME:
        day = first_day + datetime.timedelta(days=offset)
        programme_services.programme_item_create(
            visit=visit,
            user=actor,
            values={
                "kind": kind,
                "title": title,
                "starts_at": _at(day, start),
                "ends_at": _at(day, end),
                "place": place,
                "responsible": people[responsible],
                "participants": delegation,
                "translations": {
                    **_in_languages("title", title),
                    **_in_languages("place", place),
                },
            },
        )
    _round_table(actor, visit, first_day + datetime.timedelta(days=1), people, agh, agreements)
    services.visit_link_agreement(visit=visit, user=actor, agreement=agreements["memorandum"])
    for item in visit.checklist.all():
        services.checklist_item_toggle(item=item, user=actor, done=True)
    for action in ("confirm", "start", "complete"):
        services.visit_transition(visit=visit, user=actor, action=action)
    for language in ("en", "ru", "kk", "pl"):
        services.news_generate(visit=visit, user=actor, language=language)
    return visit


def _round_table(actor, visit, day, people, agh, agreements) -> Meeting:
    participants = [people[key] for key, *_rest in DELEGATION] + [
        people[key] for key, _function in HOSTS
    ]
    meeting = meetings.meeting_create(
        user=actor,
        visit=visit,
        values={
            "kind": "round_table",
            "title": ROUND_TABLE_TITLE,
            "starts_at": _at(day, "14:00"),
            "ends_at": _at(day, "17:00"),
            "time_zone": "Asia/Almaty",
            "place": "Conference hall, main building",
            "agenda": "\n".join(AGENDA),
            "minutes": MINUTES,
            "participants": participants,
            "translations": {
                **_in_languages("title", ROUND_TABLE_TITLE),
                **_in_languages("place", "Conference hall, main building"),
                "agenda": {code: "\n".join(lines) for code, lines in AGENDA_TRANSLATIONS.items()},
            },
        },
    )
    for text in DECISIONS:
        meetings.decision_add(
            meeting=meeting, user=actor, text=text, translations=_in_languages("text", text)
        )
    today = timezone.localdate()
    for description, owner, due, done in ACTIONS:
        due_on = due if isinstance(due, datetime.date) else today + datetime.timedelta(days=due)
        item = meetings.action_item_create(
            meeting=meeting,
            user=actor,
            values={
                "description": description,
                "translations": _in_languages("description", description),
                "owner": people[owner],
                "due_on": due_on,
                "partnership": getattr(agh, "partnership", None),
                "agreement": agreements["ka171"] if "KA171" in description else None,
            },
        )
        if done:  # done on the story's day, not on the day the demo is loaded
            meetings.action_item_update(
                item=item,
                user=actor,
                values={"status": ActionItemStatus.DONE, "completed_on": done},
            )
    return meeting


def _freiberg_visit(actor, freiberg, units, people) -> Visit:
    first_day = timezone.localdate() + datetime.timedelta(days=75)
    visit = services.visit_plan(
        user=actor,
        values={
            "direction": Direction.OUTGOING,
            "partner": freiberg,
            "title": FREIBERG_VISIT_TITLE,
            "start_date": first_day,
            "end_date": first_day + datetime.timedelta(days=3),
            "time_zone": "Europe/Berlin",
            "purpose": "Talks on joint research in mining engineering and on a student exchange "
            "agreement (demo data)",
            "goals": "Visit the research mine\nAgree on a student exchange agreement",
            "home_units": [units["metallurgy"]],
            "responsible_people": [people["office_specialist"]],
        },
    )
    for key, role in [
        ("vice_rector", DelegationRole.HEAD),
        ("faculty_coordinator", DelegationRole.MEMBER),
    ]:
        services.participant_create(
            visit=visit,
            user=actor,
            side=ParticipantSide.DELEGATION,
            values={"person": people[key], "role": role},
        )
    return visit
