"""The Korean test set (korean_set.py) through the real index and search, on
SQLite and PostgreSQL: every query finds exactly the posts it should."""

import pytest

from fansite.comments.models import Comment
from fansite.search.selectors import Filters, search
from tests.threads.factories import ThreadFactory, reply

from .korean_set import POSTS, SITE_QUERIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts():
    thread = ThreadFactory(title="Korean test set", body="opening")
    return {reply(thread, body=text).pk: number for number, text in POSTS.items()}


@pytest.mark.parametrize("typed", SITE_QUERIES)
def test_each_search_finds_exactly_its_posts(posts, typed):
    expected = SITE_QUERIES[typed]
    page = search(typed, progress=12, filters=Filters(kinds=("comment",))).page_obj
    found = {posts[d.comment_id] for d in page.object_list}
    assert found == expected
    assert Comment.objects.count() == len(POSTS) + 1
