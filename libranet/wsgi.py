"""WSGI entry point (gunicorn libranet.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libranet.settings")
application = get_wsgi_application()
