"""The home page's articles (fansite/articles/lists.py) are read by compiled
statements and their tags put on them by hand: each page must hold what
``Article.objects.published().with_related()`` gives, tags included, in the same
order, and reading the tags must not ask the database again."""

import datetime

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from fansite.articles import lists
from fansite.articles.models import Article
from tests.articles.factories import ArticleFactory, DraftFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    """Eleven published articles (one more than a page) with none, one or several
    tags, tags shared between articles and named out of their creation order, and
    a draft and a scheduled article, which are not listed."""
    zombies, school, cast = (
        TagFactory(name="Zombies"),
        TagFactory(name="Alpha"),
        TagFactory(name="Mid"),
    )
    sets = [[], [zombies], [zombies, school], [cast, zombies, school], [school]]
    now = timezone.now()
    made = [
        ArticleFactory(
            tags=sets[number % len(sets)],
            published_at=now - datetime.timedelta(hours=number + 1),
        )
        for number in range(11)
    ]
    DraftFactory(tags=[zombies])
    ArticleFactory(tags=[cast], published_at=now + datetime.timedelta(days=1))
    return made


def shown(page):
    return [(article.pk, [tag.name for tag in article.tags.all()]) for article in page]


@pytest.mark.parametrize("number", [1, 2])
def test_a_page_of_articles_is_the_orms_with_the_same_tags(
    articles, number, django_assert_num_queries
):
    expected = Paginator(Article.objects.published().with_related(), 10).page(number)
    assert shown(expected)  # the page is not empty: the comparison compares something

    page = Paginator(lists.published_articles(), 10).page(number)
    with django_assert_num_queries(0):
        found = shown(page)
        authors = [article.author and article.author.username for article in page]

    assert found == shown(expected)
    assert authors == [article.author and article.author.username for article in expected]
    assert any(len(tags) > 1 for _pk, tags in found) or number == 2


def test_tags_are_in_their_own_order_whatever_order_they_were_added_in(articles):
    (tagged,) = [
        article
        for article in Paginator(lists.published_articles(), 10).page(1)
        if article.pk == articles[3].pk
    ]
    assert [tag.name for tag in tagged.tags.all()] == ["Alpha", "Mid", "Zombies"]


def test_an_article_without_tags_lists_none(articles):
    (untagged,) = [
        article
        for article in Paginator(lists.published_articles(), 10).page(1)
        if article.pk == articles[0].pk
    ]
    assert list(untagged.tags.all()) == []
    assert not untagged.tags.exists()


def test_no_published_articles_is_an_empty_page():
    Article.objects.all().delete()
    page = Paginator(lists.published_articles(), 10).page(1)
    assert list(page) == []
