"""Issue 13, item 2: quoting never shows spoiler text the reader has not opened.

The Quote action copies a spoiler's markup but not its content: the compose box holds a
reference, ``>!⟦spoiler 1 of comment 34⟧!<``, and so does the stored body; rendering the
reply on save puts the source's text back, inside a spoiler that is hidden until the
reader opens it. Everything goes through the real views. References typed by hand resolve
only from a visible source that the post's quote heading names, and count for the quote
floor, so they can never carry a spoiler below its source's level.
"""

import html
import re
from http import HTTPStatus
from unittest import mock

import pytest
from django.urls import reverse

from fansite.comments.models import Comment
from fansite.threads.models import Board
from fansite.web import markdown
from tests.users.factories import UserFactory

from .factories import CommentFactory, ThreadFactory

pytestmark = pytest.mark.django_db

INLINE_SECRET = "Nam-ra bites the bully heron-4417"
BLOCK_SECRET = "Cheong-san stays behind osprey-9036"
SOURCE_BODY = f"""Remember the roof? >!{INLINE_SECRET}!< Brutal.

:::spoiler What happens at the gym
{BLOCK_SECRET}.

Nobody saw it coming.
:::

Visible ending."""
UNAVAILABLE = "[spoiler unavailable]"


def create_url(target):
    return reverse("comments:comment_create", kwargs={"kind": "thread", "pk": target.pk})


def compose_body(response):
    """The text the compose form is pre-filled with."""
    textarea = re.search(r"<textarea[^>]*>(.*?)</textarea>", response.content.decode(), re.S)
    assert textarea, "no compose form"
    return html.unescape(textarea.group(1)).lstrip("\n")


def outside_spoilers(page):
    """The page without the content of its inline and block spoilers: what a reader sees
    before opening any of them."""
    page = re.sub(r'<span class="spoiler__content">.*?</span></label>', "", page, flags=re.S)
    # Block spoilers nest; remove innermost first until none is left.
    block = re.compile(r'<details class="spoiler-block">(?:(?!<details).)*?</details>', re.S)
    while block.search(page):
        page = block.sub("", page)
    return page


def inside_inline_spoilers(page):
    return re.findall(r'<span class="spoiler__content">(.*?)</span></label>', page, re.S)


def assert_hidden_in(page, *secrets):
    """Each secret is on the page, but only inside a spoiler."""
    for secret in secrets:
        assert secret in page
        assert secret not in outside_spoilers(page)


@pytest.fixture
def thread():
    """An episode-3 thread (its level is 3)."""
    return ThreadFactory()


@pytest.fixture
def source(thread):
    """An episode-3 comment with an inline and a block spoiler."""
    return CommentFactory(thread=thread, body=SOURCE_BODY, author__username="cheongsan")


@pytest.fixture
def quoter(client):
    """A member who has watched up to episode 3 and never opened a spoiler."""
    member = UserFactory(username="onjo", watched_up_to=3)
    client.force_login(member)
    return member


def post_quote(client, thread, source, extra="My take: brutal."):
    response = client.get(thread.get_absolute_url(), {"quote": source.pk})
    body = compose_body(response) + extra
    response = client.post(
        create_url(thread), {"body": body, "spoils_episode": "", "parent": source.pk}
    )
    assert response.status_code == HTTPStatus.FOUND
    return Comment.objects.exclude(pk=source.pk).latest("pk")


def post_by_hand(client, thread, body):
    response = client.post(create_url(thread), {"body": body, "spoils_episode": ""})
    assert response.status_code == HTTPStatus.FOUND
    return Comment.objects.latest("pk")


def heading(comment):
    return f"> [@someone wrote](/comments/{comment.pk}/):\n>\n"


# --- The compose box ------------------------------------------------------------------


