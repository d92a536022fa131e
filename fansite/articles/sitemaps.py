from django.db.models.functions import Greatest

from fansite.web.sitemaps import ModelSection

from .models import Article


class ArticleSitemap(ModelSection):
    """Published articles. An article published on a schedule changed when it appeared."""

    lastmod_field = "changed_at"

    def items(self):
        return (
            Article.objects.published()
            .annotate(changed_at=Greatest("updated_at", "published_at"))
            .only("slug", "updated_at", "published_at")
            .order_by("pk")
        )
