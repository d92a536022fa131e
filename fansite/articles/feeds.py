from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from fansite.web.context_processors import site

from .models import Article

FEED_LENGTH = 20


class ArticleFeed(Feed):
    """RSS of published articles. Descriptions are the spoiler-free summary, never
    the body: feed readers show text without our spoiler wrappers."""

    description = _("New articles about All of Us Are Dead. Summaries are spoiler-free.")

    def get_object(self, request):
        # The site's public origin, so links match the canonical ones on the pages
        # (the sites framework's domain is not kept up to date).
        return site(request)["site_url"]

    def title(self, origin):
        return _("%(site_name)s articles") % {"site_name": settings.SITE_NAME}

    def link(self, origin):
        return origin + reverse("articles:article_list")

    def feed_url(self, origin):
        return origin + reverse("articles:article_feed")

    def items(self, origin):
        articles = list(Article.objects.published().with_related()[:FEED_LENGTH])
        for article in articles:
            article.absolute_url = origin + article.get_absolute_url()
        return articles

    def item_description(self, article):
        if article.spoiler_level is not None and not article.standfirst:
            # Feed readers know nothing of the reader's progress: an excerpt of a
            # spoiling body would give it away. The standfirst is spoiler-free by policy.
            return _("Spoilers up to episode %(number)s. Read it on the site.") % {
                "number": article.spoiler_level
            }
        return article.description

    def item_link(self, article):
        return article.absolute_url

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at

    def item_categories(self, article):
        return [tag.name for tag in article.tags.all()]
