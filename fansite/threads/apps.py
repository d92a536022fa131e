from django.apps import AppConfig
from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _

from fansite.spoilers import reveals
from fansite.web import pagecache


def _pages_showing_thread(thread):
    from . import scopes

    boards = scopes.of_boards(thread.board_id, getattr(thread, "_board_before", None))
    return (pagecache.thread_scope(thread.pk), pagecache.LISTINGS, *boards)


def _remember_board(sender, instance, raw=False, update_fields=None, **kwargs):
    """The board a thread was on before this save: moved (in the admin's form),
    it leaves that board's pages too. Moderators' moves replace every page."""
    instance._board_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and "board" not in update_fields:
        return
    rows = sender.objects.filter(pk=instance.pk).values_list("board_id", flat=True)
    instance._board_before = rows.first()


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
        pre_save.connect(_remember_board, sender=Thread, dispatch_uid="threads.board_before")
        pagecache.bump_on_change(Thread, _pages_showing_thread)
        reveals.register_kind("t", Thread, "spoils_episode_id")
        pagecache.bump_on_change(Board, _every_page)
