"""The visits story in a real browser (Debian chromium driven by Playwright).

The international office plans the AGH delegation's visit to Karaganda Industrial University
from the AGH partner page, adds the delegation and a home participant, puts the round table
on the programme, records the round table's minutes with a decision and three action items,
links the memorandum signed during the visit, takes the visit through to completed, and
downloads the English news draft (HTML, Markdown, DOCX) and the programme's ``.ics``.
"""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone
from docx import Document
from icalendar import Calendar
from playwright.sync_api import expect

from unibridge.accounts.models import Duty
from unibridge.accounts.tests.factories import DutyHolderFactory
from unibridge.agreements.demo import _ensure_default_types, _signed
from unibridge.agreements.models import AgreementType
from unibridge.core.calendar import UID_DOMAIN
from unibridge.core.testing import assert_accessible, choose, log_in
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)
from unibridge.meetings.choices import ActionItemStatus
from unibridge.meetings.models import ActionItem, Meeting
from unibridge.visits.choices import DelegationRole, VisitStatus
from unibridge.visits.demo import _ensure_checklist_templates
from unibridge.visits.models import ProgrammeItem, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALMATY = zoneinfo.ZoneInfo("Asia/Almaty")
HOME_EN = "Karaganda Industrial University"
AGH_EN = "AGH University of Krakow"
AGH_PL = "Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie"
HEAD = "Zbigniew Łęczycki"
PROFESSOR = "Tomasz Niedoba"
NEW_MEMBER = "Katarzyna Wójcik"
VICE_RECTOR = "Жумабекова Айгуль Сериковна"
VICE_RECTOR_LATIN = "Zhumabekova Aigul Serikovna"
VICE_RECTOR_LABEL = f"{VICE_RECTOR} ({VICE_RECTOR_LATIN})"
OFFICER = "Aliya Nurlanovna Sadykova"
VISIT_TITLE = "AGH delegation at Karaganda Industrial University"
ROUND_TABLE = "Round table on mineral processing and environmental protection"
MEMORANDUM_TITLE = "Memorandum of cooperation between Karaganda Industrial University and AGH"
CHECKLIST = [
    "Visa invitation letters",
    "Accommodation",
    "Transport (airport, city)",
    "Interpreter",
    "Catering",
    "Gifts",
    "Press and photographer",
]
ACTIONS = [
    # description, owner (the option's label), days after the visit, linked to the partnership
    ("Prepare the Erasmus+ KA171 application with AGH", OFFICER, 30, True),
    ("Send the joint laboratory equipment list", HEAD, 45, False),
    ("Propose two doctoral co-supervision topics", VICE_RECTOR_LABEL, 60, False),
]


@pytest.fixture
def story(live_server, home, engineering, office_user):
    """KIU with a department, AGH with its professors and the partnership, the memorandum."""
    # Migration data a flush after an earlier live-server test removed.
    _ensure_default_types()
    _ensure_checklist_templates()
    metallurgy = UnitFactory(
        institution=home, parent=engineering, name="Department of Metallurgy", kind="department"
    )
    agh = InstitutionFactory(
        name=AGH_PL, name_en=AGH_EN, acronym="AGH", hei_id="agh.edu.pl", country="PL"
    )
    agh_unit = UnitFactory(
        institution=agh,
        name="Katedra Inżynierii Środowiska i Przeróbki Surowców",
        name_en="Department of Environmental Engineering and Mineral Processing",
    )
    head = PersonFactory(
        institution=agh,
        unit=agh_unit,
        name_native=HEAD,
        title="Prof.",
        position="Head of the Department of Environmental Engineering and Mineral Processing",
        research_keywords="mineral processing, flotation",
    )
    PersonFactory(
        institution=agh,
        unit=agh_unit,
        name_native=PROFESSOR,
        title="Prof.",
        position="Professor of mineral processing",
        research_keywords="technological machines, environmental protection",
    )
    vice_rector = PersonFactory(
        institution=home,
        name_native=VICE_RECTOR,
        name_latin=VICE_RECTOR_LATIN,
        position="Vice-Rector for International Affairs",
    )
    # the office user's own entry in the directory: the owner of "my" action items
    PersonFactory(institution=home, name_native=OFFICER, user=office_user)
    partnership = PartnershipFactory(partner=agh)
    today = timezone.localdate()
    # someone holds each duty of the memorandum's approval route, one person per step
    for duty in Duty.objects.all():
        DutyHolderFactory(duty=duty, unit=metallurgy if duty.per_unit else None)
    memorandum = _signed(
        office_user,
        agreement_type=AgreementType.objects.get(code="mou"),
        title=MEMORANDUM_TITLE,
        effective_date=today,
        expiry_date=today.replace(year=today.year + 5, day=min(today.day, 28)),
        parties=[
            (home, [metallurgy], vice_rector, "Vice-Rector for International Affairs"),
            (agh, [agh_unit], head, "Head of the AGH delegation"),
        ],
        signed_on=today,
        place="Temirtau",
    )
    assert memorandum.status == "active"
    return {"agh": agh, "partnership": partnership, "memorandum": memorandum}


