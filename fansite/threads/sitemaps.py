from fansite.web.sitemaps import ModelSection

from .models import Board
from .selectors import listed_threads


class BoardSitemap(ModelSection):
    lastmod_field = "last_activity_at"

    def items(self):
        return Board.objects.only("slug", "last_activity_at").order_by("pk")


class ThreadSitemap(ModelSection):
    """Threads as a visitor finds them: without those moderators have hidden. Gated
    threads are listed too: a sitemap holds addresses, and their pages show crawlers
    (who have watched nothing) the gate, never the title."""

    lastmod_field = "last_activity_at"

    def items(self):
        return listed_threads(None).only("pk", "last_activity_at").order_by("pk")
