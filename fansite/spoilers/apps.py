from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpoilersConfig(AppConfig):
    name = "fansite.spoilers"
    verbose_name = _("Spoilers")
