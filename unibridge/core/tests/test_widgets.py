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
