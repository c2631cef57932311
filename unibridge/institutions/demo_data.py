"""The records of the demo story (DESIGN.md): the universities, their units, the people and
the partnerships, as data; :mod:`.demo` loads them.

The universities are real, with their public names and websites; the people are fictional and
their notes say so. The home university's hei-id is a placeholder.
"""

import datetime
from typing import Any

from .choices import CooperationArea, PartnershipPriority, PartnershipStatus, UnitType

# The day the AGH delegation visited, held the round table and signed the memorandum; the
# agreements and visits demo data use the same date.
MEMORANDUM_SIGNED_ON = datetime.date(2025, 4, 17)

DEMO_PERSON_NOTE = "Demo data: fictional person."
DEMO_PARTNER_NOTE = (
    "Demo data: a real university with its public name and website; "
    "the contacts and the partnership recorded here are fictional."
)
DEMO_HOME_NOTE = (
    "Demo data: the names are the university's own; the hei-id 'kiu.kz' and everything else "
    "recorded here are placeholders for the demonstration. Replace them before real use."
)


# --- Institutions --------------------------------------------------------------------------------

HOME = {
    "hei_id": "kiu.kz",
    "name": "Карагандинский индустриальный университет",
    "name_en": "Karaganda Industrial University",
    "name_ru": "Карагандинский индустриальный университет",
    "name_kk": "Қарағанды индустриялық университеті",
    "name_pl": "Karagandyjski Uniwersytet Przemysłowy",
    "aliases": [
        "Karaganda State Industrial University",
        "Карагандинский государственный индустриальный университет",
        "Qarağandy industrialyq universiteti",
        "KSIU",
        # as the university's news calls it, in Kazakh and in Russian
        "ҚарИУ",
        "КарИУ",
    ],
    "acronym": "KarIU",
    "country": "KZ",
    "city": "Temirtau",
    "email_domains": ["kiu.kz"],
    "is_home": True,
    "notes": DEMO_HOME_NOTE,
}

