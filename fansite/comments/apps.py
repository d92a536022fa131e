from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from fansite.spoilers import reveals
from fansite.web import pagecache


def _pages_showing(comment):
    """Pages showing a comment on an article (comments on threads: _changed)."""
    return (pagecache.ARTICLES, pagecache.LISTINGS)


def _changed(sender, instance, created=False, **kwargs):
    from . import threadpages

    if instance.thread_id:
        pagecache.bump(*threadpages.scopes_changed(instance, created=created))
    else:
        pagecache.bump(*_pages_showing(instance))


def _deleted(sender, instance, **kwargs):
    from . import threadpages

    if instance.thread_id:
        pagecache.bump(*threadpages.scopes_changed(instance, created=False, deleted=True))
    else:
        pagecache.bump(*_pages_showing(instance))


class CommentsConfig(AppConfig):
    name = "fansite.comments"
    verbose_name = _("Comments")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from .models import Comment

        # Only the pages a comment changes: fansite.comments.threadpages.
        post_save.connect(_changed, sender=Comment, dispatch_uid="pagecache-comment")
        post_delete.connect(_deleted, sender=Comment, dispatch_uid="pagecache-d-comment")
        reveals.register_kind("c", Comment, "spoils_episode_id")
