"""Read tracking (docs/reading.md): markers, "N new" in lists, jumps, the "New"
divider, mark all read, and the page caches around them."""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.threads import services
from fansite.threads.models import ThreadRead
from fansite.users.services import delete_account
from tests.users.factories import UserFactory

from .factories import ThreadFactory, board, reply

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("relaxed_posting_limits")]


def marker(member, thread):
    return ThreadRead.objects.last_seen(member, thread)


def marker_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "threads_threadread" in q["sql"] and not q["sql"].lstrip().upper().startswith("SELECT")
    ]


def thread_row(html, thread):
    match = re.search(
        rf'<li class="thread-row[^"]*" id="thread-{thread.pk}">(.*?)</p>\s*</li>', html, re.S
    )
    assert match, f"no row for thread {thread.pk}"
    return match.group(1)


@pytest.fixture
def member(client):
    reader = UserFactory(watched_up_to=12)
    client.force_login(reader)
    return reader


def test_viewing_a_thread_moves_the_marker_to_the_newest_comment_shown(client, member):
    thread = ThreadFactory()
    last = reply(thread)
    assert marker(member, thread) is None

    client.get(thread.get_absolute_url())

    assert marker(member, thread) == last.pk


def test_a_page_view_writes_at_most_once_and_not_when_nothing_is_new(client, member):
    thread = ThreadFactory()
    reply(thread)
    with CaptureQueriesContext(connection) as first:
        client.get(thread.get_absolute_url())
    with CaptureQueriesContext(connection) as again:
        client.get(thread.get_absolute_url() + "?page=1&sort=oldest")

    assert len(marker_writes(first.captured_queries)) == 1
    assert marker_writes(again.captured_queries) == []


def test_visitors_leave_no_marker(client):
    thread = ThreadFactory()
    reply(thread)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(thread.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert marker_writes(queries.captured_queries) == []
    assert not ThreadRead.objects.exists()


def test_the_marker_never_moves_backwards(client, member, settings):
    settings.COMMENTS_PER_PAGE = 2
    thread = ThreadFactory()
    comments = [reply(thread, body=f"Comment {n}") for n in range(4)]
    client.get(thread.get_absolute_url() + "?page=3")
    assert marker(member, thread) == comments[-1].pk

    client.get(thread.get_absolute_url())
    assert marker(member, thread) == comments[-1].pk

    # The service refuses a step back even when asked directly (another tab).
    moved = services.mark_seen(member=member, thread=thread, comment_id=comments[0].pk)
    assert moved is False
    assert marker(member, thread) == comments[-1].pk


def test_board_row_counts_new_comments_by_others_only(client, member):
    thread = ThreadFactory(board=board("theories"))
    client.get(thread.get_absolute_url())
    reply(thread, body="One")
    reply(thread, body="Two")
    hidden = reply(thread, body="Hidden later")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)
    reply(thread, body="Mine", author=member)

    row = thread_row(client.get(board("theories").get_absolute_url()).text, thread)

    assert "2 new" in row
    assert reverse("threads:thread_unread", args=[thread.pk]) in row


def test_reading_the_thread_clears_its_count_in_the_cached_board_page(client, member):
    thread = ThreadFactory(board=board("theories"))
    client.get(thread.get_absolute_url())
    reply(thread)
    assert "1 new" in thread_row(client.get(board("theories").get_absolute_url()).text, thread)

    client.get(thread.get_absolute_url())

    row = thread_row(client.get(board("theories").get_absolute_url()).text, thread)
    assert "new" not in row.lower()


def test_unopened_threads_are_new_only_when_started_after_the_member_joined(client):
    older = ThreadFactory(board=board("theories"))
    reader = UserFactory(watched_up_to=12)
    client.force_login(reader)
    newer = ThreadFactory(board=board("theories"))
    own = ThreadFactory(board=board("theories"), author=reader)

    html = client.get(board("theories").get_absolute_url()).text

    assert '<span class="unread-new">New</span>' in thread_row(html, newer)
    assert "unread-new" not in thread_row(html, older)
    assert "unread-new" not in thread_row(html, own)