def test_quote_form_holds_references_not_the_spoilers(client, thread, source, quoter):
    response = client.get(thread.get_absolute_url(), {"quote": source.pk})

    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    body = compose_body(response)
    assert f"> Remember the roof? >!⟦spoiler 1 of comment {source.pk}⟧!< Brutal." in body
    assert f"> :::spoiler What happens at the gym\n> ⟦spoiler 2 of comment {source.pk}⟧\n> :::" in (
        body
    )
    assert "> Visible ending." in body
    assert "Quoted spoilers show here as ⟦spoiler 1 of comment 34⟧" in html.unescape(page)
    # Not in the compose box, and nowhere else on the page outside the source's own
    # (closed) spoilers.
    for secret in (INLINE_SECRET, BLOCK_SECRET, "Nobody saw it coming"):
        assert secret not in body
        assert secret not in outside_spoilers(page)

    # The reply form names the comment answered and shows none of its text.
    response = client.get(thread.get_absolute_url(), {"reply_to": source.pk})
    assert "Replying to" in response.content.decode()
    assert compose_body(response) == ""


def test_quote_form_on_the_replies_page_holds_references_too(client, thread, source, quoter):
    replies_url = reverse("comments:comment_replies", kwargs={"pk": source.pk})

    response = client.get(replies_url, {"quote": source.pk})

    body = compose_body(response)
    assert f"⟦spoiler 1 of comment {source.pk}⟧" in body
    assert INLINE_SECRET not in body
    assert BLOCK_SECRET not in body


def test_a_source_that_cannot_be_referred_to_exactly_is_quoted_without_its_spoilers(
    client, thread, quoter
):
    # A spoiler in an image's alt text shows as "[spoiler]" and has no spoiler element to
    # refer to: the quote falls back to the source's plain text.
    source = CommentFactory(
        thread=thread,
        body=f"See >!{INLINE_SECRET}!< and ![>!{BLOCK_SECRET}!<](https://example.com/a.png)",
    )

    response = client.get(thread.get_absolute_url(), {"quote": source.pk})

    body = compose_body(response)
    assert body.startswith(f"> [@{source.author.public_name} wrote](/comments/{source.pk}/):")
    assert r"See \[spoiler\] and \[spoiler\]" in body
    for secret in (INLINE_SECRET, BLOCK_SECRET):
        assert secret not in outside_spoilers(response.content.decode())


# --- The posted reply -------------------------------------------------------------------


def test_posted_quote_keeps_the_quoted_spoilers_hidden(client, thread, source, quoter):
    reply = post_quote(client, thread, source)

    # The stored Markdown refers to the spoilers; the rendered HTML holds them, hidden.
    assert INLINE_SECRET not in reply.body
    assert BLOCK_SECRET not in reply.body
    assert [s for s in inside_inline_spoilers(reply.body_html)] == [INLINE_SECRET]
    assert_hidden_in(reply.body_html, INLINE_SECRET, BLOCK_SECRET, "Nobody saw it coming")
    assert reply.spoiler_level == 3

    # Another reader at episode 3 sees the reply, its spoilers closed.
    client.force_login(UserFactory(watched_up_to=3))
    page = client.get(reply.get_absolute_url(), follow=True).content.decode()
    card = page[page.index(f'id="comment-{reply.pk}"') :]
    card = card[: card.index("</article>")]
    assert "My take: brutal." in card
    assert_hidden_in(card, INLINE_SECRET, BLOCK_SECRET)
    assert "<summary>Spoiler: What happens at the gym</summary>" in card


def test_editing_the_quote_shows_the_references_not_the_secrets(client, thread, source, quoter):
    reply = post_quote(client, thread, source)
    edit_url = reverse("comments:comment_edit", kwargs={"pk": reply.pk})

    response = client.get(edit_url)

    body = compose_body(response)
    assert f">!⟦spoiler 1 of comment {source.pk}⟧!<" in body
    assert "Quoted spoilers show here as" in response.content.decode()
    assert INLINE_SECRET not in response.content.decode()
    assert BLOCK_SECRET not in response.content.decode()

    # Saving the edit renders the references again.
    response = client.post(edit_url, {"body": body + " Edited.", "spoils_episode": ""})
    assert response.status_code == HTTPStatus.FOUND
    reply.refresh_from_db()
    assert "Edited." in reply.body_html
    assert_hidden_in(reply.body_html, INLINE_SECRET, BLOCK_SECRET)


