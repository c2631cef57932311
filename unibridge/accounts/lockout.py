"""Sign-in lockout: per username at one address, and per address over all usernames.

django-axes counts failures per (username, address) and per address
(``AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]``), but compares the
larger count with one limit. One limit does not fit both: five failures per address would
let five typos on a campus whose staff share one address lock everyone out, while the
per-(username, address) count alone lets one address try a password against any number of
usernames. So the per-address count is scaled to reach AXES_FAILURE_LIMIT only at
LOGIN_IP_FAILURE_LIMIT failures.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler with a second, higher limit for all usernames of an address."""

    def get_failures(self, request, credentials=None) -> int:
        per_username, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = get_failure_limit(request, credentials)
        # floor(n * limit / ip_limit) >= limit exactly when n >= ip_limit
        scaled = per_address * limit // settings.LOGIN_IP_FAILURE_LIMIT
        # The lockout page says which of the two limits was reached.
        request.lockout_by_address = scaled >= limit > per_username
        request.lockout_address_limit = settings.LOGIN_IP_FAILURE_LIMIT
        return max(per_username, scaled)
