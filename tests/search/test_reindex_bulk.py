"""A rebuild of the search index at scale (reindex_all): each distinct text worked
out once, COPY on PostgreSQL, and still exactly what the saves write."""

import re
from itertools import pairwise

import pytest

from fansite.search import indexing
from fansite.search.models import Document
from fansite.search.selectors import search
from tests.articles.factories import ArticleFactory
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_posting_limits")]

FIELDS = (
    "key",
    "kind",
    "title",
    "text",
    "terms",
    "comment_id",
    "thread_id",
    "article_id",
    "board_id",
    "episode_id",
    "member_id",
    "author_id",
    "created_at",
    "level",
)
SAME = "온조가 >!the rooftop!< *nametag* scene, again"


def index():
    """Every document's fields; dated by the save or rebuild that wrote it, but for
    comments and threads (dated by their posting)."""
    rows = Document.objects.values_list(*FIELDS, named=True)
    return {
        row.key: row if row.kind in ("comment", "thread") else row._replace(created_at=None)
        for row in rows
    }


def post_the_same_texts_in_several_places():
    """Threads and comments that repeat each other's texts, at different levels."""
    threads = [
        ThreadFactory(title="Rewatch", body=SAME),
        ThreadFactory(title="Rewatch", body=SAME, board=board("episode-2")),
        ThreadFactory(title="Rooftop", body=SAME),
    ]
    for thread in threads:
        reply(thread, body=SAME)
        reply(thread, body=SAME, spoils_episode=4)
        reply(thread, body="Something else about Cheong-san.")
    article = ArticleFactory(title="Behind the scenes")
    reply(article, body=SAME)


@pytest.mark.parametrize("remembered", [1, 10_000])
def test_a_rebuild_writes_what_the_saves_wrote_when_texts_repeat(monkeypatch, remembered):
    monkeypatch.setattr(indexing, "REMEMBERED_TEXTS", remembered)
    post_the_same_texts_in_several_places()
    saved = index()

    count = indexing.reindex_all()

    assert index() == saved
    assert count == len(saved)
    assert sum(1 for key in saved if key.startswith("comment:")) == 10


def found(text):
    """What a reader who has seen everything finds, but the migrations' article."""
    page = search(text, progress=12, include_spoilers=True).page_obj
    return {document.key for document in page if document.kind != "article"}


def test_a_rebuilt_index_is_searched_like_a_saved_one():
    post_the_same_texts_in_several_places()
    before = found("온조")

    indexing.reindex_all()

    assert found("온조") == before
    assert len(before) == 10  # 3 threads, 7 comments (an opening post is its thread)


def test_a_rebuild_says_how_far_it_has_got_and_ends_with_the_total(monkeypatch):
    monkeypatch.setattr(indexing, "BATCH", 4)
    monkeypatch.setattr(indexing, "REPORT_EVERY", 10)
    thread = ThreadFactory(title="Progress", body="Opening")
    for n in range(30):
        reply(thread, body=f"Comment {n}", author=UserFactory())
    lines = []

    count = indexing.reindex_all(say=lines.append)

    said = [int(re.match(r"([\d,]+) indexed \(", line)[1].replace(",", "")) for line in lines]
    assert said[-1] == count
    assert said == sorted(set(said))  # growing, and the total only once
    # The first count past each ten (in batches of four), none skipped, then the total.
    assert len(said) >= 3
    assert all(n % 10 < 4 for n in said[:-1])
    assert all(b // 10 == a // 10 + 1 for a, b in pairwise(said[:-1]))
    assert all(re.search(r"\([\d,]+ documents/s, [\d.]+s\)$", line) for line in lines)
