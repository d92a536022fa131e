from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EpisodesConfig(AppConfig):
    name = "fansite.episodes"
    verbose_name = _("Episodes")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .catalogue import forget_episode_positions
        from .models import Episode

        post_save.connect(forget_episode_positions, sender=Episode, dispatch_uid="episodes.saved")
        post_delete.connect(
            forget_episode_positions, sender=Episode, dispatch_uid="episodes.deleted"
        )
