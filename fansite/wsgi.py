"""WSGI entry point used by gunicorn (``fansite.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fansite.settings")

application = get_wsgi_application()
