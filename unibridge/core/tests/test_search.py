"""The global search: transliteration, typos, ranking, permissions, index upkeep, page, API.

Runs on SQLite, and on PostgreSQL with DATABASE_URL set: the same assertions hold on both.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from unibridge.core import search
from unibridge.core.models import SearchEntry, SearchPosting, SearchWord
from unibridge.institutions.models import Institution, OrganizationalUnit, Partnership, Person
from unibridge.institutions.tests.factories import (
    InstitutionFactory,
    PartnershipFactory,
    PersonFactory,
    UnitFactory,
)

KIU = "Karaganda Industrial University"
AGH = "AGH University of Krakow"


@pytest.fixture
def agh(db):
    return InstitutionFactory(
        name="Akademia Górniczo-Hutnicza im. Stanisława Staszica w Krakowie",
        name_en=AGH,
        acronym="AGH",
        city="Kraków",
        country="PL",
    )


@pytest.fixture
def others(db):
    """Neighbours that share words with the two universities, so that ranking matters."""
    return [
        InstitutionFactory(name="Jagiellonian University", city="Kraków", country="PL"),
        InstitutionFactory(name="Karaganda Medical University", city="Karaganda", country="KZ"),
        InstitutionFactory(name="Cracow University of Technology", city="Kraków", country="PL"),
        InstitutionFactory(name="Warsaw University of Technology", city="Warszawa", country="PL"),
    ]


def titles(query, user, **kwargs) -> list[str]:
    return [result.title for result in search.search(query, user, **kwargs)]


# --- Finding names in any script and spelling -----------------------------------------------------


@pytest.mark.parametrize(
    "query", ["Караганда", "Qaraǵandy", "Karaganda", "KARAGANDA", "Қарағанды", "Qarag'andy"]
)
def test_every_spelling_of_karaganda_finds_the_home_university(office_user, home, others, query):
    assert titles(query, office_user)[0] == KIU


@pytest.mark.parametrize("query", ["Krakow", "Kraków", "Краков", "krakow", "КРАКОВ"])
def test_every_spelling_of_krakow_finds_agh_first(office_user, agh, others, query):
    found = titles(query, office_user)
    assert found[0] == AGH
    assert "Jagiellonian University" in found  # by its city, below the name match


def test_the_native_name_is_found_in_its_own_script(office_user, home, agh):
    assert titles("Карагандинский индустриальный", office_user) == [KIU]
    assert titles("Górniczo Hutnicza", office_user) == [AGH]
    assert titles("gorniczo hutnicza", office_user) == [AGH]


@pytest.mark.parametrize(
    "query,expected",
    [
        ("Karagnda", KIU),  # a letter left out
        ("Karaganfa", KIU),  # a wrong consonant
        ("Karagadna", KIU),  # two letters swapped
        ("Krakw", AGH),
        ("Krakwo", AGH),
        ("Karaganda Industral", KIU),
        ("Unversity Krakow", AGH),
    ],
)
def test_one_letter_typos_still_find_the_record(office_user, home, agh, others, query, expected):
    assert titles(query, office_user)[0] == expected


def test_a_typo_in_a_common_word_finds_all_its_holders(office_user, home, agh):
    assert set(titles("Unversity", office_user)) == {KIU, AGH}


def test_the_beginning_of_a_word_is_enough_while_typing(office_user, home, agh, others):
    assert titles("Karag", office_user)[0] == KIU
    assert titles("Karaganda Indus", office_user) == [KIU]
    assert titles("AGH Krak", office_user)[0] == AGH


def test_every_word_of_the_query_must_match(office_user, home, agh):
    assert titles("AGH Krakow", office_user)[0] == AGH
    assert titles("AGH Karaganda", office_user) == []
    assert titles("Zzyzx", office_user) == []


def test_a_query_without_words_finds_nothing(office_user, home):
    assert titles("", office_user) == []
    assert titles(" ,.;!? ", office_user) == []


def test_country_names_in_every_interface_language_find_institutions(office_user, home, agh):
    assert titles("Kazakhstan", office_user) == [KIU]
    assert titles("Казахстан", office_user) == [KIU]
    assert titles("Polska", office_user) == [AGH]


def test_identifiers_find_institutions(office_user, db):
    InstitutionFactory(name="Politechnika Krakowska", erasmus_code="PL KRAKOW03", pic="999876543")
    assert titles("PL KRAKOW03", office_user) == ["Politechnika Krakowska"]
    assert titles("999876543", office_user) == ["Politechnika Krakowska"]


# --- Ranking --------------------------------------------------------------------------------------


def test_an_exact_name_beats_a_longer_name_holding_the_same_words(office_user, db):
    InstitutionFactory(name="Karaganda Technical University")
    InstitutionFactory(name="Karaganda University")
    InstitutionFactory(name="Karaganda University of Business")
    assert titles("Karaganda University", office_user) == [
        "Karaganda University",
        "Karaganda Technical University",
        "Karaganda University of Business",
    ]


def test_a_whole_word_beats_a_word_that_only_starts_like_it(office_user, db):
    InstitutionFactory(name="Krakowska Akademia")
    InstitutionFactory(name="Krakow School of Arts")
    assert titles("Krakow", office_user)[:2] == ["Krakow School of Arts", "Krakowska Akademia"]


def test_a_match_in_the_name_beats_a_match_in_the_city(office_user, agh, others):
    found = titles("Krakow", office_user)
    assert found.index(AGH) < found.index("Jagiellonian University")


def test_an_exact_word_in_a_lesser_field_beats_a_typo_in_the_name(office_user, db):
    PersonFactory(name_native="Anna Fulton")
    PersonFactory(name_native="Jan Nowak", research_keywords="flotation, mineral processing")
    assert titles("flotation", office_user) == ["Jan Nowak"]


def test_ties_are_ordered_by_title_the_same_way_on_every_database(office_user, db):
    for name in ["Zeta Institute", "Alpha Institute", "Mu Institute"]:
        InstitutionFactory(name=name)
    assert titles("Institute", office_user) == ["Alpha Institute", "Mu Institute", "Zeta Institute"]


@pytest.fixture
def mining(db):
    for n in range(30):
        owner = InstitutionFactory(name=f"University of Mining {n}", city="Kraków")
        UnitFactory(institution=owner, name=f"Faculty of Mineral Processing {n % 3}")
        PersonFactory(
            name_native=f"Mining Person {n}",
            institution=owner,
            research_keywords="mineral processing, mining",
        )


PLAN_QUERIES = ["mining", "mineral processing", "of", "university mining", "faculty of", "krakw"]


def test_every_query_plan_gives_the_order_of_scoring_everything(office_user, monkeypatch, mining):
    monkeypatch.setattr(search, "_COMMON", 10**9)
    monkeypatch.setattr(search, "_DRIVER_RATIO", 10**9)
    everything = {query: titles(query, office_user, limit=15) for query in PLAN_QUERIES}
    monkeypatch.setattr(search, "_COMMON", 0)  # common words: the best postings first
    answered = []
    plan = search._best_when_common
    monkeypatch.setattr(
        search, "_best_when_common", lambda *a: answered.append(plan(*a)) or answered[-1]
    )
    assert {query: titles(query, office_user, limit=15) for query in PLAN_QUERIES} == everything
    assert len([rows for rows in answered if rows is not None]) >= 3
    monkeypatch.setattr(search, "_COMMON", 10**9)
    monkeypatch.setattr(search, "_DRIVER_RATIO", 0)  # through the rarest word's entries
    assert {query: titles(query, office_user, limit=15) for query in PLAN_QUERIES} == everything
    assert everything["mineral processing"][0].startswith("Faculty of Mineral Processing")


@pytest.mark.parametrize("query", ["mining", "of", "krakw", "min", "mineral"])
def test_the_one_word_plan_gives_the_order_of_scoring_everything(query, mining):
    kinds = ", ".join(f"'{kind}'" for kind in ["institution", "partnership", "person", "unit"])
    (term,) = search._candidates(search.terms_of(query))
    for window in (1, 5, 40):
        assert search._best_for_one_word(term, kinds, window) == [
            tuple(row) for row in search._best_for_all_words([term], kinds, window)
        ]


# --- What each kind of record is found by ------------------------------------------------------


def test_units_are_found_by_name_and_by_their_institutions_acronym(office_user, agh):
    UnitFactory(institution=agh, name="Faculty of Mineral Processing")
    UnitFactory(institution=agh, name="Faculty of Mechanical Engineering and Robotics")
    assert titles("AGH mineral", office_user) == ["Faculty of Mineral Processing"]
    assert titles("robotics", office_user) == ["Faculty of Mechanical Engineering and Robotics"]


def test_people_are_found_by_native_and_latin_names_and_keywords(office_user, agh):
    PersonFactory(
        name_native="Иванов Ерлан", institution=agh, research_keywords="flotation, tribology"
    )
    expected = ["Иванов Ерлан (Ivanov Erlan)"]
    assert titles("Иванов", office_user) == expected
    assert titles("Ivanov Erlan", office_user) == expected
    assert titles("Iwanow", office_user) == expected  # the Polish spelling
    assert titles("tribology", office_user) == expected
    assert titles("AGH Ivanov", office_user) == expected


def test_partnerships_are_found_by_their_partners_names(office_user, agh):
    PartnershipFactory(partner=agh)
    kinds = [result.kind for result in search.search("Краков", office_user)]
    assert kinds == ["institution", "partnership"]


def test_a_result_carries_what_a_list_shows(office_user, agh):
    (result,) = search.search("Górniczo", office_user)
    assert result.kind == "institution"
    assert result.label == "Institution"
    assert result.title == AGH
    assert result.subtitle == "Kraków, Poland"
    assert result.url == agh.get_absolute_url()
    assert result.uuid == agh.uuid
    assert result.object == agh


# --- Permissions ----------------------------------------------------------------------------------


@pytest.fixture
def secret_partnership(agh, engineering):
    partnership = PartnershipFactory(partner=agh, is_confidential=True)
    partnership.home_units.set([engineering])
    return partnership


def test_a_confidential_partnership_is_hidden_from_a_viewer(viewer_user, secret_partnership):
    assert [r.kind for r in search.search("AGH", viewer_user)] == ["institution"]


def test_a_confidential_partnership_is_found_by_the_office(office_user, secret_partnership):
    assert [r.kind for r in search.search("AGH", office_user)] == ["institution", "partnership"]


def test_a_confidential_partnership_is_found_by_a_coordinator_of_an_involved_unit(
    coordinator_user, other_coordinator_user, secret_partnership
):
    assert "partnership" in [r.kind for r in search.search("AGH", coordinator_user)]
    assert "partnership" not in [r.kind for r in search.search("AGH", other_coordinator_user)]


def test_a_confidential_person_is_found_by_the_office_and_their_unit_only(
    office_user, viewer_user, coordinator_user, other_coordinator_user, engineering
):
    PersonFactory(name_native="Secret Agent", unit=engineering, is_confidential=True)
    assert titles("Secret Agent", office_user) == ["Secret Agent"]
    assert titles("Secret Agent", coordinator_user) == ["Secret Agent"]
    assert titles("Secret Agent", viewer_user) == []
    assert titles("Secret Agent", other_coordinator_user) == []


def test_hidden_hits_do_not_shorten_the_list(viewer_user, db):
    for n in range(15):
        PersonFactory(name_native=f"Aaron Hidden{n}", is_confidential=True)
    for n in range(5):
        PersonFactory(name_native=f"Aaron Visible{n}")
    assert len(titles("Aaron", viewer_user, limit=5)) == 5


def test_an_anonymous_user_finds_nothing(home):
    from django.contrib.auth.models import AnonymousUser

    assert search.search("Karaganda", AnonymousUser()) == []


# --- Keeping the index in step -------------------------------------------------------------------


def test_an_edit_updates_the_index(office_user, agh):
    agh.name_en = "AGH University of Science and Technology"
    agh.save()
    assert titles("Science Technology", office_user) == ["AGH University of Science and Technology"]
    assert titles("AGH Krakow", office_user) == ["AGH University of Science and Technology"]
    agh.name = "AGH"
    agh.city = ""
    agh.save()
    assert titles("Krakowie", office_user) == []


def test_renaming_an_institution_updates_its_partnership_and_units(office_user, agh):
    PartnershipFactory(partner=agh)
    UnitFactory(institution=agh, name="Faculty of Geology")
    agh.acronym = "AGHUST"
    agh.name_en = "Academy of Mining and Metallurgy"
    agh.save()
    assert [r.kind for r in search.search("Metallurgy Academy", office_user)] == [
        "institution",
        "partnership",
    ]
    assert titles("AGHUST geology", office_user) == ["Faculty of Geology"]


def test_an_edit_of_a_field_nothing_is_found_by_does_not_reindex_dependents(
    office_user, agh, django_assert_max_num_queries
):
    UnitFactory.create_batch(3, institution=agh)
    agh.notes = "Met at the round table."
    with CaptureQueriesContext(connection) as queries:
        agh.save()
    unit_queries = [q for q in queries if "institutions_organizationalunit" in q["sql"]]
    assert unit_queries == []


def test_deletion_removes_the_record_from_the_index(office_user, agh):
    person = PersonFactory(name_native="Jan Kowalski", institution=agh)
    unit = UnitFactory(institution=agh, name="Faculty of Geology")
    assert titles("Kowalski", office_user) == ["Jan Kowalski"]
    person.delete()
    unit.delete()
    assert titles("Kowalski", office_user) == []
    assert titles("Geology", office_user) == []
    assert not SearchEntry.objects.filter(kind__in=["person", "unit"]).exists()


def test_deleting_a_unit_reindexes_the_people_who_were_in_it(office_user, agh):
    unit = UnitFactory(institution=agh, name="Laboratory of Flotation", acronym="LABFLOT")
    PersonFactory(name_native="Jan Kowalski", institution=agh, unit=unit)
    assert titles("LABFLOT Kowalski", office_user) == ["Jan Kowalski"]
    unit.delete()
    assert titles("LABFLOT Kowalski", office_user) == []
    assert titles("Kowalski", office_user) == ["Jan Kowalski"]


def test_reindex_catches_up_after_bulk_create_and_update(office_user, db):
    created = Institution.objects.bulk_create(
        [Institution(name=f"Bulk University {n}", country="DE") for n in range(30)]
    )
    assert titles("Bulk", office_user) == []
    assert search.reindex(Institution, [i.pk for i in created]) == 30
    assert len(titles("Bulk", office_user, limit=50)) == 30
    Institution.objects.filter(pk=created[0].pk).update(name="Renamed Academy")
    assert search.reindex(Institution, [created[0].pk]) == 1
    assert titles("Renamed Academy", office_user) == ["Renamed Academy"]
    assert search.reindex(Institution, [created[1].pk]) == 0  # nothing changed
    Institution.objects.filter(pk=created[1].pk).update(name="Second Academy")
    assert search.reindex(Institution, [str(created[1].pk)]) == 1  # ids as text are fine too
    assert titles("Second Academy", office_user) == ["Second Academy"]


def test_reindex_drops_records_that_no_longer_exist(office_user, agh):
    pk = agh.pk
    Institution.objects.filter(pk=pk).delete()  # a bulk delete still sends post_delete…
    SearchEntry.objects.all().delete()
    search.reindex(Institution, [pk])  # …and reindexing a missing record is harmless
    assert titles("AGH", office_user) == []


def test_word_counts_follow_saves_and_deletes(agh):
    person = PersonFactory(name_native="Zbigniew Unique", institution=agh)
    assert SearchWord.objects.get(word="zbigniew").entries == 1
    PersonFactory(name_native="Zbigniew Second", institution=agh)
    assert SearchWord.objects.get(word="zbigniew").entries == 2
    person.delete()
    assert SearchWord.objects.get(word="zbigniew").entries == 1


def test_rebuild_command_restores_a_lost_index(office_user, home, agh, capsys):
    PartnershipFactory(partner=agh)
    SearchPosting.objects.all().delete()
    SearchEntry.objects.all().delete()
    SearchWord.objects.create(word="orphan", skeleton="orpn", length=6)
    assert titles("Krakow", office_user) == []
    call_command("rebuild_search_index")
    assert titles("Krakow", office_user) == [AGH, AGH]
    assert not SearchWord.objects.filter(word="orphan").exists()
    assert "partnership: 1 indexed" in capsys.readouterr().out
    assert SearchWord.objects.get(word="krakow").entries == 2


def test_rebuild_command_rebuilds_one_model_and_rejects_others(office_user, agh):
    PartnershipFactory(partner=agh)
    SearchEntry.objects.filter(kind="partnership").delete()
    call_command("rebuild_search_index", "institutions.Partnership", verbosity=0)
    assert [r.kind for r in search.search("AGH", office_user)] == ["institution", "partnership"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="not searchable"):
        call_command("rebuild_search_index", "accounts.User")


# --- Registration ------------------------------------------------------------------------------


class Visitor(Person):
    """A stand-in for a later module's record: registered on its own, found by its notes."""

    class Meta:
        proxy = True
        app_label = "institutions"


