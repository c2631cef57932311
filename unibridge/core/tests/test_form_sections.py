"""Forms in sections with headings, pairs side by side, and units in a searchable tree-select."""

import datetime
import re

from django import forms

from unibridge.core.forms import form_sections
from unibridge.visits.tests.test_visit_pages import make_partner, make_visit


class TripForm(forms.Form):
    title = forms.CharField()
    start = forms.DateField()
    end = forms.DateField()
    secret = forms.CharField(required=False)
    notes = forms.CharField(required=False)
    sections = [("Basics", ["title", ("start", "end"), "secret"]), ("Notes", ["notes"])]


def layout(form) -> list[tuple[str, list[list[str]]]]:
    return [
        (str(s.heading), [[f.name for f in row] for row in s.rows]) for s in form_sections(form)
    ]


def test_fields_come_in_their_sections_and_pairs():
    assert layout(TripForm()) == [
        ("Basics", [["title"], ["start", "end"], ["secret"]]),
        ("Notes", [["notes"]]),
    ]


def test_a_removed_field_is_passed_over_and_an_added_one_lands_in_the_rest_section():
    form = TripForm()
    del form.fields["secret"], form.fields["notes"]
    form.fields["title_pl"] = forms.CharField()  # as a later mixin adds translations
    assert layout(form) == [
        ("Basics", [["title"], ["start", "end"]]),
        ("Other details", [["title_pl"]]),
    ]
    form.rest_section = "Basics"
    assert layout(form) == [("Basics", [["title"], ["start", "end"], ["title_pl"]])]


def test_a_form_without_sections_is_one_section_without_a_heading():
    class Plain(forms.Form):
        a = forms.CharField()
        b = forms.CharField(widget=forms.HiddenInput)

    assert layout(Plain()) == [("", [["a"]])]


def headings(content: str) -> list[str]:
    return re.findall(r'<h2 class="form-section-title h3">([^<]+)</h2>', content)


def test_the_visit_form_has_sections_and_the_days_side_by_side(office_client, home, engineering):
    content = office_client.get("/visits/new/").content.decode()
    assert headings(content) == ["Visit", "Dates", "Hosts", "Purpose", "Notes"]
    pair = content.split('<div class="row g-3 form-pair">', 1)[1]
    assert pair.index('for="id_start_date"') < pair.index('for="id_end_date"')
    assert pair.index('for="id_end_date"') < pair.index("</section>")


def test_every_main_form_has_section_headings(office_client, home, engineering):
    make_partner()
    pages = {
        "/institutions/new/": ["Names", "Where and what", "Identifiers"],
        "/people/new/": ["Person", "Place of work", "Expertise", "Notes"],
        "/agreements/new/": ["Agreement", "Validity", "Cooperation", "Notes"],
        "/meetings/new/": ["Meeting", "When and where", "Participants", "Agenda and minutes"],
    }
    for url, expected in pages.items():
        found = headings(office_client.get(url).content.decode())
        assert found[: len(expected)] == expected, url


def test_the_visits_home_units_are_one_searchable_tree_select(
    office_client, home, engineering, engineering_department
):
    content = office_client.get("/visits/new/").content.decode()
    select = re.search(r'<select[^>]*name="home_units"[^>]*>.*?</select>', content, re.S).group(0)
    assert "data-searchable" in select and "multiple" in select
    assert f'value="{engineering.pk}" data-depth="0">Faculty of Engineering<' in select
    assert (
        f'value="{engineering_department.pk}" data-depth="1">— Department of Metallurgy<' in select
    )
    assert 'type="checkbox" name="home_units"' not in content
    host = re.search(r'<select[^>]*name="host_unit"[^>]*>.*?</select>', content, re.S).group(0)
    assert "data-searchable" in host and 'data-depth="1"' in host


def test_the_chosen_units_stay_chosen_after_an_error(office_client, home, engineering):
    response = office_client.post("/visits/new/", {"home_units": [engineering.pk]})
    assert response.status_code == 400
    assert f'value="{engineering.pk}" data-depth="0" selected>' in response.content.decode()


def test_date_inputs_hold_iso_values_in_every_language(office_client, home, engineering):
    partner = make_partner()
    visit = make_visit(
        home,
        partner,
        units=[engineering],
        start_date=datetime.date(2026, 3, 9),
        end_date=datetime.date(2026, 3, 11),
    )
    office_client.cookies["django_language"] = "ru"
    content = office_client.get(visit.get_absolute_url() + "edit/").content.decode()
    assert '<html lang="ru"' in content
    assert 'type="date" name="start_date" value="2026-03-09"' in content


def test_a_fields_inputs_in_other_languages_stay_right_under_it():
    from unibridge.core.translation_forms import TranslationsFormMixin

    class TextsForm(TranslationsFormMixin, forms.Form):
        title = forms.CharField()
        start = forms.DateField()
        notes = forms.CharField(required=False)
        sections = [("Basics", ["title", "start"]), ("Notes", ["notes"])]

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.add_translation_fields(["en", "ru", "kk"], names=["title", "notes"])

    rows = dict(layout(TextsForm()))
    assert rows["Notes"][0] == ["notes"]
    assert rows["Basics"][:2] == [["title"], ["translations.title.ru"]]
    names = [name for row in rows["Notes"] for name in row]
    assert names.index("translations.notes.ru") == names.index("notes") + 1
