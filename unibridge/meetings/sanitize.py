"""Minutes are rich text typed by people: only plain formatting survives, never a script.

The same cleaning runs when minutes are saved and again when they are shown, so a row
written before a rule was tightened (or straight into the database) is still harmless.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote",
        "a", "table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# Tags removed with everything inside them (their text is code or styling, not minutes).
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template"})
LINK_SCHEMES = ("http://", "https://", "mailto:")


def _only_absolute_links(tag: str, attribute: str, value: str) -> str | None:
    """Keep a link only to http, https or mailto: no javascript:, data: or relative URLs."""
    if tag == "a" and attribute == "href":
        return value if value.strip().lower().startswith(LINK_SCHEMES) else None
    return value


def sanitize_minutes(html: str) -> str:
    """The minutes with only the allowed formatting left; links get rel="noopener noreferrer"."""
    if not html:
        return ""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_only_absolute_links,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def minutes_html(html: str) -> SafeString:
    """Stored minutes, cleaned again, ready for a template."""
    return mark_safe(sanitize_minutes(html))  # cleaned by nh3 just above