@pytest.fixture
def visitors(db):
    # The proxy's content type is made inside each test's transaction: forget it afterwards.
    ContentType.objects.clear_cache()
    search.register(
        Visitor,
        kind="visitor",
        fields=lambda visitor: [(visitor.notes, search.NAME)],
        title=lambda visitor: f"Visitor {visitor.name_native}",
        subtitle=lambda visitor: "Delegation",
        url=lambda visitor: f"/visits/{visitor.uuid}/",
        queryset=Visitor.objects.select_related("institution"),
    )
    yield
    search.unregister(Visitor)
    ContentType.objects.clear_cache()


def test_a_new_model_registers_and_is_found_like_the_others(office_user, visitors, agh):
    visitor = Visitor.objects.create(name_native="Piotr Nowak", notes="Round table delegation")
    (result,) = search.search("round table", office_user)
    assert (result.kind, result.title, result.url) == (
        "visitor",
        "Visitor Piotr Nowak",
        f"/visits/{visitor.uuid}/",
    )
    assert result.label == "Visitor"
    visitor.notes = "Online meeting"
    visitor.save()
    assert search.search("round table", office_user) == []
    assert titles("online meeting", office_user) == ["Visitor Piotr Nowak"]
    assert titles("online meeting", office_user, kinds=["person"]) == []


