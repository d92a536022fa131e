from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReactionsConfig(AppConfig):
    name = "fansite.reactions"
    verbose_name = _("Reactions")
