"""Issue 14, Writing: Reply and Quote stay on the thread page.

With JavaScript, the Reply and Quote links open the compose box under the comment
(static/js/site.js). Quote takes its text from ``comments:comment_quote``, which
answers what ``?quote=<pk>`` prefills, gated as the page is: a gated comment's text is
never in the page (not in a data attribute either) nor in the endpoint's answer. After
posting, the member lands on the new comment, on the page that shows it.
"""

import datetime
import html
import re
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from fansite.articles.models import Article
from fansite.comments.models import Comment
from fansite.threads.models import Thread
from tests.spoilers.readers import revealing
from tests.users.factories import UserFactory

from .factories import CommentFactory, ThreadFactory

pytestmark = pytest.mark.django_db

SECRET = "Gwi-nam climbs out of the fire kestrel-5521"


def quote_url(comment):
    return reverse("comments:comment_quote", kwargs={"pk": comment.pk})


def create_url(target, kind="thread"):
    return reverse("comments:comment_create", kwargs={"kind": kind, "pk": target.pk})


def textarea(page):
    return html.unescape(re.search(r"<textarea[^>]*>\n?(.*?)</textarea>", page, re.S).group(1))


def test_quote_endpoint_answers_what_the_quote_link_prefills(client, member, thread):
    quoted = CommentFactory(
        thread=thread, body="The lab **started** it.\nThen the school.", author__username="suhyeok"
    )
    client.force_login(member)

    response = client.get(quote_url(quoted))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    data = response.json()
    page = client.get(thread.get_absolute_url(), {"quote": quoted.pk}).content.decode()
    assert data["body"] == textarea(page)
    assert data["body"].startswith(f"> [@suhyeok wrote](/comments/{quoted.pk}/):\n")
    assert data["parent"] == quoted.pk
    assert data["spoils_episode"] is None
    assert data["body_help"] is None


def test_quote_endpoint_quotes_spoilers_by_reference(client, member, thread):
    quoted = CommentFactory(thread=thread, body=f"Roof. >!{SECRET}!< Brutal.")
    client.force_login(member)

    data = client.get(quote_url(quoted)).json()

    assert f">!⟦spoiler 1 of comment {quoted.pk}⟧!<" in data["body"]
    assert SECRET not in data["body"]
    assert "Quoted spoilers show here as" in data["body_help"]


def test_a_quote_of_a_later_episode_raises_the_level(client, member):
    thread = ThreadFactory(spoils_episode=3)
    quoted = CommentFactory(thread=thread, spoils_episode_id=9, body="Later.")
    client.force_login(member)

    data = client.get(quote_url(quoted)).json()

    assert data["spoils_episode"] == 9
    assert "spoils at least up to episode 9" in data["spoils_episode_help"]


def test_a_gated_comment_is_in_neither_the_page_nor_the_quote_for_a_reader_behind(client, thread):
    secret = CommentFactory(thread=thread, body=SECRET, spoils_episode_id=9)
    client.force_login(UserFactory(watched_up_to=3))

    page = client.get(thread.get_absolute_url()).content.decode()
    response = client.get(quote_url(secret))

    assert SECRET not in page
    assert "kestrel" not in page
    # Reply is offered (it copies nothing); Quote is not, and names no quote source.
    assert f'data-reply="{secret.pk}"' in page
    assert quote_url(secret) not in page
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response["Content-Type"].startswith("text/plain")
    assert "spoils episode 9, which you have not watched" in response.content.decode()
    assert "kestrel" not in response.content.decode()


def test_a_gated_comment_is_quotable_once_caught_up_or_revealed(client, thread):
    secret = CommentFactory(thread=thread, body=SECRET, spoils_episode_id=9)
    client.force_login(UserFactory(watched_up_to=9))

    page = client.get(thread.get_absolute_url()).content.decode()
    assert SECRET in page
    assert f'data-quote-url="{quote_url(secret)}"' in page
    assert SECRET in client.get(quote_url(secret)).json()["body"]

    # A reader behind who pressed Show: the page's quote address carries their reveal.
    client.force_login(UserFactory(watched_up_to=3))
    revealed = client.get(revealing(client, thread.get_absolute_url(), secret))
    address = html.unescape(
        re.search(rf'data-quote-url="({re.escape(quote_url(secret))}[^"]*)"', revealed.text)[1]
    )
    assert "reveal=" in address
    assert SECRET in client.get(address).json()["body"]
    assert client.get(quote_url(secret)).status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("who", ["visitor", "banned"])
