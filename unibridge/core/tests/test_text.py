"""core.text.ellipsis and its template filter: long titles cut after a whole word."""

import pytest
from django.template import Context, Template

from unibridge.core.text import ellipsis

DECISION = "Sign the memorandum of cooperation between Karaganda Industrial University and AGH."


def test_a_text_that_fits_is_returned_as_it_is():
    assert ellipsis("Open a joint lab", 16) == "Open a joint lab"
    assert ellipsis("", 10) == ""
    assert ellipsis(None, 10) == ""


def test_a_long_text_is_cut_after_a_whole_word_and_ends_in_an_ellipsis():
    short = ellipsis(DECISION, 40)
    assert short == "Sign the memorandum of cooperation…"
    assert len(short) <= 40


def test_the_cut_never_leaves_punctuation_before_the_ellipsis():
    assert ellipsis("Joint research, exchange of students", 17) == "Joint research…"


def test_a_word_ending_exactly_at_the_limit_is_kept_whole():
    assert ellipsis("abcd efgh", 5) == "abcd…"


def test_a_single_word_longer_than_the_limit_is_cut_inside_it():
    assert ellipsis("Donaudampfschifffahrtsgesellschaft", 10) == "Donaudamp…"


def test_runs_of_spaces_and_line_breaks_read_as_one_space():
    assert ellipsis("Round\n table   on  metallurgy", 100) == "Round table on metallurgy"


def test_cyrillic_is_cut_at_a_word_boundary_too():
    assert ellipsis("Меморандум о сотрудничестве между университетами", 30) == (
        "Меморандум о сотрудничестве…"
    )


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        ellipsis("text", 0)


def test_the_template_filter_cuts_and_escapes():
    template = Template("{% load words %}{{ title|ellipsis:20 }}")
    assert template.render(Context({"title": "<b>Joint</b> research and teaching"})) == (
        "&lt;b&gt;Joint&lt;/b&gt;…"
    )
