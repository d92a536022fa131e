from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from fansite.spoilers import reveals
from fansite.web import pagecache


def _pages_showing(item):
    return (pagecache.ARTICLES, pagecache.LISTINGS)


class ArticlesConfig(AppConfig):
    name = "fansite.articles"
    verbose_name = _("Articles")

    def ready(self):
        # Models can be imported only once every app is loaded.
        from .models import Article, Tag

        pagecache.bump_on_change(Article, _pages_showing)
        reveals.register_kind("a", Article, "spoils_episode__position")
        pagecache.bump_on_change(Tag, _pages_showing)