def test_quote_endpoint_refuses_those_who_cannot_post(client, thread, who):
    quoted = CommentFactory(thread=thread, body="Quote me.")
    if who == "banned":
        client.force_login(UserFactory(banned_until=timezone.now() + datetime.timedelta(days=3)))

    response = client.get(quote_url(quoted))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response["Content-Type"].startswith("text/plain")
    assert "Quote me." not in response.content.decode()


def test_quote_endpoint_refuses_a_locked_thread(client, member):
    thread = ThreadFactory()
    quoted = CommentFactory(thread=thread, body="Quote me.")
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    client.force_login(member)

    response = client.get(quote_url(quoted))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "locked" in response.content.decode()


def test_quote_endpoint_finds_nothing_hidden_or_unpublished(client, member, thread, article):
    removed = CommentFactory(thread=thread, body="Withdrawn.", is_removed=True)
    hidden = CommentFactory(thread=thread, body="Hidden.", is_hidden=True)
    hidden_thread = ThreadFactory()
    on_hidden_thread = CommentFactory(thread=hidden_thread, body="Under a hidden thread.")
    hidden_thread.is_hidden = True
    hidden_thread.save()
    on_draft = CommentFactory(thread=None, article=article, body="On a draft.")
    Article.objects.filter(pk=article.pk).update(status=Article.Status.DRAFT)
    client.force_login(member)

    for comment in (removed, hidden, on_hidden_thread, on_draft):
        assert client.get(quote_url(comment)).status_code == HTTPStatus.NOT_FOUND
    assert client.post(quote_url(removed)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_quote_endpoint_on_an_article(client, member, article):
    quoted = CommentFactory(thread=None, article=article, body="An article comment.")
    client.force_login(member)

    data = client.get(quote_url(quoted)).json()

    assert "> An article comment." in data["body"]


def test_the_thread_page_carries_the_reply_strings_for_members_only(client, member, thread):
    comment = CommentFactory(thread=thread)

    visitor_page = client.get(thread.get_absolute_url()).content.decode()
    client.force_login(member)
    member_page = client.get(thread.get_absolute_url()).content.decode()

    assert "compose-reply-template" not in visitor_page
    assert "data-reply=" not in visitor_page
    assert "compose-reply-template" in member_page
    assert "Cancel reply" in member_page
    assert f'data-reply="{comment.pk}"' in member_page


def test_thread_page_queries_stay_constant_with_reply_and_quote_links(
    client, member, settings, django_assert_max_num_queries
):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    thread = ThreadFactory()
    client.force_login(member)
    client.get(thread.get_absolute_url())  # warm the per-process caches
    # Both measured views show a comment the member has not seen, so both move
    # their read marker (one write): the comparison is like for like.
    CommentFactory(thread=thread)
    with django_assert_max_num_queries(30) as few:
        client.get(thread.get_absolute_url())
    for _ in range(12):
        top = CommentFactory(thread=thread)
        CommentFactory(thread=thread, parent=top)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(thread.get_absolute_url()).content.decode()
    assert page.count("data-quote-url=") == 26


# --- Landing on the new comment --------------------------------------------------


def land(client, response):
    """Follow the post's redirects: the permalink, then the page showing the comment."""
    assert response.status_code == HTTPStatus.FOUND
    permalink = client.get(response.url)
    assert permalink.status_code == HTTPStatus.FOUND
    page = client.get(permalink.url)
    assert page.status_code == HTTPStatus.OK
    return permalink.url, page.content.decode()


def test_a_reply_on_a_later_page_lands_on_that_page(client, member, settings):
    settings.COMMENTS_PER_PAGE = 3
    thread = ThreadFactory()
    comments = [CommentFactory(thread=thread) for _ in range(8)]  # 9 top-level: 3 pages
    answered = comments[3]  # the fifth top-level comment: page 2
    client.force_login(member)

    response = client.post(
        create_url(thread), {"body": "Answering on page two.", "parent": answered.pk}
    )

    reply = Comment.objects.get(body="Answering on page two.")
    assert reply.parent == answered
    url, page = land(client, response)
    assert url == f"{thread.get_absolute_url()}?page=2#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in page


def test_a_reply_to_a_reply_lands_under_the_top_comment(client, member, settings):
    settings.COMMENTS_PER_PAGE = 3
    thread = ThreadFactory()
    comments = [CommentFactory(thread=thread) for _ in range(5)]
    answered = CommentFactory(thread=thread, parent=comments[4])
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "To the reply.", "parent": answered.pk})

    reply = Comment.objects.get(body="To the reply.")
    assert (reply.parent, reply.reply_to) == (comments[4], answered)
    url, page = land(client, response)
    assert url == f"{thread.get_absolute_url()}?page=2#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in page


