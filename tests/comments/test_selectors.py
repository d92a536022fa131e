import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.comments.selectors import comment_page, comments_by, page_for_comment
from tests.users.factories import UserFactory

from .factories import CommentFactory, ThreadFactory

pytestmark = pytest.mark.django_db


def add_comments(thread, count):
    """``count`` comments in bulk: a top-level comment with two replies, repeated."""
    author = UserFactory()
    parents = Comment.objects.bulk_create(
        Comment(thread=thread, author=author, body=f"Top {n}", body_html=f"<p>Top {n}</p>")
        for n in range(count // 3)
    )
    replies = [
        Comment(thread=thread, author=author, parent=parent, body="Reply", body_html="<p>R</p>")
        for parent in parents
        for _ in range(2)
    ]
    Comment.objects.bulk_create(replies)


def walk(page):
    """Touch everything the partial reads, so lazy loads would show as queries."""
    names = []
    for comment in page.page_obj:
        names.append(comment.author.public_name if comment.author else None)
        for reply in comment.reply_list:
            names.append(reply.author.public_name if reply.author else None)
            if reply.reply_to:
                names.append(reply.reply_to.author)
    return names


@pytest.mark.parametrize("count", [1, 500])
def test_comment_page_runs_three_queries_whatever_the_number(django_assert_max_num_queries, count):
    thread = ThreadFactory()
    add_comments(thread, count)
    thread = type(thread).objects.get(pk=thread.pk)

    with django_assert_max_num_queries(3):
        page = comment_page(target=thread, page=1)
        walk(page)

    assert page.total == 1 + (count // 3) * 3


def test_comment_page_lists_top_level_comments_in_order_with_their_replies(thread):
    first = Comment.objects.get(thread=thread)
    second = CommentFactory(thread=thread)
    reply_a = CommentFactory(thread=thread, parent=second)
    reply_b = CommentFactory(thread=thread, parent=second, reply_to=reply_a)
    third = CommentFactory(thread=thread)

    page = comment_page(target=thread)

    assert list(page.page_obj) == [first, second, third]
    assert page.page_obj[1].reply_list == [reply_a, reply_b]
    assert page.page_obj[0].is_opening_post
    assert not page.page_obj[1].is_opening_post
    assert page.total == 5
    assert page.kind == "thread"


def test_comment_page_pages_through_top_level_comments(settings, thread):
    settings.COMMENTS_PER_PAGE = 3
    for _ in range(6):
        CommentFactory(thread=thread)

    last = comment_page(target=thread, page="3")
    out_of_range = comment_page(target=thread, page="99")
    garbage = comment_page(target=thread, page="abc")

    assert last.paginator.num_pages == 3
    assert len(last.page_obj) == 1
    assert out_of_range.page_obj.number == 3
    assert garbage.page_obj.number == 1


def test_page_for_comment_uses_the_top_level_parent(thread):
    for _ in range(4):
        CommentFactory(thread=thread)
    fifth = CommentFactory(thread=thread)
    reply = CommentFactory(thread=thread, parent=fifth)

    assert page_for_comment(fifth, per_page=2) == 3
    assert page_for_comment(reply, per_page=2) == 3
    assert page_for_comment(reply, per_page=6) == 1


def test_page_for_comment_counts_only_the_same_target(thread):
    other = ThreadFactory()
    for _ in range(5):
        CommentFactory(thread=other)
    comment = CommentFactory(thread=thread)

    assert page_for_comment(comment, per_page=2) == 1


def test_page_for_comment_counts_from_the_index_alone(thread):
    """Posting a comment works out its page (precise invalidation): on a thread of
    thousands that count must read the thread's index entries, not every row."""
    comment = CommentFactory(thread=thread)
    with CaptureQueriesContext(connection) as queries:
        page_for_comment(comment)
    (query,) = queries.captured_queries
    assert "article_id" not in query["sql"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert "COVERING INDEX comment_thread_listing" in plan


def test_comments_by_lists_a_members_latest_visible_comments(
    django_assert_max_num_queries, member, thread
):
    article = Article.objects.get()
    older = CommentFactory(thread=thread, author=member, body="Older.")
    CommentFactory(thread=thread, author=member, body="Removed.", is_removed=True)
    CommentFactory(thread=thread, author=member, body="Hidden.", is_hidden=True)
    on_article = CommentFactory(thread=None, article=article, author=member, spoils_episode_id=12)
    CommentFactory(thread=thread, body="Someone else.")

    with django_assert_max_num_queries(1):
        comments = comments_by(member, 10)
        labels = [(c.target.pk, c.target.spoiler_level, str(c.target)) for c in comments]

    assert comments == [on_article, older]
    assert labels[1] == (thread.pk, 3, thread.title)
    assert comments_by(member, 1) == [on_article]


def test_comments_by_leaves_out_unpublished_articles(member):
    article = Article.objects.get()
    CommentFactory(thread=None, article=article, author=member, spoils_episode_id=12)
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now().replace(year=2099))

    assert comments_by(member, 10) == []
