"""The news draft's last steps: approval by the office, publications per language and place,
the partner pages' "Published news" block and the annual report's selector."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from unibridge.core.testing import messages_of
from unibridge.core.zones import home_today
from unibridge.institutions.tests.factories import InstitutionFactory, PartnershipFactory
from unibridge.visits import publication_services as publications
from unibridge.visits import selectors
from unibridge.visits import services as visit_services
from unibridge.visits.choices import VisitStatus
from unibridge.visits.models import NewsDraft, NewsPublication
from unibridge.visits.tests.factories import VisitFactory

DAY = datetime.date(2026, 5, 20)


@pytest.fixture
def agh(db):
    return InstitutionFactory(name="AGH University of Krakow", acronym="AGH", country="PL")


@pytest.fixture
def visit(home, engineering, agh):
    visit = VisitFactory(
        title="AGH delegation",
        host_institution=home,
        visiting_institution=agh,
        status=VisitStatus.COMPLETED,
    )
    visit.home_units.set([engineering])
    return visit


def draft_of(visit, office_user, language="ru") -> NewsDraft:
    return visit_services.news_generate(visit=visit, user=office_user, language=language)


def approved(visit, office_user, language="ru") -> NewsDraft:
    return publications.news_approve(draft=draft_of(visit, office_user, language), user=office_user)


def publish(draft, user, **values) -> NewsPublication:
    values = {"published_on": DAY, "channel": "home_site",
              "url": "https://kiu.kz/news/agh-delegation", **values}  # fmt: skip
    return publications.news_publish(draft=draft, user=user, values=values)


def url(name, visit, language="ru") -> str:
    return reverse(f"visits:{name}", args=[visit.uuid, language])


def tab(client, visit) -> str:
    response = client.get(reverse("visits:visit_tab", args=[visit.uuid, "news"]))
    assert response.status_code == 200
    return response.content.decode()


# --- The services ---------------------------------------------------------------------------------


def test_a_draft_goes_draft_approved_published_and_records_who_approved(office_user, visit):
    draft = draft_of(visit, office_user)
    assert draft.status == "draft"
    publications.news_approve(draft=draft, user=office_user)
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by) == ("approved", office_user)
    assert draft.approved_at is not None
    publication = publish(draft, office_user)
    draft.refresh_from_db()
    assert draft.status == "published"
    assert (publication.published_on, publication.channel, publication.language) == (
        DAY, "home_site", "ru",
    )  # fmt: skip


def test_one_story_is_published_in_each_language_where_it_appeared(office_user, visit):
    russian = approved(visit, office_user, "ru")
    polish = approved(visit, office_user, "pl")
    publish(russian, office_user)
    publish(russian, office_user, channel="social_media", url="t.me/kiu_news/42")
    publish(
        polish, office_user, channel="partner_site", url="https://www.agh.edu.pl/aktualnosci/kiu"
    )
    stored = {(p.language, p.channel, p.url) for p in NewsPublication.objects.all()}
    assert stored == {
        ("ru", "home_site", "https://kiu.kz/news/agh-delegation"),
        ("ru", "social_media", "https://t.me/kiu_news/42"),  # the scheme is assumed
        ("pl", "partner_site", "https://www.agh.edu.pl/aktualnosci/kiu"),
    }


def test_a_coordinator_writes_but_does_not_approve(coordinator_user, office_user, visit):
    draft = draft_of(visit, office_user)
    with pytest.raises(PermissionDenied):
        publications.news_approve(draft=draft, user=coordinator_user)
    draft.refresh_from_db()
    assert draft.status == "draft"
    publications.news_approve(draft=draft, user=office_user)
    # but records where the approved news of their unit's visit appeared
    publish(draft, coordinator_user)
    assert NewsPublication.objects.count() == 1


def test_the_order_of_the_steps_is_enforced(office_user, visit):
    draft = draft_of(visit, office_user)
    with pytest.raises(publications.NewsTransitionError, match="while the news is “Draft”"):
        publish(draft, office_user)
    publications.news_approve(draft=draft, user=office_user)
    with pytest.raises(publications.NewsTransitionError):
        publications.news_approve(draft=draft, user=office_user)
    publish(draft, office_user)
    with pytest.raises(publications.NewsTransitionError):
        publications.news_withdraw_approval(draft=draft, user=office_user)
    assert NewsPublication.objects.count() == 1


def test_a_changed_text_needs_approving_again_and_a_published_one_stays(office_user, visit):
    draft = approved(visit, office_user)
    visit_services.news_update(draft=draft, user=office_user, title="New title", lead="Lead",
                               body="Body")  # fmt: skip
    draft.refresh_from_db()
    assert (draft.status, draft.approved_by, draft.title) == ("draft", None, "New title")
    publications.news_approve(draft=draft, user=office_user)
    publish(draft, office_user)
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="Changing the text is not possible"):
        visit_services.news_update(draft=draft, user=office_user, title="Other", lead="L", body="")
    with pytest.raises(ValidationError, match="Changing the text is not possible"):
        visit_services.news_generate(visit=visit, user=office_user, language="ru")
    draft.refresh_from_db()
    assert draft.title == "New title"


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"published_on": None}, "published_on", "This field is required."),
        ({"published_on": home_today() + datetime.timedelta(days=1)}, "published_on",
         "The news cannot have appeared after today; record it once it is out."),
        ({"channel": "fax"}, "channel", "“fax” is not a channel; choose one of the list."),
        ({"url": "not a link"}, "url", "Enter a valid URL."),
        ({"url": ""}, "url", "This field is required."),
    ],
)  # fmt: skip
def test_bad_publication_values_are_refused_and_nothing_changes(
    office_user, visit, values, field, message
):
    draft = approved(visit, office_user)
    with pytest.raises(ValidationError) as refused:
        publish(draft, office_user, **values)
    assert refused.value.message_dict[field] == [message]
    draft.refresh_from_db()
    assert draft.status == "approved"
    assert not NewsPublication.objects.exists()


def test_the_same_link_twice_is_refused_at_the_link(office_user, visit):
    draft = approved(visit, office_user)
    publish(draft, office_user)
    with pytest.raises(ValidationError) as refused:
        publish(draft, office_user, published_on=DAY + datetime.timedelta(days=1))
    assert refused.value.message_dict["url"] == ["This publication is already recorded."]


def test_removing_the_last_publication_makes_the_news_approved_again(office_user, visit):
    draft = approved(visit, office_user)
    first = publish(draft, office_user)
    second = publish(draft, office_user, url="https://kiu.kz/en/news/agh")
    publications.news_publication_delete(publication=first, user=office_user)
    draft.refresh_from_db()
    assert draft.status == "published"
    publications.news_publication_delete(publication=second, user=office_user)
    draft.refresh_from_db()
    assert draft.status == "approved"


def test_published_news_is_read_by_year_and_partner_through_the_visits_rule(
    office_user, viewer_user, visit, home, economics, agh
):
    publish(approved(visit, office_user), office_user, published_on=datetime.date(2025, 12, 30))
    publish(approved(visit, office_user, "pl"), office_user, channel="partner_site",
            url="https://www.agh.edu.pl/kiu")  # fmt: skip
    secret = VisitFactory(host_institution=home, visiting_institution=agh, is_confidential=True,
                          status=VisitStatus.COMPLETED)  # fmt: skip
    secret.home_units.set([economics])
    publish(approved(secret, office_user), office_user, url="https://kiu.kz/news/secret")
    other = VisitFactory(host_institution=home, status=VisitStatus.COMPLETED)
    publish(approved(other, office_user), office_user, url="https://kiu.kz/news/other")

    def urls(**filters):
        return [p.url for p in selectors.published_news(**filters)]

    assert urls(user=office_user, year=2025) == ["https://kiu.kz/news/agh-delegation"]
    assert set(urls(user=office_user, year=2026)) == {
        "https://www.agh.edu.pl/kiu", "https://kiu.kz/news/secret", "https://kiu.kz/news/other",
    }  # fmt: skip
    assert set(urls(user=viewer_user, year=2026)) == {
        "https://www.agh.edu.pl/kiu", "https://kiu.kz/news/other",
    }  # fmt: skip
    assert urls(user=viewer_user, partner=agh) == [
        "https://www.agh.edu.pl/kiu", "https://kiu.kz/news/agh-delegation",
    ]  # fmt: skip


# --- The pages ------------------------------------------------------------------------------------


def test_the_office_approves_on_the_news_tab(office_client, office_user, visit):
    draft_of(visit, office_user)
    assert url("news_approve", visit) in tab(office_client, visit)
    response = office_client.post(url("news_approve", visit), follow=True)
    assert messages_of(response) == ["The Русский news is approved for publication."]
    assert NewsDraft.objects.get(language="ru").status == "approved"
    page = response.content.decode()
    assert "approved by" in page and url("news_publish", visit) in page


def test_a_coordinator_is_refused_approval_and_told_who_approves(
    coordinator_client, office_user, visit
):
    draft_of(visit, office_user)
    page = tab(coordinator_client, visit)
    assert url("news_approve", visit) not in page
    assert "The international office approves the news before it is published." in page
    assert coordinator_client.post(url("news_approve", visit)).status_code == 403
    assert NewsDraft.objects.get(language="ru").status == "draft"


def test_a_step_out_of_order_answers_409_with_the_reason(office_client, office_user, visit):
    draft_of(visit, office_user)
    response = office_client.post(url("news_withdraw_approval", visit))
    assert response.status_code == 409
    assert "Withdrawing the approval is not possible while the news is “Draft”." in (
        response.content.decode()
    )


def test_a_publication_is_recorded_with_the_form_and_listed_on_the_tab(
    coordinator_client, office_user, visit
):
    approved(visit, office_user)
    page = coordinator_client.get(url("news_publish", visit))
    assert page.status_code == 200
    response = coordinator_client.post(
        url("news_publish", visit),
        {"published_on": "2026-05-20", "channel": "partner_site", "url": "agh.edu.pl/news/kiu"},
        follow=True,
    )
    assert messages_of(response) == ["The publication of the Русский news is recorded."]
    publication = NewsPublication.objects.get()
    assert (publication.published_on, publication.channel, publication.url) == (
        DAY, "partner_site", "https://agh.edu.pl/news/kiu",
    )  # fmt: skip
    page = response.content.decode()
    assert "Published" in page and "The partner&#x27;s website" in page
    assert 'href="https://agh.edu.pl/news/kiu"' in page


def test_bad_input_on_the_publication_form_is_shown_at_its_fields(
    office_client, office_user, visit
):
    approved(visit, office_user)
    response = office_client.post(
        url("news_publish", visit), {"published_on": "", "channel": "", "url": "no link"}
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors == {
        "published_on": ["This field is required."],
        "channel": ["This field is required."],
        "url": ["Enter a valid URL."],
    }
    # the service's own rule, at its field too
    tomorrow = (home_today() + datetime.timedelta(days=1)).isoformat()
    response = office_client.post(
        url("news_publish", visit),
        {"published_on": tomorrow, "channel": "home_site", "url": "https://kiu.kz/n"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "published_on": ["The news cannot have appeared after today; record it once it is out."]
    }
    assert not NewsPublication.objects.exists()


def test_publishing_a_draft_that_is_not_approved_answers_409(office_client, office_user, visit):
    draft_of(visit, office_user)
    response = office_client.post(
        url("news_publish", visit),
        {"published_on": "2026-05-20", "channel": "home_site", "url": "https://kiu.kz/n"},
    )
    assert response.status_code == 409
    assert not NewsPublication.objects.exists()


def test_viewers_and_outsiders_cannot_publish_or_remove(
    viewer_client, other_coordinator_user, office_user, visit, client
):
    publication = publish(approved(visit, office_user), office_user)
    delete_url = reverse("visits:news_publication_delete", args=[visit.uuid, publication.uuid])
    assert viewer_client.get(url("news_publish", visit)).status_code == 403
    assert viewer_client.post(delete_url).status_code == 403
    visit.is_confidential = True
    visit.save()
    client.force_login(other_coordinator_user)
    assert client.get(url("news_publish", visit)).status_code == 404
    assert client.post(delete_url).status_code == 404
    assert NewsPublication.objects.count() == 1


def test_a_publication_is_removed_after_confirming(office_client, office_user, visit):
    publication = publish(approved(visit, office_user), office_user)
    delete_url = reverse("visits:news_publication_delete", args=[visit.uuid, publication.uuid])
    assert "Only the record is removed" in office_client.get(delete_url).content.decode()
    response = office_client.post(delete_url, follow=True)
    assert messages_of(response) == ["The publication was removed."]
    assert not NewsPublication.objects.exists()
    assert NewsDraft.objects.get(language="ru").status == "approved"


def test_the_partner_pages_list_the_published_news(
    office_client, viewer_client, office_user, visit, agh, home, economics
):
    partnership = PartnershipFactory(partner=agh)
    publish(approved(visit, office_user), office_user)
    later = DAY + datetime.timedelta(days=2)
    publish(approved(visit, office_user, "pl"), office_user, channel="partner_site",
            published_on=later, url="https://www.agh.edu.pl/kiu")  # fmt: skip
    secret = VisitFactory(host_institution=home, visiting_institution=agh, is_confidential=True,
                          status=VisitStatus.COMPLETED)  # fmt: skip
    secret.home_units.set([economics])
    publish(approved(secret, office_user), office_user, url="https://kiu.kz/news/secret")
    for page_url in (partnership.get_absolute_url(), agh.get_absolute_url() + "visits/"):
        page = viewer_client.get(page_url).content.decode()
        assert "Published news" in page, page_url
        block = page[page.index("published-news-heading") :]
        assert block.index("https://www.agh.edu.pl/kiu") < block.index(
            "https://kiu.kz/news/agh-delegation"
        )  # newest first
        for shown in ("May 22, 2026", "The partner&#x27;s website", "Polski", "Русский",
                      "The university&#x27;s website"):  # fmt: skip
            assert shown in block, (page_url, shown)
        assert "kiu.kz/news/secret" not in page
    assert (
        "kiu.kz/news/secret" in office_client.get(partnership.get_absolute_url()).content.decode()
    )


def test_the_partner_block_reads_the_same_number_of_queries_for_few_and_many(
    office_client, office_user, agh, home
):
    partnership = PartnershipFactory(partner=agh)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert office_client.get(partnership.get_absolute_url()).status_code == 200
        return len(captured)

    def add_visit(n: int) -> None:
        visit = VisitFactory(host_institution=home, visiting_institution=agh,
                             status=VisitStatus.COMPLETED)  # fmt: skip
        publish(approved(visit, office_user), office_user, url=f"https://kiu.kz/news/{n}")

    add_visit(0)
    few = queries()
    for n in range(1, 6):
        add_visit(n)
    assert queries() == few


def test_a_published_text_offers_no_edit_nor_generate(office_client, office_user, visit):
    publish(approved(visit, office_user, "ru"), office_user)
    draft_of(visit, office_user, "pl")
    page = tab(office_client, visit)
    assert page.count("Published: the text is final") == 1
    assert url("news_edit", visit, "ru") not in page
    assert url("news_generate", visit, "ru") not in page
    assert url("news_edit", visit, "pl") in page  # the Polish draft is still a draft
