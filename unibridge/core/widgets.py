"""Form widgets shared by every app."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import cldr


class FastSelect(forms.Select):
    """A <select> rendered in Python in one pass.

    Django renders each <option> through its own template, about 60 µs apiece: the 250
    countries of a filter bar alone cost 15 ms a page. The markup is the same.
    """

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        values = value if isinstance(value, list | tuple) else [value]
        selected = {str(v) for v in values if v is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option_value, " selected" if str(option_value) in selected else "", label)
                for option_value, label in self._flat_choices()
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)

    def _flat_choices(self):
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an <optgroup>'s members, flattened
                yield from label
            else:
                yield ("" if option_value is None else option_value), label


class CachedChoicesSelect(FastSelect):
    """A filter's <select> over records whose options are read once per cache period.

    A list page's filter bar would otherwise query its units and types on every request.
    ``cache_key`` names the choice list (one per filter); the options are kept per language
    for ``CHOICES_CACHE_SECONDS``, so a new record appears in the filter within that time.
    Validation of a chosen value still reads the database.
    """

    def __init__(self, *args, cache_key: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cache_key = cache_key

    def _flat_choices(self):
        key = f"choices:{self.cache_key}:{get_language() or ''}"
        options = cache.get(key)
        if options is None:
            options = [(str(value), str(label)) for value, label in super()._flat_choices()]
            cache.set(key, options, settings.CHOICES_CACHE_SECONDS)
        return options


class CountrySelect(FastSelect):
    """The 250 countries by their CLDR names in the reader's language, sorted by its alphabet
    and searchable (Tom Select); the <option>s are built once per language and reused."""

    _options: dict[str, str] = {}

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        language = get_language() or "en"
        if language not in self._options:
            self._options[language] = str(
                format_html_join("", '<option value="{}">{}</option>', country_choices())
            )
        final_attrs = self.build_attrs(
            self.attrs, {**(attrs or {}), "name": name, "data-searchable": True}
        )
        options = self._options[language]
        if value:
            marker = format_html('value="{}"', value)
            options = options.replace(marker, f"{marker} selected", 1)
        blank = '<option value="">---------</option>'
        return format_html(
            "<select{}>{}{}</select>", flatatt(final_attrs), mark_safe(blank), mark_safe(options)
        )


class RemoteSelect(forms.Select):
    """One record of thousands in a searchable select that fetches its options as one types.

    Only the chosen record is rendered; Tom Select (unibridge.js) asks ``options_url``
    (``?q=…&format=json``, answering ``{"results": [{"value", "text"}]}``) for matches.
    Validation still runs against the field's whole queryset.
    """

    def __init__(self, *args, options_url: str = "", **kwargs):
        self.options_url = options_url
        super().__init__(*args, **kwargs)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(
            self.attrs,
            {
                **(attrs or {}),
                "name": name,
                "data-searchable": "",
                "data-options-url": self.options_url,
            },
        )
        chosen = []
        if value not in (None, ""):
            field = self.choices.field
            chosen = [
                (obj.pk, field.label_from_instance(obj)) for obj in field.queryset.filter(pk=value)
            ]
        options = format_html_join("", '<option value="{}" selected>{}</option>', chosen)
        return format_html(
            '<select{}><option value="">—</option>{}</select>', flatatt(final_attrs), options
        )


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False


class UnitTreeSelect(FastSelect):
    """Units of a tree: each <option> carries its ``data-depth`` and the select is searchable.

    unibridge.js turns it into a Tom Select whose options are indented by depth (``.ts-depth-N``);
    without JavaScript the labels' own dashes show the tree. The choices' records need a
    ``depth`` (OrganizationalUnit has one).
    """

    def __init__(self, attrs=None, choices=()):
        super().__init__({"data-searchable": "", **(attrs or {})}, choices)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        values = value if isinstance(value, list | tuple) else [value]
        selected = {str(v) for v in values if v is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}{}>{}</option>',
            (
                (
                    option_value,
                    _depth(option_value),
                    " selected" if str(option_value) in selected else "",
                    label,
                )
                for option_value, label in self._flat_choices()
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


def _depth(option_value) -> SafeString:
    depth = getattr(getattr(option_value, "instance", None), "depth", None)
    return format_html(' data-depth="{}"', depth) if depth is not None else mark_safe("")


class UnitTreeSelectMultiple(UnitTreeSelect):
    """Several units of a tree, searchable (a long list of checkboxes otherwise)."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False


class RecordPicker(forms.SelectMultiple):
    """Many records chosen from thousands: the chosen ones as checkboxes, plus a search box.

    Only the selected records are rendered (a university has thousands of staff); typing in
    the search box asks ``picker_url`` (HTMX) for matching records, which arrive as more
    checkboxes. Validation still runs against the field's whole queryset.
    """

    use_fieldset = True

    def __init__(self, *args, picker_url: str = "", **kwargs):
        self.picker_url = picker_url
        super().__init__(*args, **kwargs)

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        from django.utils.translation import gettext as _

        attrs = self.build_attrs(self.attrs, attrs or {})
        field_id = attrs.get("id", f"id_{name}")
        values = [str(v) for v in (value or []) if v not in (None, "")]
        chosen = list(self.choices.queryset.filter(pk__in=values)) if values else []
        label_of = self.choices.field.label_from_instance
        items = format_html_join(
            "",
            '<li><label><input type="checkbox" name="{}" value="{}" checked> {}</label></li>',
            ((name, obj.pk, label_of(obj)) for obj in chosen),
        )
        return format_html(
            '<ul class="picker-chosen" id="{}">{}</ul>'
            '<label class="visually-hidden" for="{}_search">{}</label>'
            '<input type="search" id="{}_search" placeholder="{}" autocomplete="off"'
            ' hx-get="{}" hx-vals=\'{{"name": "{}"}}\''
            ' hx-trigger="input changed delay:300ms, search" hx-target="#{}_found" name="{}_q"'
            ' hx-include="#{} input" data-no-submit>'
            '<ul class="picker-found" id="{}_found" aria-live="polite"></ul>',
            field_id,
            items,
            field_id,
            _("Find and add"),
            field_id,
            _("Type a name to add…"),
            self.picker_url,
            name,
            field_id,
            name,
            field_id,
            field_id,
        )

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)

    def use_required_attribute(self, initial) -> bool:
        return False


def country_name(code) -> str:
    """A country's name in the current language (CLDR's, see ``core.cldr``)."""
    return cldr.country_name(code) or str(code or "")


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the current language and sorted by its alphabet (CLDR)."""
    return cldr.country_choices()
