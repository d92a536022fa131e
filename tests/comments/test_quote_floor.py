"""Issue 13, item 1: a quote can never lower the spoiler level.

A comment that quotes another (through the Quote action, or any quote whose heading links
to its source's permalink) spoils at least what the quoted comment spoils, whatever level
its author picks, on posting and on editing, on the same page or another. Everything is
posted through the real views; a reader who has watched up to episode 3 then opens every
page the quoted text could reach, and the secret must be in none of them.
"""

import html
import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.comments.services import post_comment
from fansite.threads.models import Board
from tests.users.factories import UserFactory

from .factories import ThreadFactory

pytestmark = pytest.mark.django_db

SECRET = "Cheong-san walks into the horde jackal-7731"
LATER_SECRET = "The soldiers leave at dawn marmot-2205"


def create_url(target, kind="thread"):
    return reverse("comments:comment_create", kwargs={"kind": kind, "pk": target.pk})


def compose_body(response):
    """The text the compose form is pre-filled with."""
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    assert textarea, "no compose form"
    return html.unescape(textarea.group(1)).lstrip("\n")


def quote_through_the_form(client, thread, quoted):
    """Press Quote under ``quoted`` and return the pre-filled body."""
    response = client.get(thread.get_absolute_url(), {"quote": quoted.pk})
    assert response.status_code == HTTPStatus.OK
    body = compose_body(response)
    assert SECRET in body
    return body


@pytest.fixture
def thread():
    """An episode-3 thread (its level is 3)."""
    return ThreadFactory()


@pytest.fixture
def spoiler(client, thread):
    """An episode-9 comment in it, posted through the form."""
    author = UserFactory(username="cheongsan", watched_up_to=12)
    client.force_login(author)
    client.post(create_url(thread), {"body": f"{SECRET}.", "spoils_episode": "9"})
    client.logout()
    comment = Comment.objects.get(body=f"{SECRET}.")
    assert comment.spoiler_level == 9
    return comment


@pytest.fixture
def quoter():
    # A new member: the quote's link to its source must not count as a link.
    return UserFactory(username="onjo", watched_up_to=12)


def pages_for(client, *, thread, quote, quoter, parent):
    """Every page where the quoting comment's text could reach a reader."""
    permalink = client.get(quote.get_absolute_url(), follow=True)
    replies_url = reverse("comments:comment_replies", kwargs={"pk": parent.pk})
    profile_url = reverse("users:profile_detail", kwargs={"username": quoter.username})
    return {
        "thread page": client.get(thread.get_absolute_url()),
        "permalink target": permalink,
        "replies page": client.get(replies_url),
        "author's profile": client.get(profile_url),
        "quote form": client.get(thread.get_absolute_url(), {"quote": quote.pk}),
        "reply form": client.get(thread.get_absolute_url(), {"reply_to": quote.pk}),
        "quote form, replies page": client.get(replies_url, {"quote": quote.pk}),
    }


def assert_gated_for_early_readers(client, *, thread, quote, quoter, parent, secret=SECRET):
    early = UserFactory(watched_up_to=3)
    client.force_login(early)
    for name, response in pages_for(
        client, thread=thread, quote=quote, quoter=quoter, parent=parent
    ).items():
        assert response.status_code == HTTPStatus.OK, name
        assert secret not in response.content.decode(), f"leaked on the {name}"

    # The positive control: a reader who has watched episode 9 reads the quote.
    client.force_login(UserFactory(watched_up_to=9))
    page = client.get(thread.get_absolute_url()).content.decode()
    assert f'id="comment-{quote.pk}"' in page
    assert secret in page[page.index(f'id="comment-{quote.pk}"') :]


def test_quote_links_its_source_and_the_form_says_the_level_follows(client, thread, spoiler):
    client.force_login(UserFactory(watched_up_to=12))

    response = client.get(thread.get_absolute_url(), {"quote": spoiler.pk})

    body = compose_body(response)
    assert body.startswith(f"> [@cheongsan wrote](/comments/{spoiler.pk}/):\n")
    page = response.content.decode()
    assert '<option value="9" selected>' in page
    assert "quotes a comment that spoils episode 9" in page


def test_quote_cannot_be_set_back_to_a_lower_level(client, thread, spoiler, quoter):
    client.force_login(quoter)
    body = quote_through_the_form(client, thread, spoiler) + "So brave."

    # The author sets "spoils up to" back to blank: the server keeps the quote's level.
    response = client.post(
        create_url(thread), {"body": body, "spoils_episode": "", "parent": spoiler.pk}
    )

    assert response.status_code == HTTPStatus.FOUND
    quote = Comment.objects.get(author=quoter)
    assert quote.spoiler_level == 9
    assert_gated_for_early_readers(
        client, thread=thread, quote=quote, quoter=quoter, parent=spoiler
    )


def test_quote_pasted_into_another_thread_keeps_its_level(client, thread, spoiler, quoter):
    client.force_login(quoter)
    body = quote_through_the_form(client, thread, spoiler) + "Remember this?"
    elsewhere = ThreadFactory(board=Board.objects.get(slug="general"))

    response = client.post(create_url(elsewhere), {"body": body, "spoils_episode": ""})

    assert response.status_code == HTTPStatus.FOUND
    quote = Comment.objects.get(author=quoter)
    assert quote.thread == elsewhere
    assert quote.spoiler_level == 9
    assert_gated_for_early_readers(
        client, thread=elsewhere, quote=quote, quoter=quoter, parent=quote
    )


