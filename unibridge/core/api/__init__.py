"""Shared pieces of the JSON API, used by every app's ``api/`` package.

- ``errors``: the one error shape (``exception_handler``, named in settings), ``flat_errors``,
  the 409 answers (``conflict_answer``, ``transition_answer``), its schema, and form and model
  errors reported by field;
- ``fields``: serializer fields (public ids, country codes, code lists, ``version``);
- ``parsers``: the JSON parser, DRF's default one (named in settings);
- ``serializers``: ``InputSerializer``, the base of request-body serializers (JSON types), and
  the references to institutions and people (``InstitutionRefSerializer``,
  ``PersonRefSerializer``);
- ``viewsets``: ``RecordViewSet`` (writes through the apps' services), paging, ordering and
  ``crud_schema``.

Import from those modules. This package re-exports only ``exception_handler``: DRF imports
the default parser while it defines ``APIView``, which runs this file first, so this file must
not import DRF's views (``viewsets`` does).
"""

from .errors import exception_handler

__all__ = ["exception_handler"]
