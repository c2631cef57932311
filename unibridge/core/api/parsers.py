"""The API's JSON parser, also DRF's default one (settings: DEFAULT_PARSER_CLASSES).

DRF resolves that setting while it defines ``APIView``: this module must not import DRF's views.
"""

import codecs
import math

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json


class _TooLarge(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _finite_float(text: str) -> float:
    # Python reads 1e999 as infinity, which a text field would store as "inf".
    value = float(text)
    if not math.isfinite(value):
        raise _TooLarge(text)
    return value


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing numbers beyond floating point (1e999) and JSON nested too
    deeply for Python with a 400, not a 500 or infinity."""

    def parse(self, stream, media_type=None, parser_context=None):
        # DRF's own choice of charset, which refuses decompressing codecs such as bz2_codec
        encoding = parsers.get_encoding(parser_context or {})
        try:
            return json.load(
                codecs.getreader(encoding)(stream),
                parse_constant=json.strict_constant if self.strict else None,
                parse_float=_finite_float,
            )
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
        except _TooLarge as exc:
            raise ParseError(
                _("JSON parse error - the number %(number)s is too large.")
                % {"number": exc.text[:40]}
            ) from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
