"""WSGI entry point (gunicorn unibridge.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unibridge.settings")
application = get_wsgi_application()
