from fansite.web.sitemaps import ModelSection

from .models import Episode


class EpisodeSitemap(ModelSection):
    """Every episode's page (its address holds only the number)."""

    def items(self):
        return Episode.objects.only("position").order_by("position")
