from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from fansite.spoilers import reveals
from fansite.web import pagecache


def _pages_showing_thread(thread):
    return (pagecache.thread_scope(thread.pk), pagecache.LISTINGS)


def _every_page(board):
    # Board titles and counts appear on many pages.
    return (pagecache.SITE,)


class ThreadsConfig(AppConfig):
    name = "fansite.threads"
    verbose_name = _("Boards and threads")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from fansite.episodes.models import Episode

        from .models import Board, Thread
        from .signals import create_board_for_new_episode

        post_save.connect(
            create_board_for_new_episode, sender=Episode, dispatch_uid="threads.episode_board"
        )
        pagecache.bump_on_change(Thread, _pages_showing_thread)
        reveals.register_kind("t", Thread, "spoils_episode_id")
        pagecache.bump_on_change(Board, _every_page)