def message(page) -> str:
    return page.get_by_role("status").first.inner_text()


def tab(page, name: str) -> None:
    page.get_by_role("navigation", name="Sections of this record").get_by_role(
        "link", name=name, exact=True
    ).click()


def test_office_plans_and_completes_the_agh_visit_in_the_browser(page, story, tmp_path):
    agh, memorandum = story["agh"], story["memorandum"]
    first_day = timezone.localdate()
    last_day = first_day + datetime.timedelta(days=2)
    # a script error on any page (the minutes toolbar, the pickers) fails the story
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    log_in(page, "office")

    # 1. The AGH page → Visits → New visit: the form, prefilled with AGH; then the checklist.
    page.goto(agh.get_absolute_url())
    tab(page, "Visits")
    page.wait_for_url(re.compile(r"/institutions/[0-9a-f-]+/visits/$"))
    assert "No visits with this partner yet." in page.locator("main").inner_text()
    page.get_by_role("link", name="New visit").click()
    page.wait_for_url(re.compile(r"/visits/new/\?partner="))
    expect(page.get_by_role("heading", level=1)).to_have_text("New visit")
    partner = page.get_by_role("group", name="Partner institution")
    expect(partner.get_by_role("checkbox", name=f"{AGH_EN} (Poland)")).to_be_checked()
    expect(page.get_by_role("radio", name="Incoming")).to_be_checked()
    assert_accessible(page)

    page.get_by_label(re.compile(r"^Title")).fill(VISIT_TITLE)
    choose(page, "^Host unit", "Metallurgy", f"{HOME_EN}: — Department of Metallurgy")
    choose(page, "^Home units involved", "Metallurgy", "Department of Metallurgy")
    page.get_by_label("First day").fill(first_day.isoformat())
    page.get_by_label("Last day").fill(last_day.isoformat())
    # the zone is a searchable select (Tom Select): typed into, then chosen
    choose(page, "^Host's time zone", "Almaty", "Asia/Almaty")
    assert page.locator("select[name=time_zone]").input_value() == "Asia/Almaty"
    page.get_by_label("Purpose", exact=True).fill(
        "Cooperation in mineral processing, technological machines and environmental protection"
    )
    page.get_by_label("Goals", exact=True).fill(
        "Sign the memorandum of cooperation\nAgree on joint research topics"
    )
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(r"/visits/[0-9a-f-]+/$"))
    assert f"Created the visit {VISIT_TITLE}." in message(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(VISIT_TITLE)
    visit = Visit.objects.get(title=VISIT_TITLE)
    assert visit.visiting_institution == agh and visit.host_institution.is_home
    assert visit.time_zone == "Asia/Almaty" and visit.status == VisitStatus.PLANNED
    overview = page.locator("main").inner_text()
    assert "Sign the memorandum of cooperation" in overview and "Planned" in overview
    # planned on its first day: every task of the template was due before it
    assert f"{len(CHECKLIST)} logistics tasks are overdue." in overview
    assert_accessible(page)

    tab(page, "Logistics")
    page.wait_for_url(re.compile(r"/checklist/$"))
    tasks = page.locator("main table tbody tr td:first-child")
    expect(tasks).to_have_text(CHECKLIST)
    assert_accessible(page)

    # 2. The delegation: an AGH professor as head, another as member, a new person typed in;
    # and the home side's vice-rector.
    tab(page, "Participants")
    page.wait_for_url(re.compile(r"/participants/$"))
    assert "No delegation members yet." in page.locator("main").inner_text()
    assert_accessible(page)
    members = [
        (HEAD, "Head of delegation"),
        (PROFESSOR, "Member"),
    ]
    for name, role in members:
        page.get_by_role("link", name="Add a member").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Add a delegation member")
        page.get_by_label("Person", exact=True).select_option(label=name)
        page.get_by_label("Role in the delegation").select_option(label=role)
        if role == "Head of delegation":
            assert_accessible(page)
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r"/participants/$"))
        assert f"Saved {name}." in message(page)

    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("New person: name", exact=True).fill(NEW_MEMBER)
    page.get_by_label("New person: position").fill("Interpreter, AGH international office")
    expect(page.get_by_label("New person: institution")).to_have_value(str(agh.pk))
    page.get_by_label("Role in the delegation").select_option(label="Interpreter")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/participants/$"))
    assert f"Saved {NEW_MEMBER}." in message(page)

    page.get_by_role("link", name="Add a home participant").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a home participant")
    page.get_by_label("Person", exact=True).select_option(label=VICE_RECTOR_LABEL)
    page.get_by_label("Function", exact=True).fill("Chair of the round table")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/participants/$"))

    delegation = page.get_by_role("region", name="Delegation").locator("tbody tr")
    expect(delegation).to_have_count(3)
    head_row = delegation.filter(has_text=HEAD)
    expect(head_row).to_contain_text("Head of delegation")
    expect(head_row).to_contain_text(AGH_EN)
    expect(delegation.filter(has_text=NEW_MEMBER)).to_contain_text("Interpreter")
    hosts = page.get_by_role("region", name="Home participants").locator("tbody tr")
    expect(hosts).to_have_count(1)
    expect(hosts).to_contain_text("Chair of the round table")
    head = visit.participants.get(role=DelegationRole.HEAD).person
    assert head.name_native == HEAD
    new_person = visit.participants.get(person__name_native=NEW_MEMBER).person
    assert new_person.institution == agh  # created from the form, in the directory now
    assert_accessible(page)

    # 3. The round table on the programme, typed in Almaty time.
    tab(page, "Programme")
    page.wait_for_url(re.compile(r"/programme/$"))
    assert "The programme is empty." in page.locator("main").inner_text()
    page.get_by_role("link", name="Add a programme item").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New programme item")
    page.get_by_label(re.compile(r"^Type\b")).select_option(label="Round table")
    page.get_by_label(re.compile(r"^Title")).fill(ROUND_TABLE)
    page.get_by_label("Date").fill(first_day.isoformat())
    page.get_by_label("Start time").fill("11:00")
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("Place or room", exact=True).fill("Senate hall, room 101")
    page.get_by_label("Responsible person").select_option(label=VICE_RECTOR_LABEL)
    people = page.get_by_role("group", name="Participants")
    for name in (HEAD, PROFESSOR, NEW_MEMBER):
        people.get_by_label(name).check()
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(r"/programme/(#item-[0-9a-f-]+)?$"))
    assert f"Saved “{ROUND_TABLE}”." in message(page)
    item = ProgrammeItem.objects.get(visit=visit)
    starts_utc = datetime.datetime.combine(first_day, datetime.time(11), ALMATY).astimezone(
        datetime.UTC
    )
    assert item.starts_at == starts_utc
    row = page.locator(f"#item-{item.uid}")
    expect(row).to_contain_text(ROUND_TABLE)
    expect(row).to_contain_text("Round table")
    expect(row).to_contain_text("11:00")
    expect(row).to_contain_text("Senate hall, room 101")
    assert page.get_by_role("region", name=re.compile("warning")).count() == 0
    assert_accessible(page)

    # 4. The round table's meeting: minutes, a decision, three action items.
    tab(page, "Meetings")
    page.wait_for_url(re.compile(r"/meetings/$"))
    assert "No meetings recorded for this visit yet." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Add a meeting").click()
    page.wait_for_url(re.compile(r"/meetings/new/$"))
    page.get_by_label(re.compile(r"^Type\b")).select_option(label="Round table")
    page.get_by_label(re.compile(r"^Title")).fill(ROUND_TABLE)
    page.get_by_label("Starts").fill(f"{first_day.isoformat()}T11:00")
    page.get_by_label("Ends").fill(f"{first_day.isoformat()}T13:00")
    # the searchable select keeps the chosen zone in the form's own (hidden) select
    expect(page.locator("select[name=time_zone]")).to_have_value("Asia/Almaty")
    page.get_by_label("Place or room", exact=True).fill("Senate hall, room 101")
    visit_people = page.get_by_role("group", name="Participants of the visit")
    for name in (HEAD, PROFESSOR, NEW_MEMBER, VICE_RECTOR):
        visit_people.get_by_label(name).check()
    page.get_by_label("Agenda", exact=True).fill(
        "Joint research in mineral processing\nExchange of students and teachers"
    )
    expect(page.get_by_role("toolbar", name="Formatting of the minutes")).to_be_visible()
    minutes_box = page.get_by_role("textbox", name="Minutes")
    minutes_box.fill(
        "<h3>Opening</h3>"
        "<p>The vice-rector welcomed the delegation of AGH.</p>"
        "<ul><li>Flotation of coal tailings</li><li><em>Environmental</em> monitoring</li></ul>"
        '<script>alert("minutes")</script>'
    )
    # the toolbar wraps the selected text: select "AGH", press Bold
    minutes_box.evaluate(
        "(area, word) => { const at = area.value.indexOf(word);"
        " area.setSelectionRange(at, at + word.length); }",
        "AGH",
    )
    page.get_by_role("toolbar", name="Formatting of the minutes").get_by_role(
        "button", name="Bold"
    ).click()
    expect(minutes_box).to_have_value(re.compile(r"delegation of <strong>AGH</strong>\."))
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(r"/meetings/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(ROUND_TABLE)
    meeting = Meeting.objects.get(visit=visit)
    assert meeting.starts_at == starts_utc
    minutes = page.locator("main .minutes")
    expect(minutes.get_by_role("heading", name="Opening")).to_be_visible()
    expect(minutes.locator("strong")).to_have_text("AGH")
    expect(minutes.get_by_role("listitem")).to_have_text(
        ["Flotation of coal tailings", "Environmental monitoring"]
    )
    assert minutes.locator("script").count() == 0 and "<script" not in meeting.minutes

    page.get_by_label("New decision").fill("To prepare a joint Erasmus+ KA171 application for 2026")
    page.get_by_role("button", name="Add the decision").click()
    expect(page.get_by_role("status")).to_contain_text("Added the decision.")

    for description, owner, days_after, linked in ACTIONS:
        page.get_by_role("link", name="Add an action item").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("New action item")
        page.get_by_label(re.compile(r"^What is to be done")).fill(description)
        page.get_by_label(re.compile(r"^Owner")).select_option(label=owner)
        page.get_by_label("Due on").fill((last_day + datetime.timedelta(days_after)).isoformat())
        partnership = page.get_by_label(re.compile(r"^Partnership"))
        # the meeting's partnership comes prefilled; only the first item keeps it
        expect(partnership.locator("option:checked")).to_have_text(AGH_EN)
        if linked:
            page.get_by_label(re.compile(r"^Agreement\b")).select_option(
                label=f"{memorandum.reference} {MEMORANDUM_TITLE}"
            )
            assert_accessible(page)
        else:
            partnership.select_option(label="---------")
        page.get_by_role("button", name="Save").click()
        page.wait_for_url(re.compile(r"/action-items/[0-9a-f-]+/$"))
        assert "Saved the action item." in message(page)
        page.locator("main").get_by_role("link", name=ROUND_TABLE).click()
        page.wait_for_url(re.compile(r"/meetings/[0-9a-f-]+/$"))

    rows = page.locator("main table tbody tr")
    expect(rows).to_have_count(3)
    for row, (description, _owner, _days, linked) in zip(rows.all(), ACTIONS, strict=True):
        expect(row).to_contain_text(description)
        expect(row).to_contain_text("Open")
        links = row.locator("td").last
        if linked:
            expect(links).to_contain_text(AGH_EN)
            expect(links).to_contain_text(memorandum.reference)
        else:
            expect(links).to_have_text("—")
    items = ActionItem.objects.filter(meeting=meeting).order_by("due_on")
    assert [i.description for i in items] == [a[0] for a in ACTIONS]
    assert [i.partnership_id is not None for i in items] == [True, False, False]
    assert all(i.status == ActionItemStatus.OPEN for i in items)
    decisions = page.locator("main ol.decisions > li")
    expect(decisions).to_have_count(1)
    assert_accessible(page)

    # The first action item is the office user's own: on "My action items".
    page.get_by_role("link", name="My action items").click()
    page.wait_for_url(re.compile(r"/action-items/mine/$"))
    mine = page.locator("main table tbody tr")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(ACTIONS[0][0])
    expect(mine).to_contain_text(ROUND_TABLE)
    expect(mine).to_contain_text(AGH_EN)
    assert_accessible(page)

    # 5. The memorandum signed during the visit, then confirm → start → complete.
    page.goto(visit.get_absolute_url())
    page.get_by_label("Agreement signed during the visit").select_option(
        label=f"{memorandum.reference} {MEMORANDUM_TITLE}"
    )
    page.get_by_role("button", name="Link the agreement").click()
    page.wait_for_url(re.compile(r"/visits/[0-9a-f-]+/$"))
    assert f"Linked {memorandum.reference} to the visit." in message(page)
    signed = page.get_by_role("region", name="Agreements signed during the visit")
    expect(
        signed.get_by_role("link", name=f"{memorandum.reference} {MEMORANDUM_TITLE}")
    ).to_be_visible()

    for button, outcome, status in (
        ("Confirm the visit", "The visit is confirmed.", "Confirmed"),
        ("Mark as under way", "The visit is under way.", "Ongoing"),
        ("Mark as completed", "The visit is completed.", "Completed"),
    ):
        page.get_by_role("button", name=button).click()
        expect(page.get_by_role("status")).to_contain_text(outcome)
        expect(page.locator("main p.muted").first).to_contain_text(status)
    expect(page.get_by_role("region", name="Next steps")).to_have_count(0)
    visit.refresh_from_db()
    assert visit.status == VisitStatus.COMPLETED
    assert list(visit.agreements.all()) == [memorandum]
    assert_accessible(page)

    # 6. The English news draft: generated from the record and downloaded.
    tab(page, "News draft")
    page.wait_for_url(re.compile(r"/news/$"))
    english = page.get_by_role("region", name="English")
    expect(english).to_contain_text("No draft in this language yet.")
    english.get_by_role("button", name="Generate (English)").click()
    expect(page.get_by_role("status")).to_contain_text(
        "The English news draft was generated from the record."
    )
    preview = english.locator("article")
    expect(preview).to_contain_text(HEAD)
    expect(preview).to_contain_text(memorandum.reference)
    assert_accessible(page)

    files = {}
    for label, extension in (("HTML", "html"), ("MD", "md"), ("DOCX", "docx")):
        with page.expect_download() as download_info:
            english.get_by_role("link", name=f"{label} (English)").click()
        download = download_info.value
        assert download.suggested_filename.endswith(f"-en.{extension}")
        files[extension] = tmp_path / download.suggested_filename
        download.save_as(files[extension])
    texts = {
        "html": files["html"].read_text(encoding="utf-8"),
        "md": files["md"].read_text(encoding="utf-8"),
        "docx": "\n".join(p.text for p in Document(files["docx"]).paragraphs),
    }
    for extension, text in texts.items():
        for fact in (HEAD, AGH_EN, memorandum.reference, MEMORANDUM_TITLE, HOME_EN):
            assert fact in text, f"the {extension} draft misses {fact!r}"
        for action in ACTIONS:
            assert action[0] in text, f"the {extension} draft misses the action {action[0]!r}"

    # ... and the programme as an .ics: one event, its stable UID, 11:00 Almaty in UTC.
    tab(page, "Programme")
    page.wait_for_url(re.compile(r"/programme/$"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the programme for a calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    calendar = Calendar.from_ical(download.path().read_bytes())
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"{item.uid}@{UID_DOMAIN}"
    assert str(event["SUMMARY"]) == ROUND_TABLE
    start = event.decoded("DTSTART")
    assert start.astimezone(datetime.UTC) == starts_utc
    assert event["DTSTART"].params["TZID"] == "Asia/Almaty"  # the host's zone, not UTC
    assert event.decoded("DTEND").astimezone(datetime.UTC) == starts_utc + datetime.timedelta(
        hours=2
    )
    assert not script_errors, script_errors