def test_visitors_see_no_read_state_in_lists(client, member):
    thread = ThreadFactory(board=board("theories"))
    client.get(thread.get_absolute_url())
    reply(thread)
    assert "1 new" in client.get(board("theories").get_absolute_url()).text

    visitor = Client()
    html = visitor.get(board("theories").get_absolute_url()).text

    assert "unread-count" not in html
    assert "unread-new" not in html
    assert "Mark all read" not in html


def test_one_members_counts_are_never_served_to_another(client, member):
    thread = ThreadFactory(board=board("theories"))
    client.get(thread.get_absolute_url())
    reply(thread)
    assert "1 new" in client.get(board("theories").get_absolute_url()).text

    other = Client()
    other.force_login(UserFactory(watched_up_to=12))
    html = other.get(board("theories").get_absolute_url()).text

    assert "unread-count" not in html


def test_home_and_episode_pages_show_new_counts(client, member):
    thread = ThreadFactory(board=board("episode-2"))
    client.get(thread.get_absolute_url())
    reply(thread)
    reply(thread)

    home = client.get(reverse("articles:article_list")).text
    episode = client.get(reverse("episodes:episode_detail", args=[2])).text

    unread = reverse("threads:thread_unread", args=[thread.pk])
    assert f'<a class="unread-count" href="{unread}">2 new' in home
    assert f'<a class="unread-count" href="{unread}">2 new' in episode


def clones(comment, count, **changes):
    """``count`` copies of ``comment`` (new rows, same thread), with ``changes``."""
    fields = {
        f.attname: getattr(comment, f.attname)
        for f in Comment._meta.concrete_fields
        if not f.primary_key
    }
    Comment.objects.bulk_create(Comment(**{**fields, **changes}) for _ in range(count))


def test_lists_count_unread_comments_up_to_a_hundred(client, member):
    thread = ThreadFactory(board=board("theories"))
    client.get(thread.get_absolute_url())
    first = reply(thread)
    clones(first, 98)
    # Neither hidden, removed nor their own comments count, however many.
    clones(first, 150, is_hidden=True)
    clones(first, 150, is_removed=True)
    clones(first, 150, author_id=member.pk)
    unread = reverse("threads:thread_unread", args=[thread.pk])

    def said():
        html = client.get(board("theories").get_absolute_url()).text
        return re.search(rf'<a class="unread-count" href="{unread}">([^<]*)<', html)[1]

    assert said() == "99 new"
    clones(first, 1)
    assert said() == "100+ new"
    clones(first, 400)
    assert said() == "100+ new"


def test_jump_to_first_unread_lands_on_its_page(client, member, settings):
    settings.COMMENTS_PER_PAGE = 3
    thread = ThreadFactory()
    for n in range(2):
        reply(thread, body=f"Read {n}")
    client.get(thread.get_absolute_url())
    first_new = reply(thread, body="First new")
    reply(thread, body="Second new")

    response = client.get(reverse("threads:thread_unread", args=[thread.pk]))

    # Opening post + 2 read comments fill page 1; the first new one opens page 2.
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{thread.get_absolute_url()}?page=2#comment-{first_new.pk}"
    page = client.get(response["Location"]).text
    assert page.index("New since your last visit") < page.index(f'id="comment-{first_new.pk}"')


def test_jump_to_first_unread_follows_the_order_asked_for(client, member, settings):
    settings.COMMENTS_PER_PAGE = 3
    thread = ThreadFactory()
    client.get(thread.get_absolute_url())
    first_new = reply(thread, body="First new")
    for n in range(4):
        reply(thread, body=f"Later {n}")

    url = reverse("threads:thread_unread", args=[thread.pk]) + "?sort=newest"
    location = client.get(url)["Location"]

    # Newest first: 4 later comments, then the first new one on page 2.
    assert location == f"{thread.get_absolute_url()}?page=2&sort=newest#comment-{first_new.pk}"