PARTNERS = {
    "agh": {
        "hei_id": "agh.edu.pl",
        "erasmus_code": "PL KRAKOW02",
        "ror_id": "00bas1c41",
        "name": "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        "name_en": "AGH University of Krakow",
        "name_ru": "Горно-металлургическая академия имени Станислава Сташица в Кракове",
        "name_kk": "Станислав Сташиц атындағы Краков тау-кен металлургия академиясы",
        "name_pl": "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        "aliases": [
            # its full name until 2023, which older agreements and the news still use
            "Stanisław Staszic AGH University of Science and Technology",
            "AGH University of Science and Technology",
            "Akademia Górniczo-Hutnicza",
            "Краковская горно-металлургическая академия",
        ],
        "acronym": "AGH",
        "country": "PL",
        "city": "Kraków",
        "address": "al. Mickiewicza 30, 30-059 Kraków",
        "website": "https://www.agh.edu.pl",
        "email_domains": ["agh.edu.pl"],
    },
    "freiberg": {
        "hei_id": "tu-freiberg.de",
        "erasmus_code": "D  FREIBER01",
        "name": "Technische Universität Bergakademie Freiberg",
        "name_en": "Freiberg University of Mining and Technology",
        "name_ru": "Фрайбергская горная академия",
        "name_kk": "Фрайберг тау-кен академиясы",
        "name_pl": "Akademia Górnicza we Freibergu",
        "aliases": ["TU Bergakademie Freiberg", "TU Freiberg"],
        "acronym": "TUBAF",
        "country": "DE",
        "city": "Freiberg",
        "website": "https://tu-freiberg.de",
        "email_domains": ["tu-freiberg.de"],
    },
    "metu": {
        "hei_id": "metu.edu.tr",
        "erasmus_code": "TR ANKARA04",
        "name": "Orta Doğu Teknik Üniversitesi",
        "name_en": "Middle East Technical University",
        "name_ru": "Ближневосточный технический университет",
        "name_kk": "Таяу Шығыс техникалық университеті",
        "name_pl": "Bliskowschodni Uniwersytet Techniczny",
        "aliases": ["ODTÜ"],
        "acronym": "METU",
        "country": "TR",
        "city": "Ankara",
        "website": "https://www.metu.edu.tr",
        "email_domains": ["metu.edu.tr"],
    },
    "hit": {
        "hei_id": "hit.edu.cn",
        "name": "哈尔滨工业大学",
        "name_en": "Harbin Institute of Technology",
        "name_ru": "Харбинский политехнический университет",
        "name_kk": "Харбин технологиялық институты",
        "name_pl": "Harbiński Instytut Technologiczny",
        "acronym": "HIT",
        "country": "CN",
        "city": "Harbin",
        "website": "https://www.hit.edu.cn",
        "email_domains": ["hit.edu.cn"],
    },
    "tstu": {
        "hei_id": "tdtu.uz",
        "name": "Islom Karimov nomidagi Toshkent davlat texnika universiteti",
        "name_en": "Tashkent State Technical University",
        "name_ru": "Ташкентский государственный технический университет имени Ислама Каримова",
        "name_kk": "Ислам Каримов атындағы Ташкент мемлекеттік техникалық университеті",
        "name_pl": "Taszkencki Państwowy Uniwersytet Techniczny",
        "acronym": "TSTU",
        "country": "UZ",
        "city": "Tashkent",
        "website": "https://tdtu.uz",
        "email_domains": ["tdtu.uz"],
    },
    "kstu": {
        "hei_id": "kstu.kg",
        "name": "И. Раззаков атындагы Кыргыз мамлекеттик техникалык университети",
        "name_en": "Kyrgyz State Technical University named after I. Razzakov",
        "name_ru": "Кыргызский государственный технический университет им. И. Раззакова",
        "name_kk": "И. Раззақов атындағы Қырғыз мемлекеттік техникалық университеті",
        "name_pl": "Kirgiski Państwowy Uniwersytet Techniczny im. I. Razzakowa",
        "acronym": "KSTU",
        "country": "KG",
        "city": "Bishkek",
        "website": "https://kstu.kg",
        "email_domains": ["kstu.kg"],
    },
    "ktu": {
        "hei_id": "ktu.edu",
        "erasmus_code": "LT KAUNAS02",
        "name": "Kauno technologijos universitetas",
        "name_en": "Kaunas University of Technology",
        "name_ru": "Каунасский технологический университет",
        "name_kk": "Каунас технологиялық университеті",
        "name_pl": "Uniwersytet Technologiczny w Kownie",
        "acronym": "KTU",
        "country": "LT",
        "city": "Kaunas",
        "website": "https://ktu.edu",
        "email_domains": ["ktu.edu", "ktu.lt"],
    },
    "vsb": {
        "hei_id": "vsb.cz",
        "erasmus_code": "CZ OSTRAVA01",
        "name": "Vysoká škola báňská – Technická univerzita Ostrava",
        "name_en": "VSB – Technical University of Ostrava",
        "name_ru": "Остравский технический университет",
        "name_kk": "Острава техникалық университеті",
        "name_pl": "Politechnika Ostrawska",
        "aliases": ["VŠB-TUO"],
        "acronym": "VSB-TUO",
        "country": "CZ",
        "city": "Ostrava",
        "website": "https://www.vsb.cz",
        "email_domains": ["vsb.cz"],
    },
}


# --- Organisational units ------------------------------------------------------------------------
# key: (parent key or None, kind, {names}); parents come before their children.

