"""The partner page's Agreements tab: a tree of umbrellas and their agreements."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from unibridge.agreements.models import Agreement, AgreementParty, AgreementType
from unibridge.institutions.tests.factories import InstitutionFactory


def agreement_with(home, partner, number, *, parent=None, units=(), **fields) -> Agreement:
    agreement = Agreement.objects.create(
        agreement_type=AgreementType.objects.get(code="mou"),
        reference=f"MoU-2026-{number:03d}",
        title=f"Memorandum {number}",
        parent=parent,
        **fields,
    )
    AgreementParty.objects.create(agreement=agreement, institution=home, order=0).units.set(units)
    AgreementParty.objects.create(agreement=agreement, institution=partner, order=1)
    return agreement


def tab(partner) -> str:
    return f"/institutions/{partner.uuid}/agreements/"


def test_the_tab_lists_umbrellas_with_their_agreements_under_them(office_client, home):
    partner = InstitutionFactory(name="AGH")
    umbrella = agreement_with(home, partner, 1, status="active")
    child = agreement_with(home, partner, 2, parent=umbrella, status="draft")
    grandchild = agreement_with(home, partner, 3, parent=child)
    other = agreement_with(home, partner, 4)
    agreement_with(home, InstitutionFactory(), 5)  # another partner's

    response = office_client.get(tab(partner))
    assert response.status_code == 200
    tree = [(agreement, depth) for agreement, depth in response.context["agreement_tree"]]
    assert (umbrella, 0) in tree and (other, 0) in tree
    position = {agreement: index for index, (agreement, _depth) in enumerate(tree)}
    assert position[umbrella] < position[child] < position[grandchild]
    assert dict(tree)[child] == 1 and dict(tree)[grandchild] == 2
    assert len(tree) == 4
    html = response.content.decode()
    assert "MoU-2026-005" not in html
    assert "Active" in html and "Draft" in html


def test_the_tab_uses_the_same_queries_for_2_and_20_agreements(
    office_client, home, django_assert_num_queries
):
    partner = InstitutionFactory()
    umbrella = agreement_with(home, partner, 1)
    agreement_with(home, partner, 2, parent=umbrella)
    with CaptureQueriesContext(connection) as few:
        assert office_client.get(tab(partner)).status_code == 200
    for number in range(3, 21):
        agreement_with(home, partner, number, parent=umbrella if number % 2 else None)
    with django_assert_num_queries(len(few)):
        response = office_client.get(tab(partner))
    assert len(response.context["agreement_tree"]) == 20


def test_the_tab_keeps_query_counts_for_a_coordinator(
    coordinator_client, home, engineering, django_assert_num_queries
):
    partner = InstitutionFactory()
    for number in (1, 2):
        agreement_with(home, partner, number, units=[engineering], is_confidential=True)
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(tab(partner))
    for number in range(3, 21):
        agreement_with(home, partner, number, units=[engineering], is_confidential=True)
    with django_assert_num_queries(len(few)):
        response = coordinator_client.get(tab(partner))
    assert len(response.context["agreement_tree"]) == 20


def test_confidential_agreements_are_left_out_for_those_who_may_not_see_them(
    viewer_client, coordinator_client, home, engineering, economics
):
    partner = InstitutionFactory()
    umbrella = agreement_with(home, partner, 1, is_confidential=True, units=[economics])
    child = agreement_with(home, partner, 2, parent=umbrella, units=[engineering])
    secret = agreement_with(home, partner, 3, is_confidential=True, units=[engineering])

    viewer_tree = dict(viewer_client.get(tab(partner)).context["agreement_tree"])
    assert viewer_tree == {child: 0}  # its hidden umbrella is not shown, nor named
    assert "MoU-2026-001" not in viewer_client.get(tab(partner)).content.decode()
    coordinator_tree = dict(coordinator_client.get(tab(partner)).context["agreement_tree"])
    assert coordinator_tree == {child: 0, secret: 0}


def test_writers_get_a_new_agreement_button_for_this_partner(office_client, viewer_client, home):
    partner = InstitutionFactory()
    button = f'href="/agreements/new/?partner={partner.uuid}"'
    assert button in office_client.get(tab(partner)).content.decode()
    assert button not in viewer_client.get(tab(partner)).content.decode()
    prefilled = office_client.get(f"/agreements/new/?partner={partner.uuid}").content.decode()
    assert f'name="partners" value="{partner.pk}" checked' in prefilled


def test_the_home_institution_links_to_the_list_instead(office_client, home):
    partner = InstitutionFactory()
    agreement_with(home, partner, 1)
    response = office_client.get(tab(home))
    assert response.context["agreement_tree"] == []
    assert 'href="/agreements/"' in response.content.decode()


def test_a_partner_with_hundreds_of_agreements_shows_the_newest_and_links_the_rest(
    office_client, home, monkeypatch
):
    from unibridge.institutions import selectors

    monkeypatch.setattr(selectors, "AGREEMENT_TREE_ROWS", 3)
    agh = InstitutionFactory(name="AGH")
    for number in range(5):
        agreement_with(home, agh, number)
    page = office_client.get(tab(agh)).content.decode()
    assert "The newest 3 of 5 agreements are shown." in page
    assert page.count("MoU-2026-") == 3
    assert f"/agreements/?partner={agh.uuid}" in page


def test_a_long_timeline_comes_a_page_at_a_time(office_client, home, monkeypatch):
    from unibridge.institutions import views
    from unibridge.institutions.tests.factories import PartnershipFactory

    monkeypatch.setattr(views, "TIMELINE_PAGE_SIZE", 2)
    agh = InstitutionFactory(name="AGH")
    partnership = PartnershipFactory(partner=agh)
    for number in range(3):
        agreement_with(home, agh, number)
    url = partnership.get_absolute_url() + "timeline/"
    first = office_client.get(url).content.decode()
    second = office_client.get(url + "?page=2").content.decode()
    assert 'rel="next"' in first and 'rel="prev"' in second
    shown = [ref for ref in ("MoU-2026-000", "MoU-2026-001", "MoU-2026-002") if ref in first]
    assert len(shown) <= 2
    assert all(ref in first + second for ref in ("MoU-2026-000", "MoU-2026-001", "MoU-2026-002"))
