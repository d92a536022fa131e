import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from tests.users.factories import UserFactory

from .factories import ThreadFactory, board, reply

pytestmark = pytest.mark.django_db


def meta_content(response, name):
    match = re.search(rf'<meta (?:name|property)="{name}" content="([^"]*)"', response.text)
    assert match, f"no meta {name}"
    return match.group(1)


def page_title(response):
    return re.search(r"<title>(.*?)</title>", response.text, re.S).group(1)


def test_thread_page_shows_title_opening_post_and_replies(caught_up_client):
    thread = ThreadFactory(
        board=board("episode-6"), title="The rooftop", body="Opening words about the roof."
    )
    first = reply(thread, body="First reply here.")
    reply(thread, body="Answering the first.", parent=first)

    response = caught_up_client.get(thread.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    html = response.text
    assert '<h1 class="thread-header__title">The rooftop</h1>' in html
    assert page_title(response).startswith("The rooftop · Episode 6")
    assert html.index("Opening words about the roof.") < html.index("First reply here.")
    assert html.index("First reply here.") < html.index("Answering the first.")
    assert f'<a href="{reverse("threads:board_list")}">Boards</a>' in html
    assert f'<a href="{board("episode-6").get_absolute_url()}">Episode 6</a>' in html
    assert "2 replies" in html


def test_meta_description_is_a_spoiler_free_excerpt_of_the_opening_post(caught_up_client):
    thread = ThreadFactory(
        title="Careful now", body="The **hallway** scene, where >!someone dies!<, was tense."
    )

    response = caught_up_client.get(thread.get_absolute_url())

    description = "The hallway scene, where [spoiler], was tense."
    assert meta_content(response, "description") == description
    assert meta_content(response, "og:description") == description
    assert meta_content(response, "og:title") == "Careful now"


def test_locked_thread_shows_the_notice_and_no_comment_form(client):
    thread = ThreadFactory(title="Closed case", is_locked=True)
    client.force_login(UserFactory())

    response = client.get(thread.get_absolute_url())

    assert "This thread is locked" in response.text
    assert "<textarea" not in response.text
    assert reverse("comments:comment_create", args=["thread", thread.pk]) not in response.text


def test_visitors_are_asked_to_log_in_and_get_no_form_fields(client):
    thread = ThreadFactory(title="Open case")

    response = client.get(f"{thread.get_absolute_url()}?reply_to={thread.pk}")

    assert "Log in to join the discussion" in response.text
    assert "<textarea" not in response.text
    assert reverse("comments:comment_create", args=["thread", thread.pk]) not in response.text
    assert response.context["comment_form"].refusal  # why, for whoever asks
    assert not hasattr(response.context["comment_form"], "fields")


def test_open_thread_offers_the_comment_form_to_members(client):
    thread = ThreadFactory(title="Open case")
    client.force_login(UserFactory())

    response = client.get(thread.get_absolute_url())

    assert "This thread is locked" not in response.text
    assert reverse("comments:comment_create", args=["thread", thread.pk]) in response.text


def test_pinned_thread_says_so(client):
    thread = ThreadFactory(title="Board rules", is_pinned=True)
    response = client.get(thread.get_absolute_url())
    assert "Pinned: moderators keep this thread at the top of its board." in response.text


def test_unknown_thread_is_not_found(client):
    response = client.get(reverse("threads:thread_detail", args=[999]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("count", [1, 500])
def test_thread_page_query_count_is_constant(client, django_assert_max_num_queries, count):
    thread = ThreadFactory(board=board("episode-1"))
    authors = UserFactory.create_batch(5)
    # Half top-level comments, half replies spread over them; rendered once, stored in bulk.
    tops = Comment.objects.bulk_create(
        Comment(thread=thread, author=authors[n % 5], body=f"Top {n}", body_html=f"<p>Top {n}</p>")
        for n in range(max(count // 2, 1))
    )
    Comment.objects.bulk_create(
        Comment(
            thread=thread,
            parent=tops[n % len(tops)],
            reply_to=tops[n % len(tops)] if n % 3 else None,
            author=authors[n % 5],
            body=f"Reply {n}",
            body_html=f"<p>Reply {n}</p>",
        )
        for n in range(count - len(tops))
    )
    member = UserFactory(watched_up_to=12)
    client.force_login(member)

    # 10, then 3 for reactions with the cache empty (kinds, counts, the member's
    # own) and, on the first page of a long thread, the "Best comments" strip.
    with django_assert_max_num_queries(10 + 3 + (1 if count > 60 else 0)):
        response = client.get(thread.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert "Top 0" in response.text


def test_each_members_links_on_a_thread_point_at_that_thread(relaxed_posting_limits):
    """The thread's Report, Edit and Raise links are drawn once per thread and
    language (fansite.threads.markers): each thread's page links to itself, and
    each member gets the links that are theirs."""
    from django.test import Client

    from fansite.users.models import User

    author = UserFactory(watched_up_to=12)
    first, second = (
        ThreadFactory(author=author, title=f"Thread {n}", body=f"Opening post {n}") for n in (1, 2)
    )
    readers = {
        "author": author,
        "member": UserFactory(watched_up_to=12),
        "guard": UserFactory(watched_up_to=12, spoiler_guard=User.GuardRole.GUARD),
    }
    for thread in (first, second, first):
        for name, member in readers.items():
            client = Client()
            client.force_login(member)
            page = client.get(thread.get_absolute_url()).text
            header = page.split('class="thread-header', 1)[1].split("</header>", 1)[0]
            links = set(re.findall(r'href="([^"]*/(?:edit|report|guard)/[^"]*)"', header))
            expected = {
                "author": {reverse("threads:thread_edit", kwargs={"pk": thread.pk})},
                "member": {reverse("moderation:report_create", args=["thread", thread.pk])},
                "guard": {
                    reverse("moderation:report_create", args=["thread", thread.pk]),
                    reverse("moderation:guard_raise", args=["thread", thread.pk]),
                },
            }[name]
            assert links == expected, (name, thread.title, links)
