from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "fansite.search"
    verbose_name = _("Search")

    def ready(self):
        from . import signals  # noqa: F401  (connects the index to the models it follows)

        post_migrate.connect(_index_when_empty, sender=self, dispatch_uid="search-first-index")


def _index_when_empty(sender, using="default", **kwargs):
    """The first migrate indexes what is already there: the seeded boards, episodes
    and article, or a whole site that had no search until now."""
    from .indexing import reindex_all
    from .models import Document

    if not Document.objects.using(using).exists():
        reindex_all()