def test_unread_reply_past_the_first_few_opens_the_replies_page(client, member, settings):
    settings.REPLIES_SHOWN = 1
    thread = ThreadFactory()
    parent = reply(thread, body="Parent")
    reply(thread, body="Old reply", parent=parent)
    client.get(thread.get_absolute_url())
    newest_seen = marker(member, thread)
    late = reply(thread, body="Late reply", parent=parent)
    assert late.pk > newest_seen

    location = client.get(reverse("threads:thread_unread", args=[thread.pk]))["Location"]

    assert location == f"{reverse('comments:comment_replies', args=[parent.pk])}#comment-{late.pk}"


def test_unopened_or_fully_read_threads_jump_sensibly(client, member):
    thread = ThreadFactory()
    last = reply(thread)
    unread = reverse("threads:thread_unread", args=[thread.pk])
    # Never opened: the top of the thread.
    assert client.get(unread)["Location"] == thread.get_absolute_url()

    client.get(thread.get_absolute_url())
    # Everything read: the newest comment.
    assert client.get(unread)["Location"] == f"{thread.get_absolute_url()}#comment-{last.pk}"


def test_jump_to_latest_lands_on_the_newest_comment_in_either_order(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    thread = ThreadFactory()
    comments = [reply(thread, body=f"Comment {n}") for n in range(4)]
    latest = reverse("threads:thread_latest", args=[thread.pk])
    anchor = f"#comment-{comments[-1].pk}"

    page = client.get(thread.get_absolute_url()).text
    assert f'href="{latest}">Jump to latest</a>' in page
    assert client.get(latest)["Location"] == f"{thread.get_absolute_url()}?page=3{anchor}"
    assert client.get(latest + "?sort=newest")["Location"] == (
        f"{thread.get_absolute_url()}?sort=newest{anchor}"
    )


def test_new_divider_marks_where_unread_comments_begin_once(client, member):
    thread = ThreadFactory()
    reply(thread, body="Seen")
    client.get(thread.get_absolute_url())
    assert "New since your last visit" not in client.get(thread.get_absolute_url()).text
    new = reply(thread, body="Unseen")

    first = client.get(thread.get_absolute_url()).text
    again = client.get(thread.get_absolute_url()).text

    assert first.index("New since your last visit") < first.index(f'id="comment-{new.pk}"')
    assert first.index("Seen") < first.index("New since your last visit")
    assert 'href="#new-comments"' in first
    # The visit moved the marker, and the page cached for the member was dropped.
    assert "New since your last visit" not in again


def test_newest_first_lists_top_level_comments_in_reverse(client, settings):
    settings.COMMENTS_PER_PAGE = 2
    thread = ThreadFactory()
    for n in range(3):
        reply(thread, body=f"Comment number {n}")

    first = client.get(thread.get_absolute_url() + "?sort=newest").text
    last = client.get(thread.get_absolute_url() + "?sort=newest&page=2").text

    assert first.index("Comment number 2") < first.index("Comment number 1")
    assert "Comment number 0" not in first
    assert "Opening post" not in first
    assert last.index("Comment number 0") < last.index("Opening post")
    # Pagination keeps the order.
    assert "?sort=newest&amp;page=2" in first or "?page=2&amp;sort=newest" in first
    assert '<span aria-current="true">Newest first</span>' in first


def test_unknown_sort_is_the_default_order(client):
    thread = ThreadFactory()
    reply(thread, body="Comment number 0")
    html = client.get(thread.get_absolute_url() + "?sort=sideways").text
    assert html.index("Opening post") < html.index("Comment number 0")


def test_mark_all_read_clears_every_count_on_the_board(client, member):
    theories = board("theories")
    threads = ThreadFactory.create_batch(3, board=theories)
    client.get(threads[0].get_absolute_url())
    for thread in threads:
        reply(thread)
    elsewhere = ThreadFactory(board=board("general"))
    client.get(elsewhere.get_absolute_url())
    reply(elsewhere)

    response = client.post(reverse("threads:board_mark_read", args=["theories"]), follow=True)

    assert response.status_code == HTTPStatus.OK
    assert "Every thread on this board is marked as read." in response.text
    html = client.get(theories.get_absolute_url()).text
    assert "unread-count" not in html
    assert "unread-new" not in html
    assert "1 new" in client.get(board("general").get_absolute_url()).text


def test_mark_all_read_runs_a_few_queries_whatever_the_number_of_threads(
    client, member, django_assert_max_num_queries
):
    ThreadFactory.create_batch(25, board=board("theories"))
    with django_assert_max_num_queries(8):
        client.post(reverse("threads:board_mark_read", args=["theories"]))
    assert ThreadRead.objects.filter(member=member).count() == 25


def test_mark_all_read_is_a_members_post_with_csrf(client):
    url = reverse("threads:board_mark_read", args=["theories"])
    ThreadFactory(board=board("theories"))

    assert client.get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    visitor = client.post(url)
    assert visitor.status_code == HTTPStatus.FOUND
    assert reverse("account_login") in visitor["Location"]

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    assert strict.post(url).status_code == HTTPStatus.FORBIDDEN
    assert not ThreadRead.objects.exists()


def test_gated_thread_count_and_jump_reveal_nothing(client):
    reader = UserFactory(watched_up_to=2)
    client.force_login(reader)
    thread = ThreadFactory(
        board=board("theories"), title="Secret title ABC", body="Secret body ABC", spoils_episode=9
    )
    opening_post = Comment.objects.get(thread=thread)
    # The reader had read the opening post (say, when they were further along).
    ThreadRead.objects.create(member=reader, thread=thread, last_seen_comment_id=opening_post.pk)
    first_new = reply(thread, body="Secret first XYZ")
    reply(thread, body="Secret second XYZ")

    listing = client.get(board("theories").get_absolute_url()).text
    row = thread_row(listing, thread)
    assert "2 new" in row
    assert "Secret" not in listing

    landing = client.get(reverse("threads:thread_unread", args=[thread.pk]), follow=True)
    assert landing.status_code == HTTPStatus.OK
    assert landing.redirect_chain[-1][0].endswith(f"#comment-{first_new.pk}")
    assert "Secret" not in landing.text
    card = re.search(rf'id="comment-{first_new.pk}">(.*?)</article>', landing.text, re.S)
    assert "spoiler-gate" in card.group(1)

    caught_up = Client()
    caught_up.force_login(UserFactory(watched_up_to=12))
    assert "Secret title ABC" in caught_up.get(board("theories").get_absolute_url()).text


def test_a_gated_thread_is_not_marked_as_read(client):
    reader = UserFactory(watched_up_to=2)
    client.force_login(reader)
    thread = ThreadFactory(board=board("theories"), spoils_episode=9)
    reply(thread)

    client.get(thread.get_absolute_url())

    assert marker(reader, thread) is None


def test_a_hidden_thread_jumps_to_its_placeholder(client, member):
    thread = ThreadFactory()
    client.get(thread.get_absolute_url())
    reply(thread)
    thread.is_hidden = True
    thread.save()

    location = client.get(reverse("threads:thread_unread", args=[thread.pk]))["Location"]

    assert location == thread.get_absolute_url()


def test_deleting_the_account_deletes_its_markers(client, member):
    thread = ThreadFactory()
    client.get(thread.get_absolute_url())
    assert ThreadRead.objects.filter(member=member).exists()

    delete_account(member=member)

    assert not ThreadRead.objects.exists()


def test_a_thread_page_without_new_marks_is_served_from_the_cache(client, member):
    thread = ThreadFactory()
    reply(thread)

    first = client.get(thread.get_absolute_url())
    second = client.get(thread.get_absolute_url())

    # The first visit moved the marker, but its page marks nothing: it stays right.
    assert first["X-Page-Cache"] == "miss"
    assert second["X-Page-Cache"] == "hit"
    assert marker(member, thread) is not None


def test_new_marks_are_filled_in_on_the_shared_page_for_each_visit(client, member):
    thread = ThreadFactory()
    client.get(thread.get_absolute_url())
    reply(thread)

    marked = client.get(thread.get_absolute_url())
    reload = client.get(thread.get_absolute_url())

    # Members share the page; what is new is worked out per visit, after the cache.
    assert "is-new" in marked.text
    assert 'id="new-comments"' in marked.text
    assert reload["X-Page-Cache"] == "hit"
    assert "is-new" not in reload.text
    assert "First new comment" not in reload.text


def test_a_members_cached_thread_page_reads_their_marker_with_the_page(client, member):
    thread = ThreadFactory()
    reply(thread)
    client.get(thread.get_absolute_url())  # drawn, and the marker moved

    with CaptureQueriesContext(connection) as queries:
        response = client.get(thread.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert not [q for q in queries.captured_queries if "threads_threadread" in q["sql"]]


def test_mark_all_read_clears_what_is_new_on_the_thread_page_too(client, member):
    from django.test import Client

    thread = ThreadFactory(board=board("theories"))
    client.get(thread.get_absolute_url())  # the marker, kept in the cache too
    reply(thread, body="Posted after the visit")
    other = Client()
    other.force_login(UserFactory(watched_up_to=member.watched_up_to))
    other.get(thread.get_absolute_url())  # the page members share, cached again

    client.post(reverse("threads:board_mark_read", args=["theories"]), follow=True)
    response = client.get(thread.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert "is-new" not in response.text


def test_a_marker_further_along_elsewhere_is_read_again_not_shown_as_new_again(client, member):
    """The marker in the database is further along than this copy in the cache (a
    view from another tab that could not store its own): the page cannot move it
    back, so the copy is dropped and the next view reads the real one."""
    from django.core.cache import cache

    thread = ThreadFactory()
    first = reply(thread, body="First")
    last = reply(thread, body="Second")
    client.get(thread.get_absolute_url())  # drawn; the marker at the last comment
    key = services.read_key(member.pk, thread.pk)
    cache.set(key, (first.pk,), 60)  # an older copy

    assert client.get(thread.get_absolute_url())["X-Page-Cache"] == "hit"
    assert cache.get(key) is None
    assert "is-new" not in client.get(thread.get_absolute_url()).text
    assert cache.get(key) == (last.pk,)
    assert marker(member, thread) == last.pk


def test_see_says_where_the_marker_stood_and_moves_it_only_forwards(member):
    thread = ThreadFactory()

    assert services.see(member=member, thread_pk=thread.pk, comment_id=20) == (None, True)
    assert marker(member, thread) == 20
    assert services.see(member=member, thread_pk=thread.pk, comment_id=30) == (20, True)
    assert marker(member, thread) == 30
    assert services.see(member=member, thread_pk=thread.pk, comment_id=25) == (30, False)
    assert marker(member, thread) == 30
    assert services.see(member=member, thread_pk=thread.pk, comment_id=30) == (30, False)


def test_a_first_view_of_a_cached_thread_page_reads_and_moves_the_marker_together(client, member):
    """A member who never opened the thread, on the page others drew: what is new
    to them is worked out from the marker as it stood, and it moves to the newest
    comment shown. On PostgreSQL that is one statement (``services.see``)."""
    thread = ThreadFactory()
    latest = reply(thread, body="Newest")
    other = Client()
    other.force_login(UserFactory(watched_up_to=member.watched_up_to))
    other.get(thread.get_absolute_url())  # the page members share, cached
    ThreadRead.objects.create(member=member, thread=thread, last_seen_comment_id=latest.pk - 1)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(thread.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert f'id="comment-{latest.pk}"' in response.text
    # The one comment past the marker as it stood is new, marked once.
    assert response.text.count("is-new") == 1
    assert 'id="new-comments"' in response.text
    assert marker(member, thread) == latest.pk
    touching = [q["sql"] for q in queries.captured_queries if "threads_threadread" in q["sql"]]
    assert len(touching) == (1 if connection.vendor == "postgresql" else 2)