def test_a_reply_past_the_replies_shown_lands_on_its_replies_page(client, member, settings):
    settings.COMMENTS_PER_PAGE = 4
    settings.REPLIES_SHOWN = 2
    thread = ThreadFactory()
    top = CommentFactory(thread=thread)
    for _ in range(5):
        CommentFactory(thread=thread, parent=top)
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "The sixth reply.", "parent": top.pk})

    reply = Comment.objects.get(body="The sixth reply.")
    url, page = land(client, response)
    replies = reverse("comments:comment_replies", kwargs={"pk": top.pk})
    assert url == f"{replies}?page=2#comment-{reply.pk}"
    assert f'id="comment-{reply.pk}"' in page


def test_a_new_comment_on_a_long_thread_lands_on_the_last_page(client, member, settings):
    settings.COMMENTS_PER_PAGE = 5
    thread = ThreadFactory()
    for _ in range(23):  # with the opening post, 24 top-level: pages 1-5
        CommentFactory(thread=thread)
    client.force_login(member)

    response = client.post(create_url(thread), {"body": "The twenty-fifth."})

    comment = Comment.objects.get(body="The twenty-fifth.")
    url, page = land(client, response)
    assert url == f"{thread.get_absolute_url()}?page=5#comment-{comment.pk}"
    assert f'id="comment-{comment.pk}"' in page


# --- Without JavaScript: the form at the reply point -----------------------------


def after_card(page, comment):
    """What follows ``comment``'s card in the page."""
    return page.split(f'id="comment-{comment.pk}"', 1)[1].split("</article>", 1)[1]


@pytest.mark.parametrize("action", ["reply_to", "quote"])
def test_without_javascript_the_form_opens_under_the_comment_answered(
    client, member, thread, action
):
    answered = CommentFactory(thread=thread, body="Answer me.")
    reply = CommentFactory(thread=thread, parent=answered, body="An earlier reply.")
    later = CommentFactory(thread=thread, body="A later comment.")
    client.force_login(member)

    page = client.get(thread.get_absolute_url(), {action: answered.pk}).content.decode()

    assert page.count('id="comment-form"') == 1
    following = after_card(page, answered)
    assert following.lstrip().startswith('<div class="comment-compose comment-compose--inline"')
    assert following.index('id="comment-form"') < following.index(f'id="comment-{reply.pk}"')
    assert following.index('id="comment-form"') < following.index(f'id="comment-{later.pk}"')
    assert f'name="parent" value="{answered.pk}"' in following


def test_without_javascript_a_reply_to_a_reply_opens_under_that_reply(client, member, thread):
    top = CommentFactory(thread=thread)
    first = CommentFactory(thread=thread, parent=top)
    second = CommentFactory(thread=thread, parent=top)
    client.force_login(member)

    page = client.get(thread.get_absolute_url(), {"reply_to": first.pk}).content.decode()

    following = after_card(page, first)
    assert following.index('id="comment-form"') < following.index(f'id="comment-{second.pk}"')
    assert page.count('id="comment-form"') == 1


def test_without_javascript_a_comment_not_on_the_page_is_answered_at_the_end(
    client, member, thread, settings
):
    settings.REPLIES_SHOWN = 1
    top = CommentFactory(thread=thread)
    CommentFactory(thread=thread, parent=top)
    hidden_from_page = CommentFactory(thread=thread, parent=top)  # behind "show all replies"
    client.force_login(member)

    page = client.get(thread.get_absolute_url(), {"reply_to": hidden_from_page.pk}).text

    assert page.count('id="comment-form"') == 1
    assert 'class="comment-compose"' in page
    assert f'name="parent" value="{hidden_from_page.pk}"' in page
    assert page.index('id="comment-form"') > page.index(f'id="comment-{top.pk}"')


def test_the_replies_page_answers_a_reply_under_it_and_its_comment_at_the_end(client, member):
    thread = ThreadFactory()
    top = CommentFactory(thread=thread)
    first, second = (CommentFactory(thread=thread, parent=top) for _ in range(2))
    client.force_login(member)
    url = reverse("comments:comment_replies", kwargs={"pk": top.pk})

    default = client.get(url).text
    answering = client.get(url, {"reply_to": first.pk}).text

    assert 'class="comment-compose"' in default
    assert default.index('id="comment-form"') > default.index(f'id="comment-{second.pk}"')
    assert answering.count('id="comment-form"') == 1
    following = after_card(answering, first)
    assert following.index('id="comment-form"') < following.index(f'id="comment-{second.pk}"')
