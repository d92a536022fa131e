from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from fansite.spoilers import reveals
from fansite.web import pagecache


def _pages_showing(comment):
    from .top import top_scope

    if comment.thread_id:
        # The thread's "Top" order too: a new or hidden comment needs a new snapshot.
        return (
            pagecache.thread_scope(comment.thread_id),
            top_scope(comment.thread_id),
            pagecache.LISTINGS,
        )
    return (pagecache.ARTICLES, pagecache.LISTINGS)


class CommentsConfig(AppConfig):
    name = "fansite.comments"
    verbose_name = _("Comments")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from .models import Comment

        pagecache.bump_on_change(Comment, _pages_showing)
        reveals.register_kind("c", Comment, "spoils_episode_id")
