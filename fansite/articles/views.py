from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Article, Tag

ARTICLES_PER_PAGE = 10


def _paginate(request, articles):
    paginator = Paginator(articles, ARTICLES_PER_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return {
        "page_obj": page_obj,
        "page_range": paginator.get_elided_page_range(page_obj.number, on_each_side=2),
    }


def article_list(request):
    """The home page: published articles, newest first."""
    context = _paginate(request, Article.objects.published().with_related())
    return render(request, "articles/article_list.html", context)


def article_detail(request, slug):
    articles = Article.objects.with_related()
    if not request.user.is_staff:
        # Drafts and scheduled articles do not exist for readers.
        articles = articles.published()
    article = get_object_or_404(articles, slug=slug)
    return render(request, "articles/article_detail.html", {"article": article})


def tag_detail(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    context = _paginate(request, tag.articles.published().with_related())
    return render(request, "articles/tag_detail.html", {"tag": tag, **context})
