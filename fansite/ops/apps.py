from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """The operator's tools: backups, restore, health checks, demo data and the
    benchmark's ceiling page. Nothing in the product imports them."""

    name = "fansite.ops"
    verbose_name = _("Operations")