def test_registration_keeps_the_permission_rule(office_user, viewer_user, visitors):
    Visitor.objects.create(name_native="X", notes="Secret delegation", is_confidential=True)
    assert len(search.search("secret delegation", office_user)) == 1
    assert search.search("secret delegation", viewer_user) == []


def test_registration_rejects_a_model_without_a_permission_rule():
    from django.contrib.auth.models import Group

    with pytest.raises(ImproperlyConfigured, match="visible_to"):
        search.register(Group, kind="group", fields=lambda group: [(group.name, search.NAME)])


def test_registration_rejects_a_bad_or_taken_kind():
    with pytest.raises(ImproperlyConfigured, match="lower-case"):
        search.register(Visitor, kind="Visitor-2", fields=lambda v: [])
    with pytest.raises(ImproperlyConfigured, match="already used"):
        search.register(Visitor, kind="institution", fields=lambda v: [])


def test_the_four_institution_models_are_registered():
    assert {r.model for r in search.registrations()} >= {
        Institution,
        OrganizationalUnit,
        Person,
        Partnership,
    }


# --- Query counts ---------------------------------------------------------------------------------


def _query_count(callable_) -> int:
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def _populate(n: int) -> None:
    for i in range(n):
        institution = InstitutionFactory(name=f"Krakow Academy {i}", acronym=f"KA{i}")
        unit = UnitFactory(institution=institution, name=f"Krakow Faculty {i}")
        PersonFactory(name_native=f"Krakow Person {i}", institution=institution, unit=unit)
        PartnershipFactory(partner=institution, is_confidential=i % 2 == 0)


