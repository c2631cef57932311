"""Shared widgets render the same markup as Django's, faster."""


def test_country_select_marks_the_chosen_country_and_offers_all(office_client, home):
    page = office_client.get("/institutions/", {"country": "PL"}).content.decode()
    assert '<option value="PL" selected>Poland</option>' in page
    assert '<option value="XK">Kosovo</option>' in page
    assert page.count("<option value=") > 250


def test_choice_labels_follow_the_language(office_client, home):
    from django.utils import translation

    from unibridge.core.tables import choice_label
    from unibridge.institutions.models import Partnership

    label = choice_label(Partnership, "status")
    with translation.override("en"):
        assert label(Partnership(status="active")) == "Active"
    with translation.override("ru"):
        assert label(Partnership(status="active")) != "Active"


def test_filter_options_over_records_are_read_once_per_cache_period(
    office_client, home, engineering, settings, django_assert_num_queries
):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from unibridge.institutions.tests.factories import UnitFactory

    settings.CHOICES_CACHE_SECONDS = 300
    cache.clear()
    with CaptureQueriesContext(connection) as first:
        page = office_client.get("/agreements/").content.decode()
    assert "Faculty of Engineering" in page
    UnitFactory(institution=home, name="Faculty of Mining")
    with CaptureQueriesContext(connection) as second:
        page = office_client.get("/agreements/").content.decode()
    # the cached options: the new unit waits for the next period, two queries fewer
    assert "Faculty of Mining" not in page
    assert len(second) == len(first) - 2
    cache.clear()
    assert "Faculty of Mining" in office_client.get("/agreements/").content.decode()


def test_list_rows_escape_cell_text(office_client, home):
    from unibridge.institutions.tests.factories import InstitutionFactory

    InstitutionFactory(name="<script>alert(1)</script> Institute", country="PL")
    page = office_client.get("/institutions/", {"q": "Institute"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Institute" in page
