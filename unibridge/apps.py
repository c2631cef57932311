from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UniBridgeConfig(AppConfig):
    """The project as an app: the site's layout, home page, menu and commands, and the lists
    of which apps feed core's mechanisms (``site.py``). Installed after every other app."""

    name = "unibridge"
    label = "unibridge"
    verbose_name = _("UniBridge")

    def ready(self) -> None:
        from . import site

        site.connect()
