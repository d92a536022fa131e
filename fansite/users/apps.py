from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "fansite.users"
    verbose_name = _("Members")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from fansite.episodes.models import Episode

        from .forms import forget_episode_positions

        # The progress selector's cached episode list follows the catalogue.
        post_save.connect(
            forget_episode_positions, sender=Episode, dispatch_uid="users.episode_saved"
        )
        post_delete.connect(
            forget_episode_positions, sender=Episode, dispatch_uid="users.episode_deleted"
        )
