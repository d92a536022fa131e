"""Threads hidden by moderators: left out of every list and replaced by a
placeholder for members and visitors, fully readable (and marked) for moderators."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from fansite.comments.models import Comment
from fansite.threads.models import Thread
from tests.threads.factories import ThreadFactory, board, reply
from tests.users.factories import UserFactory

pytestmark = pytest.mark.django_db

SECRETS = ("Hidden secret title", "Hidden opening body", "Hidden reply text")
PLACEHOLDER = "This thread has been hidden by moderators."


def make_moderator():
    moderator = UserFactory(is_staff=True, watched_up_to=12)
    moderator.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_thread", "change_comment"],
            content_type__app_label__in=["threads", "comments"],
        )
    )
    return moderator


@pytest.fixture
def author():
    return UserFactory(username="hana", watched_up_to=12)


@pytest.fixture
def threads(author):
    """A visible thread and a hidden one by the same author on the episode 3 board;
    the hidden one is the most recently active, so it would lead every list."""
    visible = ThreadFactory(board=board("episode-3"), author=author, title="Visible talk")
    hidden = ThreadFactory(
        board=board("episode-3"), author=author, title=SECRETS[0], body=SECRETS[1]
    )
    reply(hidden, body=SECRETS[2], author=author)
    now = timezone.now()
    Thread.objects.filter(pk=visible.pk).update(last_activity_at=now - timedelta(hours=1))
    Thread.objects.filter(pk=hidden.pk).update(last_activity_at=now, is_hidden=True)
    hidden.refresh_from_db()
    return visible, hidden


def list_pages(author):
    return {
        "board list": reverse("threads:board_list"),
        "board page": board("episode-3").get_absolute_url(),
        "home": reverse("articles:article_list"),
        "profile": author.get_absolute_url(),
    }


def viewer(client, who):
    if who == "member":
        client.force_login(UserFactory(watched_up_to=12))
    elif who == "author":
        client.force_login(Thread.objects.get(title="Visible talk").author)
    else:
        session = client.session
        session["watched_up_to"] = 12
        session.save()
    return client


@pytest.mark.parametrize("who", ["visitor", "member", "author"])
def test_hidden_thread_is_left_out_of_every_list(client, threads, author, who):
    visible, hidden = threads
    viewer(client, who)
    for name, url in list_pages(author).items():
        html = client.get(url).text
        for secret in SECRETS:
            assert secret not in html, f"{secret!r} on the {name} for a {who}"
        assert hidden.get_absolute_url() not in html, name
        assert visible.get_absolute_url() in html, name


def test_board_list_shows_the_latest_visible_thread_instead(client, threads):
    visible, _hidden = threads
    html = viewer(client, "visitor").get(reverse("threads:board_list")).text
    row = re.search(r'<tr id="board-episode-3">.*?</tr>', html, re.S).group(0)
    assert f'href="{visible.get_absolute_url()}"' in row


def test_moderator_sees_hidden_threads_in_every_list_marked_hidden(client, threads, author):
    _visible, hidden = threads
    client.force_login(make_moderator())
    for name, url in list_pages(author).items():
        html = client.get(url).text
        assert SECRETS[0] in html, name
        assert hidden.get_absolute_url() in html, name
        assert '<span class="badge badge--hidden">Hidden</span>' in html or (
            '<li class="badge badge--hidden">Hidden</li>' in html
        ), name


def test_superuser_sees_hidden_threads(client, threads):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, watched_up_to=12))
    assert SECRETS[0] in client.get(board("episode-3").get_absolute_url()).text


@pytest.mark.parametrize("who", ["visitor", "member", "author"])
def test_hidden_thread_page_is_a_placeholder_without_secrets(client, threads, who):
    _visible, hidden = threads
    viewer(client, who)

    response = client.get(hidden.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert PLACEHOLDER in response.text
    for secret in SECRETS:
        assert secret not in response.text
    head = response.text.split("</head>", 1)[0]
    assert "<title>Hidden thread · Episode 3 · " in head
    assert '<meta name="robots" content="noindex">' in head
    assert 'property="og:title"' not in head
    assert '<form method="post" action="/comments/new/' not in response.text
    # No way to report (or reply to) what they cannot see.
    assert "/report/" not in response.text


def test_permalink_to_a_comment_in_a_hidden_thread_lands_on_the_placeholder(client, threads):
    _visible, hidden = threads
    comment = Comment.objects.get(body=SECRETS[2])
    response = client.get(comment.get_absolute_url(), follow=True)
    assert response.status_code == HTTPStatus.OK
    assert response.redirect_chain[-1][0].startswith(hidden.get_absolute_url())
    assert PLACEHOLDER in response.text
    assert SECRETS[2] not in response.text


def test_moderator_reads_a_hidden_thread_with_a_banner(client, threads):
    _visible, hidden = threads
    client.force_login(make_moderator())

    response = client.get(hidden.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    for secret in SECRETS:
        assert secret in response.text
    assert "Moderators have hidden this thread" in response.text
    assert PLACEHOLDER not in response.text


def test_profile_leaves_out_comments_in_hidden_threads(client, threads, author):
    visible, _hidden = threads
    reply(visible, body="A reply anyone may read", author=author)
    client.force_login(UserFactory(watched_up_to=12))

    html = client.get(author.get_absolute_url()).text

    assert "A reply anyone may read" in html
    assert SECRETS[2] not in html

    client.force_login(make_moderator())
    assert SECRETS[2] in client.get(author.get_absolute_url()).text


def test_restored_thread_is_listed_again(client, threads):
    _visible, hidden = threads
    Thread.objects.filter(pk=hidden.pk).update(is_hidden=False)
    html = viewer(client, "visitor").get(board("episode-3").get_absolute_url()).text
    assert SECRETS[0] in html
    assert '<li class="badge badge--hidden">' not in html


# --- Hidden comments, through the thread page ----------------------------------------------


def test_hidden_comment_shows_a_placeholder_on_the_thread_page(client):
    thread = ThreadFactory(title="A friendly thread")
    hidden = reply(thread, body="Nasty words")
    reply(thread, body="Kind words")
    Comment.objects.filter(pk=hidden.pk).update(is_hidden=True)

    for who in ("visitor", "member"):
        html = viewer(client, who).get(thread.get_absolute_url()).text
        assert "Nasty words" not in html
        assert "Kind words" in html
        assert "Hidden by moderators" in html

    client.force_login(make_moderator())
    html = client.get(thread.get_absolute_url()).text
    assert "Nasty words" in html
    assert "Hidden by moderators: only moderators see this text." in html


# --- Query counts --------------------------------------------------------------------------


def bulk_comments(thread, count, authors):
    tops = Comment.objects.bulk_create(
        Comment(
            thread=thread,
            author=authors[n % len(authors)],
            body=f"Top {n}",
            body_html=f"<p>Top {n}</p>",
            is_hidden=n % 7 == 3,
        )
        for n in range(max(count // 2, 1))
    )
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            parent=tops[n % len(tops)],
            reply_to=tops[n % len(tops)] if n % 3 else None,
            author=authors[n % len(authors)],
            body=f"Reply {n}",
            body_html=f"<p>Reply {n}</p>",
        )
        for n in range(count - len(tops))
    )


@pytest.mark.parametrize("count", [1, 500])
@pytest.mark.parametrize("who", ["member", "moderator"])
def test_thread_page_with_report_links_runs_constant_queries(
    client, django_assert_max_num_queries, count, who
):
    thread = ThreadFactory(board=board("episode-1"))
    if who == "moderator":
        Thread.objects.filter(pk=thread.pk).update(is_hidden=True)
    me = make_moderator() if who == "moderator" else UserFactory(watched_up_to=12)
    # Some of the comments are the viewer's own (no report link), some others'.
    bulk_comments(thread, count, [me, *UserFactory.create_batch(4)])
    client.force_login(me)

    # The moderator's permission lookups are the only extra queries. A member's first
    # page after the cache was emptied also reads their unread count and follows.
    # Reactions read their kinds, counts and the member's own (3, cache empty), and a
    # thread longer than a page has its "Best comments" strip (1).
    extra = 3 + (1 if count > 60 else 0)
    with django_assert_max_num_queries((12 if who == "moderator" else 10 + 2) + extra):
        response = client.get(thread.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert "Top 0" in response.text
    assert "/report/comment/" in response.text


@pytest.mark.parametrize("count", [0, 3])
def test_board_list_with_hidden_threads_runs_constant_queries(
    client, django_assert_max_num_queries, count
):
    for slug in ["episode-1", "episode-9", "general"]:
        for thread in ThreadFactory.create_batch(count, board=board(slug)):
            Thread.objects.filter(pk=thread.pk).update(is_hidden=thread.pk % 2 == 0)
    with django_assert_max_num_queries(3):
        response = client.get(reverse("threads:board_list"))
    assert response.status_code == HTTPStatus.OK


def test_a_hidden_thread_takes_no_comments_even_from_a_crafted_post(client):
    from fansite.comments.models import Comment

    thread = ThreadFactory()
    Thread.objects.filter(pk=thread.pk).update(is_hidden=True)
    member = UserFactory()
    client.force_login(member)

    response = client.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Still trying to post here."},
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "hidden by moderators" in response.text
    assert "Still trying to post here." in response.text  # the text is kept
    assert not Comment.objects.filter(body="Still trying to post here.").exists()