HOME_UNITS = {
    "metallurgy": (
        None,
        UnitType.FACULTY,
        {
            "name": "Факультет металлургии и машиностроения",
            "name_en": "Faculty of Metallurgy and Mechanical Engineering",
            "name_kk": "Металлургия және машина жасау факультеті",
            "name_pl": "Wydział Metalurgii i Budowy Maszyn",
            "acronym": "FMME",
        },
    ),
    "dept_metallurgy": (
        "metallurgy",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра металлургии и материаловедения",
            "name_en": "Department of Metallurgy and Materials Science",
            "name_kk": "Металлургия және материалтану кафедрасы",
            "name_pl": "Katedra Metalurgii i Materiałoznawstwa",
        },
    ),
    "lab_digital_metallurgy": (
        "dept_metallurgy",
        UnitType.LABORATORY,
        {
            "name": "Лаборатория цифровой металлургии",
            "name_en": "Digital Metallurgy Laboratory",
            "name_kk": "Цифрлық металлургия зертханасы",
            "name_pl": "Laboratorium Metalurgii Cyfrowej",
        },
    ),
    "dept_machines": (
        "metallurgy",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра технологических машин и оборудования",
            "name_en": "Department of Technological Machines and Equipment",
            "name_kk": "Технологиялық машиналар және жабдықтар кафедрасы",
            "name_pl": "Katedra Maszyn i Urządzeń Technologicznych",
        },
    ),
    "dept_mining": (
        "metallurgy",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра горного дела и обогащения полезных ископаемых",
            "name_en": "Department of Mining and Mineral Processing",
            "name_kk": "Тау-кен ісі және пайдалы қазбаларды байыту кафедрасы",
            "name_pl": "Katedra Górnictwa i Przeróbki Kopalin",
        },
    ),
    "energy": (
        None,
        UnitType.FACULTY,
        {
            "name": "Факультет энергетики, автоматизации и телекоммуникаций",
            "name_en": "Faculty of Energy, Automation and Telecommunications",
            "name_kk": "Энергетика, автоматтандыру және телекоммуникация факультеті",
            "name_pl": "Wydział Energetyki, Automatyki i Telekomunikacji",
            "acronym": "FEAT",
        },
    ),
    "dept_power": (
        "energy",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра энергетики",
            "name_en": "Department of Power Engineering",
            "name_kk": "Энергетика кафедрасы",
            "name_pl": "Katedra Energetyki",
        },
    ),
    "dept_automation": (
        "energy",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра автоматизации и информационных технологий",
            "name_en": "Department of Automation and Information Technology",
            "name_kk": "Автоматтандыру және ақпараттық технологиялар кафедрасы",
            "name_pl": "Katedra Automatyki i Technologii Informacyjnych",
        },
    ),
    "dept_telecom": (
        "energy",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра радиотехники, электроники и телекоммуникаций",
            "name_en": "Department of Radio Engineering, Electronics and Telecommunications",
            "name_kk": "Радиотехника, электроника және телекоммуникация кафедрасы",
            "name_pl": "Katedra Radiotechniki, Elektroniki i Telekomunikacji",
        },
    ),
    "economics": (
        None,
        UnitType.FACULTY,
        {
            "name": "Факультет экономики и строительства",
            "name_en": "Faculty of Economics and Construction",
            "name_kk": "Экономика және құрылыс факультеті",
            "name_pl": "Wydział Ekonomii i Budownictwa",
            "acronym": "FEC",
        },
    ),
    "dept_economics": (
        "economics",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра экономики и менеджмента",
            "name_en": "Department of Economics and Management",
            "name_kk": "Экономика және менеджмент кафедрасы",
            "name_pl": "Katedra Ekonomii i Zarządzania",
        },
    ),
    "dept_construction": (
        "economics",
        UnitType.DEPARTMENT,
        {
            "name": "Кафедра строительства и экологии",
            "name_en": "Department of Construction and Ecology",
            "name_kk": "Құрылыс және экология кафедрасы",
            "name_pl": "Katedra Budownictwa i Ekologii",
        },
    ),
    "rectorate": (
        None,
        UnitType.OFFICE,
        {
            "name": "Ректорат",
            "name_en": "Rectorate",
            "name_kk": "Ректорат",
            "name_pl": "Rektorat",
        },
    ),
    "international_office": (
        None,
        UnitType.OFFICE,
        {
            "name": "Отдел международного сотрудничества",
            "name_en": "International Relations Office",
            "name_kk": "Халықаралық ынтымақтастық бөлімі",
            "name_pl": "Dział Współpracy Międzynarodowej",
        },
    ),
}

