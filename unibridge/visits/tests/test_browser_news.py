"""The news story's end in a real browser: the office approves the Russian draft, records
where it appeared, and finds it on the partnership's page (accessible, and usable at 375 px).
"""

import pytest

from unibridge.core.testing import assert_accessible, log_in
from unibridge.institutions.tests.factories import InstitutionFactory, PartnershipFactory
from unibridge.visits import services as visit_services
from unibridge.visits.choices import VisitStatus
from unibridge.visits.models import NewsPublication
from unibridge.visits.tests.factories import VisitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = "https://kiu.kz/ru/news/agh-delegation"


@pytest.fixture
def story(live_server, home, engineering, office_user):
    agh = InstitutionFactory(name="AGH University of Krakow", acronym="AGH", country="PL")
    partnership = PartnershipFactory(partner=agh)
    visit = VisitFactory(
        title="AGH delegation", host_institution=home, visiting_institution=agh,
        status=VisitStatus.COMPLETED,
    )  # fmt: skip
    visit.home_units.set([engineering])
    visit_services.news_generate(visit=visit, user=office_user, language="ru")
    return {"visit": visit, "partnership": partnership}


def test_the_office_approves_and_records_a_publication_seen_on_the_partner_page(page, story):
    visit, partnership = story["visit"], story["partnership"]
    log_in(page, "office")
    page.goto(f"/visits/{visit.uuid}/news/")
    page.get_by_role("button", name="Approve for publication (Русский)").click()
    page.get_by_text("The Русский news is approved for publication.").wait_for()
    assert_accessible(page)  # the news tab with the draft's status and its actions
    page.get_by_role("link", name="Record a publication (Русский)").click()
    assert_accessible(page)  # the publication form
    page.get_by_label("Published on").fill("2026-05-20")
    page.get_by_label("The university's website").check()
    page.get_by_label("Link").fill(LINK)
    page.get_by_role("button", name="Record the publication").click()
    page.get_by_text("The publication of the Русский news is recorded.").wait_for()
    assert NewsPublication.objects.get().url == LINK

    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(partnership.get_absolute_url())
        block = page.get_by_role("region", name="Published news")
        row = block.get_by_role("row").filter(has_text=LINK)
        assert "20 May 2026" in row.inner_text() or "May 20, 2026" in row.inner_text()
        assert "The university's website" in row.inner_text() and "Русский" in row.inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert_accessible(page)  # the partner page with its block