def test_quoting_a_quote_carries_the_original_spoiler_hidden(client, thread, source, quoter):
    first = post_quote(client, thread, source)

    second = post_quote(client, thread, first, extra="Agreed.")

    assert f"⟦spoiler 1 of comment {first.pk}⟧" in second.body
    assert f"of comment {source.pk}⟧" not in second.body
    assert_hidden_in(second.body_html, INLINE_SECRET, BLOCK_SECRET)


def test_a_source_hidden_later_is_unavailable_when_the_quote_is_next_saved(
    client, thread, source, quoter
):
    reply = post_quote(client, thread, source)
    Comment.objects.filter(pk=source.pk).update(is_hidden=True)
    edit_url = reverse("comments:comment_edit", kwargs={"pk": reply.pk})

    client.post(edit_url, {"body": reply.body + " Edited.", "spoils_episode": ""})

    reply.refresh_from_db()
    assert INLINE_SECRET not in reply.body_html
    assert BLOCK_SECRET not in reply.body_html
    assert_hidden_in(reply.body_html, UNAVAILABLE)


def test_quoting_a_later_episode_spoiler_keeps_it_from_early_readers(client, thread):
    """The positive control, and the level: a reader who has watched up to the source's
    episode opens the quoted spoilers; an earlier reader gets no text at all."""
    later = ThreadFactory(board=Board.objects.get(slug="episode-9"))
    source = CommentFactory(thread=later, body=SOURCE_BODY)
    client.force_login(UserFactory(watched_up_to=12))
    reply = post_quote(client, later, source)
    assert reply.spoiler_level == 9
    assert INLINE_SECRET not in reply.body

    client.force_login(UserFactory(watched_up_to=9))
    page = client.get(later.get_absolute_url()).content.decode()
    card = page[page.index(f'id="comment-{reply.pk}"') :]
    assert_hidden_in(card[: card.index("</article>")], INLINE_SECRET, BLOCK_SECRET)

    client.force_login(UserFactory(watched_up_to=3))
    for url in (later.get_absolute_url(), reply.get_absolute_url()):
        page = client.get(url, follow=True).content.decode()
        assert INLINE_SECRET not in page
        assert BLOCK_SECRET not in page
        assert "My take: brutal." not in page


# --- References typed by hand -------------------------------------------------------------


def test_reference_to_a_hidden_comment_is_unavailable(client, thread, source, quoter):
    Comment.objects.filter(pk=source.pk).update(is_hidden=True)

    forged = post_by_hand(
        client, thread, heading(source) + f"> >!⟦spoiler 1 of comment {source.pk}⟧!<\n\nHa."
    )

    assert INLINE_SECRET not in forged.body_html
    assert inside_inline_spoilers(forged.body_html) == [UNAVAILABLE]


def test_reference_to_a_comment_in_a_hidden_thread_is_unavailable(client, quoter):
    hidden = ThreadFactory()
    source = CommentFactory(thread=hidden, body=SOURCE_BODY)
    hidden.is_hidden = True
    hidden.save()

    forged = post_by_hand(
        client, ThreadFactory(), heading(source) + f"> >!⟦spoiler 1 of comment {source.pk}⟧!<"
    )

    assert INLINE_SECRET not in forged.body_html
    assert inside_inline_spoilers(forged.body_html) == [UNAVAILABLE]


