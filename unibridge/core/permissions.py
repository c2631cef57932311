"""The one permission rule pages, API and exports share.

Each model's manager has ``visible_to(user)`` (others get 404) and ``editable_by(user)``
(visible but not editable: 403).
"""

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet


def is_editable(record: Model, user) -> bool:
    """Whether the user may change this record (its model's ``editable_by`` rule)."""
    return type(record).objects.editable_by(user).filter(pk=record.pk).exists()


class UnitScopedQuerySet(QuerySet):
    """Records that involve home units and may be confidential (partnerships, agreements…).

    The office sees and changes all; a unit coordinator changes those involving their units
    (sub-units included) and sees confidential ones only there; everyone else reads the
    non-confidential ones. Subclasses say which records involve which units.
    """

    def involving(self, user) -> QuerySet:
        """Subquery of the primary keys of records that involve one of the user's units."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define involving()")

    def visible_to(self, user) -> "UnitScopedQuerySet":
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_office:
            return self
        if not user.unit_scope_ids:
            return self.filter(is_confidential=False)
        return self.filter(Q(is_confidential=False) | Q(pk__in=self.involving(user)))

    def editable_by(self, user) -> "UnitScopedQuerySet":
        if not user.is_authenticated:
            return self.none()
        if user.is_office:
            return self
        if user.is_coordinator and user.unit_scope_ids:
            return self.filter(pk__in=self.involving(user))
        return self.none()
