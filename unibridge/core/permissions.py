"""The one permission rule pages, API and exports share.

Each model's manager has ``visible_to(user)`` (others get 404) and ``editable_by(user)``
(visible but not editable: 403).
"""

from django.db.models import Model


def is_editable(record: Model, user) -> bool:
    """Whether the user may change this record (its model's ``editable_by`` rule)."""
    return type(record).objects.editable_by(user).filter(pk=record.pk).exists()