def test_reference_to_a_missing_comment_or_spoiler_is_unavailable(client, thread, source, quoter):
    body = heading(source) + (
        f"> >!⟦spoiler 9 of comment {source.pk}⟧!< (no such spoiler)\n"
        f"> >!⟦spoiler 2 of comment {source.pk}⟧!< (a block, not inline)\n"
        ">\n"
        "> :::spoiler\n"
        f"> ⟦spoiler 1 of comment {source.pk}⟧\n"
        "> :::\n\n"
        ">!⟦spoiler 1 of comment 987654321⟧!< (no such comment)\n\n"
        f"⟦spoiler 1 of comment {source.pk}⟧ (not in a spoiler: stays text)"
    )

    forged = post_by_hand(client, thread, body)

    for secret in (INLINE_SECRET, BLOCK_SECRET, "Nobody saw it coming"):
        assert secret not in forged.body_html
    assert inside_inline_spoilers(forged.body_html) == [UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]
    assert_hidden_in(forged.body_html, f"<p>{UNAVAILABLE}</p>")
    assert f"<p>⟦spoiler 1 of comment {source.pk}⟧ (not in a spoiler: stays text)</p>" in (
        forged.body_html
    )


def test_reference_without_a_quote_heading_naming_its_source_is_unavailable(
    client, thread, source, quoter
):
    other = CommentFactory(thread=thread)

    forged = post_by_hand(
        client, thread, heading(other) + f"> >!⟦spoiler 1 of comment {source.pk}⟧!<"
    )

    assert INLINE_SECRET not in forged.body_html
    assert inside_inline_spoilers(forged.body_html) == [UNAVAILABLE]


def test_reference_to_a_later_episode_comment_takes_its_level(client, thread, quoter):
    """A member at episode 3 forges a reference to an episode-9 comment into an episode-3
    thread, with and without a heading: the post spoils episode 9 either way, so no reader
    before episode 9 is sent its text."""
    later = ThreadFactory(board=Board.objects.get(slug="episode-9"))
    source = CommentFactory(thread=later, body=SOURCE_BODY)
    reference = f">!⟦spoiler 1 of comment {source.pk}⟧!<"

    with_heading = post_by_hand(client, thread, heading(source) + f"> {reference}")
    bare = post_by_hand(client, thread, f"Look: {reference}")

    assert with_heading.spoiler_level == 9
    assert bare.spoiler_level == 9
    assert_hidden_in(with_heading.body_html, INLINE_SECRET)
    assert INLINE_SECRET not in bare.body_html
    client.force_login(UserFactory(watched_up_to=3))
    for url in (thread.get_absolute_url(), with_heading.get_absolute_url()):
        page = client.get(url, follow=True).content.decode()
        assert INLINE_SECRET not in page
        assert "Look:" not in page


def test_an_opening_post_that_refers_to_a_spoiler_raises_its_thread(client, quoter):
    """On a board without an episode the thread would spoil up to its author's progress
    (3); quoting an episode-9 comment's spoiler raises it, title included, to 9."""
    later = ThreadFactory(board=Board.objects.get(slug="episode-9"))
    source = CommentFactory(thread=later, body=SOURCE_BODY)
    body = heading(source) + f"> >!⟦spoiler 1 of comment {source.pk}⟧!<\n\nDiscuss."

    response = client.post(
        reverse("threads:thread_create", args=["general"]),
        {"title": "That bite", "body": body, "spoils_episode": ""},
    )

    assert response.status_code == HTTPStatus.FOUND
    opening = Comment.objects.latest("pk")
    assert opening.thread.spoiler_level == 9
    assert opening.spoiler_level == 9
    assert_hidden_in(opening.body_html, INLINE_SECRET)


# --- Cost -------------------------------------------------------------------------------


def test_posting_a_quote_renders_its_markdown_at_most_four_times(client, thread, source, quoter):
    body = compose_body(client.get(thread.get_absolute_url(), {"quote": source.pk}))

    with mock.patch.object(markdown._PARSER, "parse", wraps=markdown._PARSER.parse) as parse:
        client.post(create_url(thread), {"body": body + "Yes.", "parent": source.pk})

    # Three for the post itself; one for the search index's spoiler-free plain text.
    assert parse.call_count <= 4
