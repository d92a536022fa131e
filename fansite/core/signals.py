"""Page-cache invalidation: every save or delete of something a cached page shows
replaces the generation of the scopes that show it (see fansite.core.pagecache).

Signals are used here, rather than calls in each service, because pages must be
dropped whoever writes: services, the admin, management commands. Bulk
``update()`` calls send no signals; the services that make them without also
writing a moderation log entry call ``pagecache.bump`` themselves.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_migrate, post_save

from . import pagecache


def _content_scopes(comment):
    if comment.thread_id:
        return (pagecache.thread_scope(comment.thread_id), pagecache.LISTINGS)
    return (pagecache.ARTICLES, pagecache.LISTINGS)


def comment_changed(sender, instance, **kwargs):
    pagecache.bump(*_content_scopes(instance))


def thread_changed(sender, instance, **kwargs):
    pagecache.bump(pagecache.thread_scope(instance.pk), pagecache.LISTINGS)


def article_changed(sender, instance, **kwargs):
    pagecache.bump(pagecache.ARTICLES, pagecache.LISTINGS)


def site_changed(sender, **kwargs):
    pagecache.bump(pagecache.SITE)


def member_changed(sender, instance, update_fields=None, created=False, **kwargs):
    # A new member appears on no page yet (sign-ups must not empty the cache), and
    # logging in only records last_login, which no page shows.
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        return
    pagecache.bump(pagecache.SITE)


def connect():
    model = apps.get_model
    for sender, handler in [
        (model("comments", "Comment"), comment_changed),
        (model("threads", "Thread"), thread_changed),
        (model("articles", "Article"), article_changed),
        (model("articles", "Tag"), article_changed),
        (model("threads", "Board"), site_changed),
        (model("episodes", "Series"), site_changed),
        (model("episodes", "Season"), site_changed),
        (model("episodes", "Episode"), site_changed),
        # Every moderation action (hide, lock, move, respoil, ban…) writes one entry.
        (model("moderation", "ModerationLog"), site_changed),
    ]:
        post_save.connect(handler, sender=sender, dispatch_uid=f"pagecache-{sender._meta.label}")
        post_delete.connect(
            handler, sender=sender, dispatch_uid=f"pagecache-d-{sender._meta.label}"
        )
    user = get_user_model()
    post_save.connect(member_changed, sender=user, dispatch_uid="pagecache-user")
    post_delete.connect(member_changed, sender=user, dispatch_uid="pagecache-d-user")
    # A deploy runs migrate: templates may have changed, so start afresh.
    post_migrate.connect(site_changed, dispatch_uid="pagecache-migrate")
