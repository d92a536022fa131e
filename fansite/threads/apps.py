from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThreadsConfig(AppConfig):
    name = "fansite.threads"
    verbose_name = _("Boards and threads")

    def ready(self):
        from django.db.models.signals import post_save

        from fansite.episodes.models import Episode

        from .signals import create_board_for_new_episode

        post_save.connect(
            create_board_for_new_episode, sender=Episode, dispatch_uid="threads.episode_board"
        )