@pytest.mark.parametrize("query", ["Krakow", "Krakow Academy", "Krakw", "Kra"])
def test_the_number_of_queries_does_not_grow_with_the_records(office_user, query, db):
    _populate(3)
    few = _query_count(lambda: search.search(query, office_user, limit=50))
    _populate(30)
    many = _query_count(lambda: search.search(query, office_user, limit=50))
    # vocabulary, ranking, and one query per kind among the hits (fewer kinds, fewer queries)
    assert many <= few <= 6


def test_hidden_hits_cost_one_more_round_of_queries_however_many_there_are(viewer_user, db):
    def hide(count: int) -> None:
        for i in range(count):
            PersonFactory(name_native=f"Krakow Secret A{i:03d}", is_confidential=True)

    for i in range(5):
        PersonFactory(name_native=f"Krakow Secret Z{i}")
    hide(30)  # the best 20 hits are all hidden from a viewer: a second, longer read
    some = _query_count(lambda: search.search("Krakow Secret", viewer_user, limit=10))
    hide(60)
    more = _query_count(lambda: search.search("Krakow Secret", viewer_user, limit=10))
    assert some == more <= 6
    assert len(search.search("Krakow Secret", viewer_user, limit=10)) == 5


def test_the_search_page_runs_a_fixed_number_of_queries(
    office_client, django_assert_max_num_queries, db
):
    _populate(10)
    with django_assert_max_num_queries(10):
        response = office_client.get("/search/", {"q": "Krakow"})
    assert len(response.context["results"]) == 40