def test_adding_a_quote_in_an_edit_raises_the_level(client, thread, spoiler, quoter):
    client.force_login(quoter)
    body = quote_through_the_form(client, thread, spoiler)
    client.post(create_url(thread), {"body": "I agree.", "spoils_episode": ""})
    quote = Comment.objects.get(author=quoter)
    assert quote.spoiler_level == 3
    edit_url = reverse("comments:comment_edit", kwargs={"pk": quote.pk})

    # Even choosing the thread's own episode explicitly does not lower it.
    response = client.post(edit_url, {"body": body + "I agree.", "spoils_episode": "3"})

    assert response.status_code == HTTPStatus.FOUND
    quote.refresh_from_db()
    assert quote.spoiler_level == 9
    assert_gated_for_early_readers(client, thread=thread, quote=quote, quoter=quoter, parent=quote)
    # The edit form says why the level cannot go lower.
    client.force_login(quoter)
    assert "quotes a comment that spoils episode 9" in client.get(edit_url).content.decode()


def test_editing_a_quote_keeps_its_level(client, thread, spoiler, quoter):
    client.force_login(quoter)
    body = quote_through_the_form(client, thread, spoiler)
    client.post(create_url(thread), {"body": body + "First.", "spoils_episode": "9"})
    quote = Comment.objects.get(author=quoter)
    edit_url = reverse("comments:comment_edit", kwargs={"pk": quote.pk})

    client.post(edit_url, {"body": body + "Second thoughts.", "spoils_episode": "4"})

    quote.refresh_from_db()
    assert quote.body.endswith("Second thoughts.")
    assert quote.spoiler_level == 9


def test_the_highest_quoted_level_wins(client, thread, spoiler, quoter):
    later = post_comment(
        target=thread,
        author=UserFactory(username="soldier", watched_up_to=12),
        body=LATER_SECRET,
        spoils_episode=11,
    )
    client.force_login(quoter)
    body = (
        quote_through_the_form(client, thread, spoiler)
        + compose_body(client.get(thread.get_absolute_url(), {"quote": later.pk}))
        + "Both at once."
    )

    client.post(create_url(thread), {"body": body, "spoils_episode": "10"})

    quote = Comment.objects.get(author=quoter)
    assert quote.spoiler_level == 11


def test_a_link_outside_a_quote_does_not_raise_the_level(client, thread, spoiler, quoter):
    client.force_login(quoter)

    client.post(
        create_url(thread),
        {"body": f"See [this comment](/comments/{spoiler.pk}/).", "spoils_episode": ""},
    )

    assert Comment.objects.get(author=quoter).spoiler_level == 3


def test_authors_may_still_raise_a_quote_above_its_source(client, thread, spoiler, quoter):
    client.force_login(quoter)
    body = quote_through_the_form(client, thread, spoiler) + "And it gets worse."

    client.post(create_url(thread), {"body": body, "spoils_episode": "12"})

    assert Comment.objects.get(author=quoter).spoiler_level == 12


def test_new_members_external_links_are_still_refused_next_to_a_quote(
    client, thread, spoiler, quoter
):
    client.force_login(quoter)
    body = (
        quote_through_the_form(client, thread, spoiler)
        + "More at [my blog](https://spam.example/)."
    )

    response = client.post(create_url(thread), {"body": body, "spoils_episode": ""})

    assert "New members can post links" in response.content.decode()
    assert not Comment.objects.filter(author=quoter).exists()


def test_quote_of_an_author_whose_name_looks_like_markdown_still_names_its_source(
    client, thread, quoter
):
    author = UserFactory(display_name="*Nam-ra* [hambie] >!x!<", watched_up_to=12)
    source = post_comment(target=thread, author=author, body=SECRET, spoils_episode=9)
    client.force_login(quoter)
    body = compose_body(client.get(thread.get_absolute_url(), {"quote": source.pk}))

    client.post(create_url(thread), {"body": body + "Wow.", "spoils_episode": ""})

    quote = Comment.objects.get(author=quoter)
    assert quote.spoiler_level == 9
    assert f'<a href="/comments/{source.pk}/"' in quote.body_html
    assert "@*Nam-ra* [hambie] &gt;!x!&lt; wrote</a>" in quote.body_html


def test_without_a_quote_an_edit_still_cannot_bring_a_raised_level_back_down(
    client, thread, quoter
):
    client.force_login(quoter)
    client.post(create_url(thread), {"body": "Careful, big news.", "spoils_episode": "9"})
    comment = Comment.objects.get(author=quoter)
    edit_url = reverse("comments:comment_edit", kwargs={"pk": comment.pk})
    page = client.get(edit_url).content.decode()
    menu = re.search(r'<select name="spoils_episode".*?</select>', page, re.S).group(0)
    assert '<option value="3">' not in menu
    assert '<option value="9" selected>' in menu
    assert "An edit cannot lower a comment" in page

    client.post(edit_url, {"body": "Not so big after all.", "spoils_episode": "3"})

    comment.refresh_from_db()
    assert comment.body == "Not so big after all."
    assert comment.spoiler_level == 9
