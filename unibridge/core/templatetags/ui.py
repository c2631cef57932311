"""Template tags of the design system (Tabler): icons from the vendored sprite."""

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import format_html

from unibridge.core.forms import form_sections

register = template.Library()


@register.simple_tag
def icon(name: str, label: str = "", size: int = 20) -> str:
    """An outline Tabler icon; decorative (hidden from screen readers) unless given a label.

    Icon buttons pass their label here or carry a visually hidden text beside the icon, so a
    screen reader names the action rather than the picture.
    """
    href = f"{static('vendor/tabler-icons/tabler-sprite.svg')}#tabler-{name}"
    if label:
        return format_html(
            '<svg class="icon" width="{}" height="{}" role="img" aria-label="{}">'
            '<use href="{}"></use></svg>',
            size,
            size,
            label,
            href,
        )
    return format_html(
        '<svg class="icon" width="{}" height="{}" aria-hidden="true" focusable="false">'
        '<use href="{}"></use></svg>',
        size,
        size,
        href,
    )


@register.filter
def sections(form: Any) -> list:
    """The form's fields by section (see core.forms.form_sections)."""
    return form_sections(form)
