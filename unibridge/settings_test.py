"""Test settings: the real settings with fast hashing, in-process tasks and mail kept in memory."""

from unibridge.settings import *  # noqa: F403
from unibridge.settings import HUEY

TESTING = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
HUEY = {**HUEY, "immediate": True}
AXES_ENABLED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Filter options are read fresh in tests that create records and then look at the filter;
# core/tests/test_widgets.py turns the cache on to test it.
CHOICES_CACHE_SECONDS = 0
