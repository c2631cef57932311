"""Times in the viewer's zone: the browser's zone arrives in the ``tz`` cookie."""

import datetime
import zoneinfo

from django.utils import timezone

from unibridge.visits.tests.factories import ProgrammeItemFactory, VisitFactory

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


def programme_page(client, visit, zone: str | None) -> str:
    if zone is not None:
        client.cookies["tz"] = zone
    return client.get(visit.get_absolute_url() + "programme/").content.decode()


def test_a_viewer_in_warsaw_sees_an_almaty_programme_also_in_their_time(office_client, db):
    visit = VisitFactory(is_confidential=False)
    ProgrammeItemFactory(visit=visit, title="Round table")  # 10:00–11:00 Asia/Almaty
    page = programme_page(office_client, visit, "Europe/Warsaw")
    assert "10:00" in page
    # 10:00 in Almaty (UTC+5) is 07:00 in Warsaw in May (UTC+2)
    assert "07:00–08:00 your time" in page


def test_without_the_cookie_or_with_a_bad_one_the_installation_zone_applies(office_client, db):
    visit = VisitFactory()
    ProgrammeItemFactory(visit=visit, title="Round table")
    for zone in (None, "Mars/Olympus_Mons", "../../etc"):
        page = programme_page(office_client, visit, zone)
        assert "10:00" in page
        assert "your time" not in page  # TIME_ZONE is Asia/Almaty, the host's zone


def test_the_zone_does_not_leak_into_the_next_request(office_client, db):
    office_client.cookies["tz"] = "Europe/Warsaw"
    office_client.get("/")
    assert timezone.get_current_timezone_name() == timezone.get_default_timezone_name()
    assert datetime.datetime(2026, 5, 12, 8, tzinfo=datetime.UTC).astimezone(WARSAW).hour == 10
