from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from fansite.comments.selectors import comment_form_for, comment_page
from fansite.episodes.catalogue import episode_positions
from fansite.spoilers.caching import cache_per_reader
from fansite.spoilers.readers import reader_for
from fansite.threads.lists import latest_threads
from fansite.threads.selectors import LATEST, sort_links, thread_sort_from
from fansite.web import pagecache, statements

from . import lists
from .models import Article, Tag

ARTICLES_PER_PAGE = 10
LATEST_DISCUSSION_COUNT = 10
SORT_PARAM = "sort"


def _paginate(request, articles):
    paginator = Paginator(articles, ARTICLES_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return {
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
    }


def latest_discussions(user=None, sort=LATEST):
    """The most recently active threads ``user`` may see (hidden ones only for
    moderators), or the first by another order (``sort``), with their boards (one
    query)."""
    # Members see how many comments are new in each, filled in after the cache
    # (fansite.comments.markers, docs/reading.md).
    return latest_threads(user, sort, LATEST_DISCUSSION_COUNT)


@cache_per_reader(
    lambda request: [pagecache.ARTICLES, pagecache.LISTINGS], params=(SORT_PARAM,), shared=True
)
def article_list(request):
    """The home page: published articles, newest first, and the latest discussions
    (or, by ``?sort=``, the newest threads or the most reacted)."""
    first = statements.page_slice(request.GET.get("page"), ARTICLES_PER_PAGE)
    context = _paginate(request, lists.published_articles(first))
    sort = thread_sort_from(request.GET.get(SORT_PARAM))
    context["latest_threads"] = latest_discussions(request.user, sort)
    context["thread_sort"] = sort
    context["thread_sorts"] = sort_links(reverse("articles:article_list"), sort, "#discussions")
    return render(request, "articles/article_list.html", context)


@cache_per_reader(lambda request, slug: [pagecache.ARTICLES], shared=True)
def article_detail(request, slug):
    articles = Article.objects.with_related()
    if not request.user.is_staff:
        # Drafts and scheduled articles do not exist for readers.
        articles = articles.published()
    article = get_object_or_404(articles, slug=slug)
    reader = reader_for(request)
    # Once the reader has chosen to read the article, comments that spoil no more
    # than it does are shown too; later spoilers stay gated one by one.
    page_reader = reader.for_page(article)
    positions = episode_positions()
    return render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "page_reader": page_reader,
            "finishes_series": bool(positions) and article.spoiler_level == positions[-1],
            "comments": comment_page(target=article, page=request.GET.get("page")),
            "comment_form": comment_form_for(request, article, page_reader),
        },
    )


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    context = _paginate(request, tag.articles.published().with_related())
    return render(request, "articles/tag_detail.html", {"tag": tag, **context})
