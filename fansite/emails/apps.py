from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmailsConfig(AppConfig):
    name = "fansite.emails"
    verbose_name = _("Emails")

    def ready(self):
        # Registers the mail configuration check with Django's system checks.
        from . import checks  # noqa: F401