AGH_UNITS = {
    "agh_resources": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Inżynierii Lądowej i Gospodarki Zasobami",
            "name_en": "Faculty of Civil Engineering and Resource Management",
            "name_ru": "Факультет гражданского строительства и управления ресурсами",
        },
    ),
    "agh_mineral_processing": (
        "agh_resources",
        UnitType.DEPARTMENT,
        {
            "name": "Katedra Inżynierii Środowiska i Przeróbki Surowców",
            "name_en": "Department of Environmental Engineering and Mineral Processing",
            "name_ru": "Кафедра инженерной экологии и переработки минерального сырья",
            "name_kk": "Инженерлік экология және минералдық шикізатты қайта өңдеу кафедрасы",
        },
    ),
    "agh_mechanical": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Inżynierii Mechanicznej i Robotyki",
            "name_en": "Faculty of Mechanical Engineering and Robotics",
            "name_ru": "Факультет машиностроения и робототехники",
            "name_kk": "Машина жасау және робототехника факультеті",
        },
    ),
    "agh_machines": (
        "agh_mechanical",
        UnitType.DEPARTMENT,
        {
            "name": "Katedra Maszyn Górniczych, Przeróbczych i Transportowych",
            "name_en": "Department of Mining, Dressing and Transport Machines",
            "name_ru": "Кафедра горных, обогатительных и транспортных машин",
        },
    ),
    "agh_geodata": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Geodezji Górniczej i Inżynierii Środowiska",
            "name_en": "Faculty of Geo-Data Science, Geodesy and Environmental Engineering",
            "name_ru": "Факультет геоинформатики, геодезии и инженерной экологии",
        },
    ),
    "agh_metals": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Inżynierii Metali i Informatyki Przemysłowej",
            "name_en": "Faculty of Metals Engineering and Industrial Computer Science",
            "name_ru": "Факультет инженерии металлов и промышленной информатики",
        },
    ),
    "agh_geology": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Geologii, Geofizyki i Ochrony Środowiska",
            "name_en": "Faculty of Geology, Geophysics and Environmental Protection",
            "name_ru": "Факультет геологии, геофизики и охраны окружающей среды",
        },
    ),
    "agh_energy": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Energetyki i Paliw",
            "name_en": "Faculty of Energy and Fuels",
            "name_ru": "Факультет энергетики и топлива",
        },
    ),
    "agh_materials": (
        None,
        UnitType.FACULTY,
        {
            "name": "Wydział Inżynierii Materiałowej i Ceramiki",
            "name_en": "Faculty of Materials Science and Ceramics",
            "name_ru": "Факультет материаловедения и керамики",
        },
    ),
}


# --- People ---------------------------------------------------------------------------------------
# key: (institution key, unit key or None, {fields}). Names in Cyrillic get their Latin form from
# Person.save; other scripts give it explicitly.

