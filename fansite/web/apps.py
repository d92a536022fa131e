from django.apps import AppConfig
from django.db.models.signals import post_migrate

from . import pagecache


def _start_afresh(sender, **kwargs):
    # A deploy runs migrate: templates may have changed, so no page cached before
    # it is served after it.
    pagecache.bump(pagecache.SITE)


class WebConfig(AppConfig):
    """Infrastructure any app may use: the page cache, rate limits, the Markdown
    renderer, middleware, the Redis client, error pages. It imports no app."""

    name = "fansite.web"
    verbose_name = "Web"

    def ready(self):
        post_migrate.connect(_start_afresh, dispatch_uid="pagecache-migrate")
