"""Replies under a busy comment: the thread page shows the first few and a link to
the rest, so a page's size stays bounded however many replies a comment gets."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.selectors import comment_page
from fansite.comments.services import post_comment, start_thread
from fansite.threads.models import Board
from tests.users.factories import UserFactory

from .factories import ThreadFactory

pytestmark = pytest.mark.django_db


def add_replies(parent, count):
    author = UserFactory()
    return Comment.objects.bulk_create(
        Comment(
            thread_id=parent.thread_id,
            author=author,
            parent=parent,
            body=f"Reply number {n}",
            body_html=f"<p>Reply number {n} wallaby</p>",
        )
        for n in range(1, count + 1)
    )


@pytest.fixture
def conversation(settings):
    settings.REPLIES_SHOWN = 3
    settings.COMMENTS_PER_PAGE = 10
    thread = ThreadFactory()
    busy = Comment.objects.for_target(thread).get()  # the opening post
    quiet = post_comment(target=thread, author=UserFactory(), body="A quiet comment")
    replies = add_replies(busy, 25)
    add_replies(quiet, 2)
    return thread, busy, quiet, replies


def test_the_thread_page_shows_the_first_replies_and_a_link_to_the_rest(client, conversation):
    thread, busy, _quiet, _replies = conversation

    html = client.get(thread.get_absolute_url()).content.decode()

    assert html.count("wallaby") == 3 + 2
    for n in (1, 2, 3):
        assert f"Reply number {n} wallaby" in html
    assert "Reply number 4 wallaby" not in html
    replies_url = reverse("comments:comment_replies", args=[busy.pk])
    assert f'href="{replies_url}"' in html
    assert "Show all 25 replies" in html
    assert "(22 more)" in html
    # The quiet comment shows both its replies and no link.
    assert html.count("Show all") == 1


def test_the_selector_counts_replies_in_one_query(conversation, django_assert_num_queries):
    thread, _busy, _quiet, _replies = conversation
    with django_assert_num_queries(3):
        page = comment_page(target=thread)
        first, second = page.page_obj
        assert [len(first.reply_list), first.reply_total, first.more_replies] == [3, 25, 22]
        assert [len(second.reply_list), second.reply_total, second.more_replies] == [2, 2, 0]
        assert [reply.author.username for reply in first.reply_list]


def test_the_replies_page_lists_every_reply_a_page_at_a_time(client, conversation):
    thread, busy, _quiet, _replies = conversation
    url = reverse("comments:comment_replies", args=[busy.pk])
    client.force_login(UserFactory(watched_up_to=12))

    first = client.get(url)
    assert first.status_code == HTTPStatus.OK
    html = first.content.decode()
    assert "Reply number 1 wallaby" in html
    assert "Reply number 10 wallaby" in html
    assert "Reply number 11 wallaby" not in html
    assert thread.title in html  # the way back names the thread
    assert "25 replies" in html

    last = client.get(url, {"page": 3}).content.decode()
    assert "Reply number 25 wallaby" in last
    assert "Reply number 20 wallaby" not in last


def test_the_replies_page_runs_the_same_queries_for_few_and_many(
    client, conversation, django_assert_max_num_queries
):
    _thread, busy, quiet, _replies = conversation
    client.get(reverse("comments:comment_replies", args=[quiet.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("comments:comment_replies", args=[busy.pk]))
    add_replies(busy, 100)
    with django_assert_max_num_queries(8):
        client.get(reverse("comments:comment_replies", args=[busy.pk]), {"page": 5})


def test_a_permalink_finds_a_reply_past_the_first_few(client, conversation):
    thread, busy, _quiet, replies = conversation

    early = client.get(replies[1].get_absolute_url())
    assert early["Location"] == f"{thread.get_absolute_url()}#comment-{replies[1].pk}"

    late = client.get(replies[21].get_absolute_url())  # the 22nd reply: page 3 of 10
    replies_url = reverse("comments:comment_replies", args=[busy.pk])
    assert late["Location"] == f"{replies_url}?page=3#comment-{replies[21].pk}"


def test_a_reply_address_leads_to_its_comments_replies_page(client, conversation):
    _thread, busy, _quiet, replies = conversation
    response = client.get(reverse("comments:comment_replies", args=[replies[0].pk]))
    assert response["Location"] == reverse("comments:comment_replies", args=[busy.pk])


def test_the_form_on_the_replies_page_answers_the_comment(client, conversation):
    thread, busy, _quiet, _replies = conversation
    member = UserFactory()
    client.force_login(member)
    url = reverse("comments:comment_replies", args=[busy.pk])

    html = client.get(url).content.decode()
    assert f'name="parent" value="{busy.pk}"' in html
    assert "Cancel reply</a>" not in html  # (the script's own Cancel is a button)

    response = client.post(
        reverse("comments:comment_create", args=["thread", thread.pk]),
        {"body": "Joining in late", "parent": busy.pk},
    )
    assert response.status_code == HTTPStatus.FOUND
    posted = Comment.objects.get(body="Joining in late")
    assert posted.parent_id == busy.pk
    # Its permalink leads to the replies page, where it is the 26th reply.
    landing = client.get(response["Location"])
    assert landing["Location"].startswith(url)
    assert "Joining in late" in client.get(landing["Location"]).content.decode()


def test_the_replies_page_gates_spoilers_and_the_thread_title(client):
    author = UserFactory(watched_up_to=12)
    thread = start_thread(
        board=Board.objects.get(slug="episode-9"),
        author=author,
        title="Gated title dugong-5512",
        body="Gated opener dugong-1193",
    )
    opener = Comment.objects.for_target(thread).get()
    post_comment(target=thread, author=author, body="Gated reply dugong-7720", parent=opener)

    html = client.get(reverse("comments:comment_replies", args=[opener.pk])).content.decode()

    assert "dugong" not in html
    assert "Spoiler for episode 9" in html


def test_the_replies_page_of_a_hidden_thread_shows_only_the_placeholder(client, conversation):
    thread, busy, _quiet, _replies = conversation
    thread.is_hidden = True
    thread.save()

    html = client.get(reverse("comments:comment_replies", args=[busy.pk])).content.decode()

    assert "Hidden thread" in html
    assert "wallaby" not in html
    assert thread.title not in html
