"""Minutes are rich text: harmless formatting survives, scripts never reach the page."""

import pytest

from unibridge.meetings.models import Meeting
from unibridge.meetings.sanitize import sanitize_minutes
from unibridge.meetings.tests.factories import MeetingFactory
from unibridge.meetings.tests.test_meeting_pages import form_data
from unibridge.meetings.tests.test_meetings import make_visit

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href=" JaVaScRiPt:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    "<svg onload=alert(1)><circle/></svg>",
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">styled</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example.org"></iframe>',
    "<scr<script>ipt>alert(1)</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
FORBIDDEN = ["<script", "onerror", "onload", "onclick", "javascript:", "data:", "<svg", "<iframe",
             "<style", "style=", "<img"]  # fmt: skip


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_payload_leaves_nothing_dangerous(payload):
    cleaned = sanitize_minutes(f"<p>Before</p>{payload}<p>After</p>").lower()
    for needle in FORBIDDEN:
        assert needle not in cleaned, needle
    # (an unclosed <style> may swallow what follows it: dropped, never shown as code)
    assert cleaned.startswith("<p>before</p>")


def test_harmless_formatting_survives():
    html = (
        "<h3>Research</h3><p>We <strong>agreed</strong>, <b>firmly</b>, <em>gladly</em>, "
        "<i>now</i> and <u>together</u>.<br>Next line.</p><ul><li>one</li></ul>"
        "<ol><li>two</li></ol><h4>Quote</h4><blockquote>Cited</blockquote>"
        '<table><thead><tr><th scope="col">Who</th></tr></thead>'
        "<tbody><tr><td>AGH</td></tr></tbody></table>"
    )
    assert sanitize_minutes(html) == html


def test_links_keep_http_https_and_mailto_with_a_safe_rel():
    cleaned = sanitize_minutes(
        '<a href="https://agh.edu.pl">AGH</a> <a href="mailto:office@example.org">mail</a> '
        '<a href="/relative">rel</a> <a href="https://x.org" target="_blank" rel="opener">x</a>'
    )
    assert '<a href="https://agh.edu.pl" rel="noopener noreferrer">AGH</a>' in cleaned
    assert '<a href="mailto:office@example.org" rel="noopener noreferrer">mail</a>' in cleaned
    assert "/relative" not in cleaned
    assert "target" not in cleaned and 'rel="opener"' not in cleaned


@pytest.mark.parametrize("payload", PAYLOADS)
def test_saved_minutes_and_the_page_hold_none_of_the_payloads(office_client, home, payload):
    visit = make_visit(home)
    response = office_client.post(
        f"/visits/{visit.uuid}/meetings/new/",
        form_data(minutes=f"<p>Agreed on <strong>exchange</strong>.</p>{payload}"),
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    page = office_client.get(meeting.get_absolute_url()).content.decode()
    section = page[page.index('id="minutes"') : page.index('id="decisions"')].lower()
    for text in (meeting.minutes.lower(), section):
        for needle in FORBIDDEN:
            assert needle not in text, needle
    assert "<p>Agreed on <strong>exchange</strong>.</p>" in meeting.minutes
    assert "<p>Agreed on <strong>exchange</strong>.</p>" in page


def test_minutes_stored_unclean_are_cleaned_again_on_the_page(office_client, home):
    # written around the services (an import, an old row): the page still cleans them
    meeting = MeetingFactory(visit=make_visit(home))
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes='<p>Kept</p><script>alert("x")</script><img src=x onerror=alert(1)>'
    )
    page = office_client.get(meeting.get_absolute_url()).content.decode()
    assert "<p>Kept</p>" in page
    assert 'alert("x")' not in page and "onerror" not in page
