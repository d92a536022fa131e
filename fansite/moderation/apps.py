from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from fansite.web import pagecache


def _every_page(entry):
    return (pagecache.SITE,)


class ModerationConfig(AppConfig):
    name = "fansite.moderation"
    verbose_name = _("Moderation")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from .models import ModerationLog

        # Every moderation action (hide, lock, move, respoil, ban…) writes one entry.
        pagecache.bump_on_change(ModerationLog, _every_page)
