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
from fansite.web import statements
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


# The home page reads its page of articles and their count in one statement when
# the request names the page plainly (``first``, statements.page_slice).


def _page(number, requested=None):
    first = statements.page_slice(requested, 10)
    return Paginator(lists.published_articles(first), 10).get_page(number)


@pytest.mark.parametrize(("requested", "number"), [(None, 1), ("1", 1), ("2", 2)])
def test_a_named_page_and_the_count_in_one_statement_are_the_orms(
    articles, requested, number, django_assert_num_queries
):
    expected = Paginator(Article.objects.published().with_related(), 10).get_page(number)

    # The page with its count, then the tags: two statements, where the count
    # apart makes three.
    with django_assert_num_queries(2):
        page = _page(requested, requested)
        found = shown(page)

    assert found == shown(expected)
    assert page.paginator.count == expected.paginator.count > 10
    assert page.number == number
    assert [article.author and article.author.username for article in page] == [
        article.author and article.author.username for article in expected
    ]
    assert all("fansite_total" not in vars(article) for article in page)


def test_a_page_past_the_end_shows_the_last_counted_apart(articles, django_assert_num_queries):
    expected = Paginator(Article.objects.published().with_related(), 10).get_page(2)

    # Past the end the window counts nothing: the count is asked apart, and the
    # last page read.
    with django_assert_num_queries(4):
        page = _page("7", "7")
        found = shown(page)

    assert page.number == 2
    assert found == shown(expected)


def test_a_word_for_a_page_is_left_to_the_paginator(articles):
    assert statements.page_slice("last", 10) is None
    assert statements.page_slice("-1", 10) is None
    assert statements.page_slice("0", 10) is None
    assert statements.page_slice("2", 10) == (10, 20)
    page = _page("last", "last")
    assert page.number == 1
    assert shown(page) == shown(Paginator(Article.objects.published().with_related(), 10).page(1))


def test_no_articles_counted_with_the_first_page(django_assert_num_queries):
    Article.objects.all().delete()
    with django_assert_num_queries(1):
        page = _page(None)
    assert list(page) == []
    assert page.paginator.count == 0