PEOPLE: dict[str, tuple[str, str | None, dict[str, Any]]] = {
    "vice_rector": (
        "home",
        "rectorate",
        {
            "name_native": "Жумабекова Айгуль Сериковна",
            "title": "Doctor of Technical Sciences, Professor",
            "position": "Vice-Rector for International Affairs",
            "email": "a.zhumabekova@example.org",
            "languages": ["kk", "ru", "en"],
            "research_keywords": "internationalisation of higher education, metallurgy",
        },
    ),
    "head_of_office": (
        "home",
        "international_office",
        {
            "name_native": "Касымов Ерлан Маратович",
            "title": "PhD",
            "position": "Head of the International Relations Office",
            "email": "e.kassymov@example.org",
            "languages": ["kk", "ru", "en", "de"],
        },
    ),
    "office_specialist": (
        "home",
        "international_office",
        {
            "name_native": "Омарова Динара Асқаровна",
            "position": "Senior Specialist, International Relations Office",
            "email": "d.omarova@example.org",
            "languages": ["kk", "ru", "en", "pl"],
        },
    ),
    "faculty_coordinator": (
        "home",
        "metallurgy",
        {
            "name_native": "Ахметов Нурлан Бахытжанович",
            "title": "Candidate of Technical Sciences, Associate Professor",
            "position": "Vice-Dean for International Cooperation",
            "email": "n.akhmetov@example.org",
            "languages": ["kk", "ru", "en"],
            "research_keywords": "metal forming, rolling, engineering education",
        },
    ),
    "dean_metallurgy": (
        "home",
        "metallurgy",
        {
            "name_native": "Исабеков Болат Кайратович",
            "title": "Doctor of Technical Sciences, Professor",
            "position": "Dean of the Faculty of Metallurgy and Mechanical Engineering",
            "email": "b.issabekov@example.org",
            "languages": ["kk", "ru"],
            "research_keywords": "steelmaking, metallurgy of iron, slag processing",
        },
    ),
    "head_machines": (
        "home",
        "dept_machines",
        {
            "name_native": "Ким Сергей Владимирович",
            "title": "Candidate of Technical Sciences, Associate Professor",
            "position": "Head of the Department of Technological Machines and Equipment",
            "email": "s.kim@example.org",
            "languages": ["ru", "en"],
            "research_keywords": "technological machines, metallurgical equipment, wear resistance",
        },
    ),
    "mineral_processing": (
        "home",
        "dept_mining",
        {
            "name_native": "Сарсенова Гульнар Ермековна",
            "title": "PhD, Associate Professor",
            "position": "Associate Professor",
            "email": "g.sarsenova@example.org",
            "languages": ["kk", "ru", "en"],
            "research_keywords": "mineral processing, flotation, tailings recycling",
        },
    ),
    "ecologist": (
        "home",
        "dept_construction",
        {
            "name_native": "Петренко Ольга Николаевна",
            "title": "Candidate of Biological Sciences",
            "position": "Associate Professor",
            "email": "o.petrenko@example.org",
            "languages": ["ru", "en"],
            "research_keywords": "environmental protection, industrial emissions, land reclamation",
        },
    ),
    "dean_energy": (
        "home",
        "energy",
        {
            "name_native": "Байжанов Тимур Асланович",
            "title": "PhD",
            "position": "Dean of the Faculty of Energy, Automation and Telecommunications",
            "email": "t.baizhanov@example.org",
            "languages": ["kk", "ru", "en", "zh"],
            "research_keywords": "power engineering, industrial automation, digital twins",
        },
    ),
    "head_economics": (
        "home",
        "dept_economics",
        {
            "name_native": "Нургалиева Сауле Жанатовна",
            "title": "Candidate of Economic Sciences",
            "position": "Head of the Department of Economics and Management",
            "email": "s.nurgaliyeva@example.org",
            "languages": ["kk", "ru", "en"],
            "research_keywords": "industrial economics, project management",
        },
    ),
    # The AGH delegation.
    "agh_leczycki": (
        "agh",
        "agh_mineral_processing",
        {
            "name_native": "Zbigniew Łęczycki",
            "title": "prof. dr hab. inż.",
            "position": "Professor, head of the AGH delegation",
            "email": "zbigniew.leczycki@example.org",
            "languages": ["pl", "en", "ru"],
            "research_keywords": "mineral processing, flotation, recycling of mining waste",
        },
    ),
    "agh_wasowicz": (
        "agh",
        "agh_machines",
        {
            "name_native": "Agnieszka Wąsowicz-Żak",
            "title": "dr hab. inż., prof. AGH",
            "position": "Professor",
            "email": "agnieszka.wasowicz@example.org",
            "languages": ["pl", "en", "de"],
            "research_keywords": "technological machines, mining machinery, vibration diagnostics",
        },
    ),
    "agh_slezak": (
        "agh",
        "agh_geodata",
        {
            "name_native": "Paweł Ślęzak",
            "title": "prof. dr hab. inż.",
            "position": "Professor",
            "email": "pawel.slezak@example.org",
            "languages": ["pl", "en"],
            "research_keywords": "environmental protection, land reclamation, air quality",
        },
    ),
    "agh_golebiowska": (
        "agh",
        "agh_metals",
        {
            "name_native": "Katarzyna Gołębiowska",
            "title": "dr inż.",
            "position": "Assistant Professor",
            "email": "katarzyna.golebiowska@example.org",
            "languages": ["pl", "en", "ru"],
            "research_keywords": "industrial computer science, digital twins, process modelling",
        },
    ),
    # One contact at each of the other partners.
    "freiberg_contact": (
        "freiberg",
        None,
        {
            "name_native": "Jürgen Weißhaupt",
            "title": "Dr.-Ing.",
            "position": "Coordinator for Central Asia, International Office",
            "email": "juergen.weisshaupt@example.org",
            "languages": ["de", "en", "ru"],
            "research_keywords": "hydrometallurgy, recycling of metals",
        },
    ),
    "metu_contact": (
        "metu",
        None,
        {
            "name_native": "Elif Karaağaç",
            "title": "Prof. Dr.",
            "position": "Professor, Department of Mining Engineering",
            "email": "elif.karaagac@example.org",
            "languages": ["tr", "en"],
            "research_keywords": "rock mechanics, mine automation",
        },
    ),
    "hit_contact": (
        "hit",
        None,
        {
            "name_native": "王晓东",
            "name_latin": "Wang Xiaodong",
            "title": "Professor",
            "position": "School of Electrical Engineering and Automation",
            "email": "wang.xiaodong@example.org",
            "languages": ["zh", "en"],
            "research_keywords": "power electronics, smart grids",
        },
    ),
    "tstu_contact": (
        "tstu",
        None,
        {
            "name_native": "Ulugʻbek Rahimov",
            "title": "PhD",
            "position": "Head of the International Department",
            "email": "u.rahimov@example.org",
            "languages": ["uz", "ru", "en"],
        },
    ),
    "kstu_contact": (
        "kstu",
        None,
        {
            "name_native": "Асанова Жылдыз Бакытбековна",
            "title": "Candidate of Economic Sciences, Associate Professor",
            "position": "Associate Professor, Department of Economics",
            "email": "zh.asanova@example.org",
            "languages": ["ky", "ru"],
            "research_keywords": "regional economics",
        },
    ),
    "ktu_contact": (
        "ktu",
        None,
        {
            "name_native": "Rūta Žemaitytė",
            "title": "Assoc. Prof. Dr.",
            "position": "Erasmus+ coordinator, International Relations Office",
            "email": "ruta.zemaityte@example.org",
            "languages": ["lt", "en", "ru"],
        },
    ),
    "vsb_contact": (
        "vsb",
        None,
        {
            "name_native": "Tomáš Vrbický",
            "title": "Ing., Ph.D.",
            "position": "Faculty of Materials Science and Technology",
            "email": "tomas.vrbicky@example.org",
            "languages": ["cs", "en", "pl"],
            "research_keywords": "steel metallurgy, process modelling",
        },
    ),
}


