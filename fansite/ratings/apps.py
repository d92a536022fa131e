from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RatingsConfig(AppConfig):
    name = "fansite.ratings"
    verbose_name = _("Episode ratings")
