from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from fansite.web import pagecache


def _every_page(item):
    # Every page's progress selector lists the episodes.
    return (pagecache.SITE,)


class EpisodesConfig(AppConfig):
    name = "fansite.episodes"
    verbose_name = _("Episodes")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from .catalogue import forget_episode_positions
        from .models import Episode, Season, Series

        post_save.connect(forget_episode_positions, sender=Episode, dispatch_uid="episodes.saved")
        post_delete.connect(
            forget_episode_positions, sender=Episode, dispatch_uid="episodes.deleted"
        )
        for model in (Series, Season, Episode):
            pagecache.bump_on_change(model, _every_page)
