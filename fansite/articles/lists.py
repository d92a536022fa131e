"""The home page's articles, read by statements compiled once per process
(fansite.web.statements.Compiled): the page's slice and the count, as
``Article.objects.published().with_related()`` gives them, and their tags, as
its prefetch gives them. The home page is drawn again after every comment
anywhere: compiling the first two queries was a tenth of its time, and the
ORM's prefetch of the tags (compiling its query, a related manager for each
article) another tenth."""

from collections import defaultdict

from django.utils import timezone

from fansite.web import statements

from .models import Article, ArticleQuerySet, Tag

_published = statements.Compiled(
    lambda shape, now: Article.objects.published(now).select_related(*ArticleQuerySet.JOINED)
)


# The tags of a page's articles, one statement for each number of articles:
# each link between an article and a tag, with the tag, in the tags' own order.
_links = statements.Compiled(
    lambda count, *article_ids: (
        Article.tags.through.objects.filter(article_id__in=article_ids)
        .select_related("tag")
        .order_by(*(f"tag__{field}" for field in Tag._meta.ordering), "tag_id")
    )
)


def _with_tags(articles):
    """Put each article's tags where ``prefetch_related("tags")`` puts them, so
    ``article.tags.all()`` reads no more: the same tags in the same order."""
    if not articles:
        return
    ids = [article.pk for article in articles]
    tags = defaultdict(list)
    for link in _links.instances(len(ids), *ids):
        tags[link.article_id].append(link.tag)
    for article in articles:
        found = Tag.objects.all()
        found._result_cache = tags[article.pk]
        found._prefetch_done = True
        article._prefetched_objects_cache = {"tags": found}


def published_articles(first=None):
    """The published articles, newest first, with their authors, spoiled episodes
    and tags: a Paginator's object list. ``first``: the slice the page will show
    (``statements.page_slice``), read with the count in one statement; the
    articles are few (editors write them), so the window that counts them reads
    them all cheaply."""
    return _published.listing(None, timezone.now(), then=_with_tags, first=first)