# --- Partnerships ---------------------------------------------------------------------------------

A = CooperationArea
PARTNERSHIPS: dict[str, dict[str, Any]] = {
    "agh": {
        "status": PartnershipStatus.ACTIVE,
        "priority": PartnershipPriority.HIGH,
        "cooperation_areas": [
            A.JOINT_RESEARCH,
            A.STUDENT_EXCHANGE,
            A.STAFF_EXCHANGE,
            A.INTERNSHIPS,
            A.EDUCATIONAL_PROGRAMMES,
            A.INTERNATIONAL_PROJECTS,
        ],
        "started_on": MEMORANDUM_SIGNED_ON,
        "home_units": ["metallurgy", "energy"],
        "responsible_people": [
            "vice_rector",
            "head_of_office",
            "faculty_coordinator",
            "agh_leczycki",
        ],
        "notes": (
            "A delegation of AGH professors (mineral processing, technological machines, "
            "environmental protection) visited KarIU; a round table with faculty, researchers and "
            "the leadership discussed joint research, exchange of students and teachers, "
            "internships, educational programmes, international projects and the training of "
            "engineers with digital and interdisciplinary skills. A memorandum of cooperation "
            "was signed. Next: a student and staff exchange agreement and a joint research "
            "project in mineral processing."
        ),
    },
    "freiberg": {
        "status": PartnershipStatus.DEVELOPING,
        "priority": PartnershipPriority.HIGH,
        "cooperation_areas": [A.JOINT_RESEARCH, A.STAFF_EXCHANGE],
        "started_on": datetime.date(2024, 9, 23),
        "home_units": ["dept_metallurgy"],
        "responsible_people": ["dean_metallurgy", "freiberg_contact"],
        "notes": "Joint research in the recycling of metallurgical slags is being prepared.",
    },
    "metu": {
        "status": PartnershipStatus.PROSPECT,
        "priority": PartnershipPriority.MEDIUM,
        "cooperation_areas": [A.STUDENT_EXCHANGE, A.INTERNATIONAL_PROJECTS],
        "home_units": ["energy"],
        "responsible_people": ["head_of_office", "metu_contact"],
        "notes": "First contact at an international education fair; an Erasmus+ ICM is possible.",
    },
    "hit": {
        "status": PartnershipStatus.DEVELOPING,
        "priority": PartnershipPriority.HIGH,
        "cooperation_areas": [A.JOINT_RESEARCH, A.INTERNATIONAL_PROJECTS],
        "started_on": datetime.date(2025, 1, 20),
        "home_units": ["energy"],
        "responsible_people": ["dean_energy", "hit_contact"],
        "is_confidential": True,
        "notes": (
            "Confidential: negotiations on a joint laboratory for industrial power systems; "
            "the terms are not to be shared outside the faculty and the international office."
        ),
    },
    "tstu": {
        "status": PartnershipStatus.ACTIVE,
        "priority": PartnershipPriority.MEDIUM,
        "cooperation_areas": [A.STUDENT_EXCHANGE, A.STAFF_EXCHANGE, A.EDUCATIONAL_PROGRAMMES],
        "started_on": datetime.date(2019, 5, 14),
        "home_units": ["metallurgy", "energy"],
        "responsible_people": ["head_of_office", "tstu_contact"],
        "notes": "Yearly exchange of master's students in metallurgy and power engineering.",
    },
    "kstu": {
        "status": PartnershipStatus.DORMANT,
        "priority": PartnershipPriority.LOW,
        "cooperation_areas": [A.STAFF_EXCHANGE],
        "started_on": datetime.date(2016, 10, 3),
        "home_units": ["economics"],
        "responsible_people": ["head_economics", "kstu_contact"],
        "notes": "No activity since the guest lectures of 2019.",
    },
    "ktu": {
        "status": PartnershipStatus.ACTIVE,
        "priority": PartnershipPriority.MEDIUM,
        "cooperation_areas": [A.STUDENT_EXCHANGE, A.STAFF_EXCHANGE, A.INTERNATIONAL_PROJECTS],
        "started_on": datetime.date(2021, 2, 8),
        "home_units": ["economics"],
        "responsible_people": ["head_economics", "office_specialist", "ktu_contact"],
        "notes": "Erasmus+ international credit mobility in economics and civil engineering.",
    },
    "vsb": {
        "status": PartnershipStatus.PROSPECT,
        "priority": PartnershipPriority.MEDIUM,
        "cooperation_areas": [A.JOINT_RESEARCH, A.INTERNSHIPS],
        "home_units": ["dept_machines"],
        "responsible_people": ["head_machines", "vsb_contact"],
        "notes": "Proposed summer internships for mechanical engineering students in Ostrava.",
    },
}