# --- The page -------------------------------------------------------------------------------------


def test_the_page_requires_login(client, db):
    response = client.get("/search/", {"q": "AGH"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_ranked_results_with_kind_title_subtitle_and_link(office_client, agh):
    PartnershipFactory(partner=agh)
    response = office_client.get("/search/", {"q": "Краков"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<html" in content
    assert f'href="{agh.get_absolute_url()}"' in content
    assert "Kraków, Poland" in content
    assert ">Institution<" in content and ">Partnership<" in content
    assert response.context["search_query"] == "Краков"


def test_the_page_without_a_query_explains_what_the_search_does(office_client):
    response = office_client.get("/search/")
    assert response.status_code == 200
    assert response.context["results"] == []
    assert "Find any record by name" in response.content.decode()


def test_the_page_says_when_nothing_matches(office_client, agh):
    response = office_client.get("/search/", {"q": "Zzyzx"})
    assert "Nothing found for “Zzyzx”" in response.content.decode()


def test_the_page_says_when_there_are_more_results_than_shown(office_client, db):
    for n in range(51):
        InstitutionFactory(name=f"Polytechnic {n:02d}")
    response = office_client.get("/search/", {"q": "Polytechnic"})
    assert len(response.context["results"]) == 50
    assert "Only the best 50 matches are shown" in response.content.decode()


def htmx_get(client, query, target="global-search-results"):
    return client.get("/search/", {"q": query}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET=target)


def test_the_search_box_gets_a_short_list_and_a_link_to_the_page(office_client, db):
    for n in range(12):
        InstitutionFactory(name=f"Polytechnic {n:02d}")
    response = htmx_get(office_client, "Polytechnic")
    content = response.content.decode()
    assert "<html" not in content
    assert content.count("<li>") == 8
    assert 'href="/search/?q=Polytechnic"' in content


def test_other_htmx_requests_get_the_whole_list_without_the_page(office_client, db):
    for n in range(12):
        InstitutionFactory(name=f"Polytechnic {n:02d}")
    content = htmx_get(office_client, "Polytechnic", target="results").content.decode()
    assert "<html" not in content
    assert content.count("<li>") == 12


def test_an_emptied_search_box_closes_its_popup(office_client):
    assert htmx_get(office_client, "  ").content == b""


def test_the_page_hides_what_the_user_may_not_see(viewer_client, secret_partnership):
    kinds = [r.kind for r in viewer_client.get("/search/", {"q": "AGH"}).context["results"]]
    assert kinds == ["institution"]


# --- The API --------------------------------------------------------------------------------------


@pytest.fixture
def api(office_user):
    client = APIClient()
    client.force_authenticate(office_user)
    return client


def test_the_api_answers_query_and_ranked_results(api, agh):
    PartnershipFactory(partner=agh)
    response = api.get("/api/v1/search/", {"q": "Краков", "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "Краков"
    assert [hit["kind"] for hit in body["results"]] == ["institution", "partnership"]
    first = body["results"][0]
    assert first == {
        "kind": "institution",
        "id": str(agh.uuid),
        "title": AGH,
        "subtitle": "Kraków, Poland",
        "url": agh.get_absolute_url(),
        "score": first["score"],
    }
    assert first["score"] >= body["results"][1]["score"] > 0


def test_the_api_respects_the_limit(api, db):
    for n in range(8):
        InstitutionFactory(name=f"Polytechnic {n}")
    assert len(api.get("/api/v1/search/", {"q": "Polytechnic", "limit": 3}).json()["results"]) == 3


@pytest.mark.parametrize(
    "params,field",
    [
        ({}, "q"),
        ({"q": ""}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * (search.MAX_QUERY_LENGTH + 1)}, "q"),
        ({"q": "agh", "limit": 0}, "limit"),
        ({"q": "agh", "limit": 51}, "limit"),
        ({"q": "agh", "limit": "many"}, "limit"),
    ],
)
def test_the_api_rejects_bad_parameters_with_a_json_field_error(api, params, field):
    response = api.get("/api/v1/search/", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "invalid"
    assert field in response.json()["fields"]


def test_the_api_requires_authentication(db):
    response = APIClient().get("/api/v1/search/", {"q": "agh"})
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_the_api_hides_what_the_user_may_not_see(viewer_user, secret_partnership):
    client = APIClient()
    client.force_authenticate(viewer_user)
    body = client.get("/api/v1/search/", {"q": "AGH"}).json()
    assert [hit["kind"] for hit in body["results"]] == ["institution"]


def test_the_api_runs_a_fixed_number_of_queries(api, django_assert_max_num_queries, db):
    _populate(10)
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/search/", {"q": "Krakow", "limit": 50})
    assert len(response.json()["results"]) == 40


def test_models_module_keeps_the_abstract_bases():
    from unibridge.core.models import PublicModel, TimeStampedModel

    assert PublicModel._meta.abstract and TimeStampedModel._meta.abstract
    assert issubclass(SearchEntry, models.Model)
