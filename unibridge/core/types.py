"""Types shared by core's mechanisms."""

from typing import Any

# The project's user model (``accounts.User``: role, units, ``is_office``…). core may not
# import an app, so its functions take the user as this alias.
User = Any