# --- Texts of the people in other languages (core.translations) -----------------------------------
# What the demo memorandum and news drafts print about each person, so that their Russian,
# Kazakh and Polish versions need no English.

PEOPLE_TRANSLATIONS: dict[str, dict[str, dict[str, str]]] = {
    "vice_rector": {
        "title": {
            "ru": "доктор технических наук, профессор",
            "kk": "техника ғылымдарының докторы, профессор",
            "pl": "doktor nauk technicznych, profesor",
        },
        "position": {
            "ru": "проректор по международному сотрудничеству",
            "kk": "халықаралық ынтымақтастық жөніндегі проректор",
            "pl": "prorektor ds. współpracy międzynarodowej",
        },
        "research_keywords": {
            "ru": "интернационализация высшего образования, металлургия",
            "kk": "жоғары білімді интернационалдандыру, металлургия",
            "pl": "umiędzynarodowienie szkolnictwa wyższego, metalurgia",
        },
    },
    "head_of_office": {
        "title": {"ru": "доктор философии (PhD)", "kk": "философия докторы (PhD)", "pl": "doktor"},
        "position": {
            "ru": "начальник отдела международных связей",
            "kk": "халықаралық байланыстар бөлімінің бастығы",
            "pl": "kierownik Działu Współpracy Międzynarodowej",
        },
    },
    "dean_metallurgy": {
        "title": {
            "ru": "доктор технических наук, профессор",
            "kk": "техника ғылымдарының докторы, профессор",
            "pl": "doktor nauk technicznych, profesor",
        },
        "position": {
            "ru": "декан факультета металлургии и машиностроения",
            "kk": "металлургия және машина жасау факультетінің деканы",
            "pl": "dziekan Wydziału Metalurgii i Budowy Maszyn",
        },
        "research_keywords": {
            "ru": "сталеплавильное производство, металлургия чугуна, переработка шлаков",
            "kk": "болат балқыту өндірісі, шойын металлургиясы, қожды қайта өңдеу",
            "pl": "stalownictwo, metalurgia żelaza, przeróbka żużli",
        },
    },
    "head_machines": {
        "title": {
            "ru": "кандидат технических наук, доцент",
            "kk": "техника ғылымдарының кандидаты, доцент",
            "pl": "kandydat nauk technicznych, docent",
        },
        "position": {
            "ru": "заведующий кафедрой технологических машин и оборудования",
            "kk": "технологиялық машиналар және жабдықтар кафедрасының меңгерушісі",
            "pl": "kierownik Katedry Maszyn i Urządzeń Technologicznych",
        },
        "research_keywords": {
            "ru": "технологические машины, металлургическое оборудование, износостойкость",
            "kk": "технологиялық машиналар, металлургиялық жабдықтар, тозуға төзімділік",
            "pl": "maszyny technologiczne, urządzenia hutnicze, odporność na zużycie",
        },
    },
    "mineral_processing": {
        "title": {
            "ru": "доктор философии (PhD), доцент",
            "kk": "философия докторы (PhD), доцент",
            "pl": "doktor, docent",
        },
        "position": {"ru": "доцент", "kk": "доцент", "pl": "docent"},
        "research_keywords": {
            "ru": "обогащение полезных ископаемых, флотация, переработка хвостов",
            "kk": "пайдалы қазбаларды байыту, флотация, қалдықтарды қайта өңдеу",
            "pl": "przeróbka kopalin, flotacja, recykling odpadów poflotacyjnych",
        },
    },
    "ecologist": {
        "title": {
            "ru": "кандидат биологических наук",
            "kk": "биология ғылымдарының кандидаты",
            "pl": "kandydat nauk biologicznych",
        },
        "position": {"ru": "доцент", "kk": "доцент", "pl": "docent"},
        "research_keywords": {
            "ru": "охрана окружающей среды, промышленные выбросы, рекультивация земель",
            "kk": "қоршаған ортаны қорғау, өнеркәсіптік шығарындылар, жерді рекультивациялау",
            "pl": "ochrona środowiska, emisje przemysłowe, rekultywacja terenów",
        },
    },
    "agh_leczycki": {
        "title": {
            "ru": "профессор, доктор хабилитированный",
            "kk": "профессор, хабилитацияланған доктор",
            "pl": "prof. dr hab. inż.",
        },
        "position": {
            "ru": "профессор, руководитель делегации AGH",
            "kk": "профессор, AGH делегациясының басшысы",
            "pl": "profesor, przewodniczący delegacji AGH",
        },
        "research_keywords": {
            "ru": "обогащение полезных ископаемых, флотация, переработка горных отходов",
            "kk": "пайдалы қазбаларды байыту, флотация, тау-кен қалдықтарын қайта өңдеу",
            "pl": "przeróbka kopalin, flotacja, recykling odpadów górniczych",
        },
    },
    "agh_wasowicz": {
        "title": {
            "ru": "доктор хабилитированный, профессор AGH",
            "kk": "хабилитацияланған доктор, AGH профессоры",
            "pl": "dr hab. inż., prof. AGH",
        },
        "position": {"ru": "профессор", "kk": "профессор", "pl": "profesor"},
        "research_keywords": {
            "ru": "технологические машины, горные машины, вибродиагностика",
            "kk": "технологиялық машиналар, тау-кен машиналары, діріл диагностикасы",
            "pl": "maszyny technologiczne, maszyny górnicze, diagnostyka drganiowa",
        },
    },
    "agh_slezak": {
        "title": {
            "ru": "профессор, доктор хабилитированный",
            "kk": "профессор, хабилитацияланған доктор",
            "pl": "prof. dr hab. inż.",
        },
        "position": {"ru": "профессор", "kk": "профессор", "pl": "profesor"},
        "research_keywords": {
            "ru": "охрана окружающей среды, рекультивация земель, качество воздуха",
            "kk": "қоршаған ортаны қорғау, жерді рекультивациялау, ауа сапасы",
            "pl": "ochrona środowiska, rekultywacja terenów, jakość powietrza",
        },
    },
    "agh_golebiowska": {
        "title": {
            "ru": "доктор инженерных наук",
            "kk": "инженерлік ғылымдар докторы",
            "pl": "dr inż.",
        },
        "position": {"ru": "доцент", "kk": "доцент", "pl": "adiunkt"},
        "research_keywords": {
            "ru": "промышленная информатика, цифровые двойники, моделирование процессов",
            "kk": "өнеркәсіптік информатика, цифрлық егіздер, процестерді модельдеу",
            "pl": "informatyka przemysłowa, cyfrowe bliźniaki, modelowanie procesów",
        },
    },
}
